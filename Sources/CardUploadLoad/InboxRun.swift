import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation

/// What became of one file of an inbox run.
package struct InboxFileResult {
    /// The file's name in INBOX.
    package var name: String
    /// Its load.
    package var upload: UploadResult
    /// Where its report and rejects file were placed, when they were.
    package var report: String?
    package var rejects: String?
    /// Where the file was moved (DONE or FAILED); nil when it stays in INBOX.
    package var movedTo: String?
    /// Whether it went to FAILED (a file-level error) rather than DONE.
    package var movedToFailed = false
    /// A report, rejects file or the file itself that could not be placed (the file then stays in INBOX).
    package var placementError: OutputError?
    /// Whether the run stops after this file (the store or the program failed, or a stop was requested).
    package var stopsRun = false
}

/// How an inbox run went, file by file.
package struct InboxResult {
    /// The files ready to load when the run listed INBOX.
    package var ready = 0
    package var files: [InboxFileResult] = []
    /// Files modified less than `--min-age` ago, left for a later run.
    package var waiting = 0
    /// Set when a stop was requested before a file was started.
    package var stopReason: StopReason?
    /// Files left in INBOX, loaded by the next run: those that failed without being filed, and those not
    /// reached because the run stopped.
    package var left = 0
    /// The files not reached because the run stopped after a file (`files.last`).
    package var notReached = 0
}

/// Hears an inbox run as it goes: the cron log is written as files are loaded, not at the end.
package protocol InboxProgress: AnyObject {
    /// INBOX was listed.
    func listed(_ listing: InboxListing)
    /// A file was loaded and filed.
    func filed(_ file: InboxFileResult)
}

/// One `process-dir` run: the folders made ready, the INBOX lock taken, each waiting file loaded in name
/// order and filed — DONE after a load that read the file to its end, FAILED after a file-level error,
/// else left in INBOX — its report and rejects placed in REPORTS. Never replaces a file (`InboxPlacement`).
package struct InboxRun {
    private let settings: InboxSettings
    private let store: LoadStore
    private let stop: StopToken
    private let progress: (any InboxProgress)?

    package init(settings: InboxSettings, store: LoadStore, stop: StopToken, progress: (any InboxProgress)? = nil) {
        self.settings = settings
        self.store = store
        self.stop = stop
        self.progress = progress
    }

    /// Runs; an `InboxError` when the folders or the lock are not usable (nothing was loaded).
    package func run() throws(InboxError) -> InboxResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.inbox, isDirectory: &isDirectory) else {
            throw InboxError(kind: .inputUnavailable, message: "INBOX not found: \(settings.inbox)")
        }
        guard isDirectory.boolValue else { throw InboxError(kind: .inputUnavailable, message: "INBOX is not a folder: \(settings.inbox)") }
        // A dry run moves nothing: only its reports need a folder.
        for folder in settings.dryRun ? [settings.reports] : [settings.done, settings.failed, settings.reports] {
            try makeFolder(folder)
        }
        let lock = try InboxLock(inbox: settings.inbox)
        defer { withExtendedLifetime(lock) {} }

        let listing = try InboxListing(directory: settings.inbox, minimumAge: settings.minimumAge)
        progress?.listed(listing)
        var result = InboxResult(ready: listing.ready.count, waiting: listing.tooRecent.count)
        for (index, name) in listing.ready.enumerated() {
            if let reason = stop.reason {
                result.stopReason = reason
                result.left += listing.ready.count - index
                break
            }
            let file = load(name)
            result.files.append(file)
            progress?.filed(file)
            if file.movedTo == nil { result.left += 1 }
            if file.stopsRun {
                result.notReached = listing.ready.count - index - 1
                result.left += result.notReached
                break
            }
        }
        return result
    }

    /// Loads INBOX/`name`, places its report (and rejects) in REPORTS and moves it.
    private func load(_ name: String) -> InboxFileResult {
        let path = settings.inbox + "/" + name
        // Written under hidden names first: the final names need the upload id, known only after the load.
        let stagedReport = settings.reports + "/.card-upload-\(getpid()).report.staged"
        let stagedRejects = settings.reports + "/.card-upload-\(getpid()).rejects.staged"
        defer {
            unlink(stagedReport)
            unlink(stagedRejects)
        }
        let options = settings.loadOptions(for: name, report: stagedReport, rejects: stagedRejects)
        let upload = UploadJob(file: path, options: options, store: store, stop: stop).run()
        var file = InboxFileResult(name: name, upload: upload)
        let failure = upload.failure.map { FailureKind(of: $0) }
        file.stopsRun = upload.stopReason != nil || failure?.stopsRun == true

        // The report and rejects first, then the file: a crash in between leaves it in INBOX, loaded again.
        let uploadID = upload.uploadID ?? "\(Int(Date().timeIntervalSince1970))-\(getpid())"
        do {
            if FileManager.default.fileExists(atPath: stagedReport) {
                file.report = try InboxPlacement.move(
                    stagedReport, into: settings.reports, as: InboxNames.reportName(for: name, dryRun: settings.dryRun),
                    uploadID: uploadID)
            }
            if FileManager.default.fileExists(atPath: stagedRejects), upload.counts.rejected > 0 {
                file.rejects = try InboxPlacement.move(
                    stagedRejects, into: settings.reports, as: InboxNames.rejectsName(for: name, dryRun: settings.dryRun),
                    uploadID: uploadID)
            }
        } catch {
            file.placementError = error
        }
        // DONE once the file was read to its end, FAILED after a file-level error; a file that could not
        // be loaded, whose outputs could not be written or whose load was stopped stays in INBOX.
        let readToItsEnd = upload.failure == nil && upload.stopReason == nil && upload.outputError == nil
        let destination: String? = if file.placementError != nil || !readToItsEnd {
            failure == .badFile && file.placementError == nil && upload.stopReason == nil ? settings.failed : nil
        } else {
            upload.fileError == nil ? settings.done : settings.failed
        }
        if let destination, !settings.dryRun {
            do {
                file.movedTo = try InboxPlacement.move(path, into: destination, as: name, uploadID: uploadID)
                file.movedToFailed = destination == settings.failed
            } catch {
                file.placementError = error
            }
        }
        return file
    }

    /// Creates a missing DONE, FAILED or REPORTS folder (owner-only: reports and rejects hold card data).
    private func makeFolder(_ path: String) throws(InboxError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InboxError(kind: .outputUnavailable, message: "\(path) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw InboxError(kind: .outputUnavailable, message: "cannot create the folder \(path): \(error.localizedDescription)")
        }
    }
}
