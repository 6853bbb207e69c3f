import CardUploadInput
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
    /// Where the file was moved (DONE or FAILED); nil when it is left for the next run.
    package var movedTo: String?
    /// Whether it went to FAILED (a file-level error, or not a regular file) rather than DONE.
    package var movedToFailed = false
    /// Where a file left for the next run waits: back in INBOX (under its name, or `<name>.<upload_id>`
    /// when a new file took the name), or in the working folder when it could not go back.
    package var leftAt: String?
    /// A report, rejects file or the file itself that could not be placed.
    package var placementError: OutputError?
    /// Whether the run stops after this file (the store or the program failed, or a stop was requested).
    package var stopsRun = false
}

/// How an inbox run went, file by file.
package struct InboxResult {
    /// The files ready to load when the run listed INBOX (and found in the working folder).
    package var ready = 0
    package var files: [InboxFileResult] = []
    /// Files modified less than `--min-age` ago, left for a later run.
    package var waiting = 0
    /// Set when a stop was requested before a file was started.
    package var stopReason: StopReason?
    /// Files left for the next run: those not filed, and those not reached because the run stopped.
    package var left = 0
    /// The files not reached because the run stopped after a file (`files.last`).
    package var notReached = 0
    /// What `--keep-days` pruned after the files (nil when not asked for, or when the run stopped first).
    package var pruned: PruneResult?
    /// Why that prune failed, when it did.
    package var pruneFailure: (any Error)?
}

extension InboxResult {
    /// The files loaded and moved to DONE.
    package var done: Int { files.filter { $0.movedTo != nil && !$0.movedToFailed }.count }
    /// The files moved to FAILED.
    package var failed: Int { files.filter(\.movedToFailed).count }
}

/// Hears an inbox run as it goes: the cron log is written as files are loaded, not at the end.
package protocol InboxProgress: AnyObject {
    /// INBOX was listed.
    func listed(_ listing: InboxListing)
    /// A file was loaded and filed.
    func filed(_ file: InboxFileResult)
}

/// One `process-dir` run (SPEC §1: process-dir, and INBOX as a trust boundary): INBOX locked, the job's
/// folders opened and checked, then each file — those a killed run left in the working folder first, then
/// INBOX's in name order — claimed into a folder of its own in the working folder (a rename: whatever is
/// put under the name afterwards is a new file for the next run), examined without following a link, loaded
/// from there, and filed: DONE after a load that read it to its end, FAILED after a file-level error or
/// when it is not a regular file of one link (moved unread), else back to INBOX for the next run.
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

    /// The run's folders, each held open.
    private struct Folders {
        let inbox: InboxFolder
        let done: InboxFolder?
        let failed: InboxFolder?
        let reports: InboxFolder
        /// The working folder (nil for a dry run, which moves nothing).
        let work: InboxFolder?
        /// The working folder, locked for the run (held open until the run ends).
        let lock: InboxFolder
    }

    /// A file to load: waiting in INBOX, or left in the working folder by a killed run.
    private enum Item {
        case waiting(String)
        case leftover(claim: InboxFolder, claimName: String, name: String)
    }

    /// Runs; an `InboxError` when INBOX, the folders or the lock are not usable (nothing was touched).
    package func run() throws(InboxError) -> InboxResult {
        let folders = try openFolders()
        let leftovers = try folders.work.map(leftovers) ?? []
        let listing = try InboxListing(folders.inbox, minimumAge: settings.minimumAge)
        progress?.listed(listing)
        let items = leftovers + listing.ready.map(Item.waiting)
        var result = InboxResult(ready: items.count, waiting: listing.tooRecent.count)
        for (index, item) in items.enumerated() {
            if let reason = stop.reason {
                result.stopReason = reason
                result.left += items.count - index
                break
            }
            guard let file = load(item, folders: folders) else { continue }
            result.files.append(file)
            progress?.filed(file)
            if file.movedTo == nil { result.left += 1 }
            if file.stopsRun {
                result.notReached = items.count - index - 1
                result.left += result.notReached
                break
            }
        }
        prune(&result)
        return result
    }

    /// `--keep-days`: prunes after the files, unless the run stopped (a store error, a signal). A dry run
    /// says what it would prune (nothing, when the store does not exist yet).
    private func prune(_ result: inout InboxResult) {
        guard let days = settings.keepDays, result.stopReason == nil, stop.reason == nil,
              result.files.last?.stopsRun != true else { return }
        if settings.dryRun, !FileManager.default.fileExists(atPath: store.path) { return }
        do {
            result.pruned = try PruneJob(
                options: .keeping(days: days, dryRun: settings.dryRun), storePath: store.path, stop: stop
            ).run()
        } catch {
            result.pruneFailure = error
        }
    }

    /// INBOX locked, the job's folders opened (created 0700 when missing) and checked. A dry run moves
    /// nothing: only its reports need a folder.
    private func openFolders() throws(InboxError) -> Folders {
        let inbox = try InboxFolder.inbox(settings.inbox)
        func owned(_ path: String, _ role: String) throws(InboxError) -> InboxFolder {
            // INBOX's own default folders are opened through INBOX's descriptor.
            let prefix = settings.inbox == "/" ? "/" : settings.inbox + "/"
            if path.hasPrefix(prefix), !path.dropFirst(prefix.count).contains("/"), path.count > prefix.count {
                return try InboxFolder.owned(path, role: role, in: inbox, name: String(path.dropFirst(prefix.count)))
            }
            return try InboxFolder.owned(path, role: role)
        }
        // The working folder first: the run's lock is on it (a dry run takes it too, and claims nothing).
        let work = try owned(settings.work ?? settings.inbox + "/" + InboxSettings.defaultWorkName, "working")
        try work.lock(inbox: settings.inbox)
        let reports = try owned(settings.reports, "REPORTS")
        guard !settings.dryRun else {
            LeftoverFiles.removeOnce(in: reports.reach(""))
            return Folders(inbox: inbox, done: nil, failed: nil, reports: reports, work: nil, lock: work)
        }
        let done = try owned(settings.done, "DONE")
        let failed = try owned(settings.failed, "FAILED")
        var inboxInfo = stat(), workInfo = stat()
        if fstat(inbox.descriptor, &inboxInfo) == 0, fstat(work.descriptor, &workInfo) == 0, inboxInfo.st_dev != workInfo.st_dev {
            throw InboxError(
                kind: .outputUnavailable,
                message: "the working folder \(work.path) is on another file system than INBOX; files are claimed by renaming them there: name one on INBOX's file system (--work DIR)")
        }
        // A killed run's half-made copies and staged outputs go (their process gone, nobody holding them).
        for folder in [done, failed, reports] { LeftoverFiles.removeOnce(in: folder.reach("")) }
        return Folders(inbox: inbox, done: done, failed: failed, reports: reports, work: work, lock: work)
    }

    /// The files a killed run left in the working folder (each in a claim folder of its own), to be
    /// loaded first; empty claim folders are removed.
    private func leftovers(in work: InboxFolder) throws(InboxError) -> [Item] {
        var items: [Item] = []
        for raw in try work.names().sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            // Only claim folders this job made: named so, its own, 0700.
            guard let claimName = String(validating: raw, as: UTF8.self), claimName.hasPrefix(Self.claimPrefix),
                  let info = work.entry(claimName), info.st_uid == geteuid(), info.st_mode & 0o077 == 0,
                  let claim = work.folder(claimName) else { continue }
            let names = (try? claim.names()) ?? []
            if names.isEmpty { work.removeFolder(claimName) }
            for raw in names {
                guard let name = String(validating: raw, as: UTF8.self), InboxNames.skip(name) == nil,
                      let entry = claim.entry(name), entry.st_mode & S_IFMT != S_IFDIR else { continue }
                items.append(.leftover(claim: claim, claimName: claimName, name: name))
            }
        }
        return items
    }

    /// Claims, loads and files one file; nil when it was gone before it could be claimed.
    private func load(_ item: Item, folders: Folders) -> InboxFileResult? {
        let name: String
        let claim: InboxFolder
        var claimName: String?
        switch item {
        case .leftover(let folder, let folderName, let leftName):
            (name, claim, claimName) = (leftName, folder, folderName)
        case .waiting(let waiting):
            name = waiting
            if let work = folders.work {
                switch Self.claim(name, from: folders.inbox, into: work) {
                case .claimed(let folder, let folderName):
                    (claim, claimName) = (folder, folderName)
                    // A folder put under the name after the listing is not an upload: it goes back, unread.
                    if let info = folder.entry(name), info.st_mode & S_IFMT == S_IFDIR {
                        if folders.inbox.entry(name) == nil { renameat(folder.descriptor, name, folders.inbox.descriptor, name) }
                        work.removeFolder(folderName)
                        return nil
                    }
                case .gone:
                    return nil
                case .failed(let error):
                    var file = InboxFileResult(name: name, upload: UploadResult(file: folders.inbox.display(name)))
                    file.upload.failure = error
                    file.leftAt = folders.inbox.display(name)
                    return file
                }
            } else {
                claim = folders.inbox  // A dry run reads the file where it is.
            }
        }
        defer { if let claimName { folders.work?.removeFolder(claimName) } }
        var file = loadClaimed(name, in: claim, folders: folders)
        place(&file, from: claim, folders: folders)
        return file
    }

    /// How the claim folders in the working folder are named.
    private static let claimPrefix = "claim-"

    private enum Claim {
        case claimed(InboxFolder, String)
        case gone
        case failed(OutputError)
    }

    /// Moves INBOX's `name` into a new claim folder in the working folder: whatever is under the name at
    /// that instant, unopened; from then on only the job can touch it.
    private static func claim(_ name: String, from inbox: InboxFolder, into work: InboxFolder) -> Claim {
        var folder: InboxFolder?
        var folderName = ""
        for attempt in 0..<10 where folder == nil {
            folderName = "\(claimPrefix)\(getpid())-\(UInt64(Date().timeIntervalSince1970 * 1e6))-\(attempt)"
            folder = work.makeFolder(folderName)
        }
        guard let folder else {
            return .failed(OutputError(path: work.path, reason: "cannot make a claim folder: \(SystemCall.errorText())"))
        }
        guard renameat(inbox.descriptor, name, folder.descriptor, name) == 0 else {
            let reason = errno
            work.removeFolder(folderName)
            return reason == ENOENT ? .gone : .failed(OutputError(path: inbox.display(name), reason: SystemCall.errorText(reason)))
        }
        folder.sync()
        inbox.sync()
        return .claimed(folder, folderName)
    }

    /// Examines the claimed `name` (opened without following a link and without waiting on a FIFO) and loads
    /// it: a regular file of one link is read through the descriptor opened here, anything else is refused
    /// unread as `not_a_regular_file`.
    private func loadClaimed(_ name: String, in claim: InboxFolder, folders: Folders) -> InboxFileResult {
        // Written under hidden names first: the final names need the upload id, known only after the load.
        let stagedReport = ".card-upload-\(getpid()).report.staged"
        let stagedRejects = ".card-upload-\(getpid()).rejects.staged"
        defer {
            unlinkat(folders.reports.descriptor, stagedReport, 0)
            unlinkat(folders.reports.descriptor, stagedRejects, 0)
        }
        var options = settings.loadOptions(
            for: name, report: folders.reports.reach(stagedReport), rejects: folders.reports.reach(stagedRejects))
        options.recordedName = folders.inbox.display(name)
        let descriptor = openat(claim.descriptor, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        let openError = errno
        let opened = descriptor >= 0 ? descriptor : nil
        defer { if let opened { SystemCall.close(opened) } }
        // The file is only ever read through the descriptor checked here, never opened again by its name.
        var readPath = claim.reach(name)
        if let opened {
            var info = stat()
            fstat(opened, &info)
            if let what = Self.notARegularFile(info) {
                options.refusal = Self.refusal(options.recordedName!, what, dryRun: settings.dryRun)
            } else {
                readPath = InboxFolder.reach(descriptor: opened) ?? readPath
                options.inputCheck = Self.changeCheck(opened, info)
            }
        } else if openError == ELOOP {
            // A symbolic link (O_NOFOLLOW): never followed, never read.
            options.refusal = Self.refusal(options.recordedName!, "a symbolic link", dryRun: settings.dryRun)
        } else if let info = claim.entry(name), let what = Self.notARegularFile(info) {
            options.refusal = Self.refusal(options.recordedName!, what, dryRun: settings.dryRun)
        } else {
            // A file that cannot be opened (no permission, a lease another process holds…) is not read at
            // all: it stays for the next run (66), and no upload is recorded.
            var upload = UploadResult(file: options.recordedName!)
            upload.failure = InputOpenError(path: options.recordedName!, message: SystemCall.errorText(openError))
            return InboxFileResult(name: name, upload: upload)
        }
        let upload = UploadJob(file: readPath, options: options, store: store, stop: stop).run()
        var file = InboxFileResult(name: name, upload: upload)
        let failure = upload.failure.map { FailureKind(of: $0) }
        file.stopsRun = upload.stopReason != nil || failure?.stopsRun == true
        // The report and rejects first, then the file: a crash in between leaves it to be loaded again.
        let uploadID = upload.uploadID ?? "\(Int(Date().timeIntervalSince1970))-\(getpid())"
        do {
            if folders.reports.entry(stagedReport) != nil {
                let placed = try InboxPlacement.move(
                    stagedReport, from: folders.reports, into: folders.reports,
                    as: InboxNames.reportName(for: name, dryRun: settings.dryRun), uploadID: uploadID)
                file.report = folders.reports.display(placed)
            }
            // The rejects of a load that ended (not one a failure cut short after its rows).
            if folders.reports.entry(stagedRejects) != nil, upload.failure == nil, upload.counts.rejected > 0 {
                let placed = try InboxPlacement.move(
                    stagedRejects, from: folders.reports, into: folders.reports,
                    as: InboxNames.rejectsName(for: name, dryRun: settings.dryRun), uploadID: uploadID)
                file.rejects = folders.reports.display(placed)
            }
        } catch {
            file.placementError = error
        }
        return file
    }

    /// Moves the loaded file: DONE once it was read to its end, FAILED after a file-level error, when it
    /// was refused unread, or when a Lead card file committed nothing; anything else (it changed while loaded, could not be loaded, its outputs could
    /// not be placed, the load was stopped) back to INBOX for the next run. A dry run moves nothing.
    private func place(_ file: inout InboxFileResult, from claim: InboxFolder, folders: Folders) {
        let upload = file.upload
        let uploadID = upload.uploadID ?? "\(Int(Date().timeIntervalSince1970))-\(getpid())"
        guard !settings.dryRun, let done = folders.done, let failed = folders.failed else { return }
        let readToItsEnd = upload.failure == nil && upload.stopReason == nil && upload.outputError == nil
        let changed = upload.fileError?.code == .fileChanged
        let destination: InboxFolder? = if file.placementError != nil || changed {
            nil
        } else if upload.fileError?.code == .notARegularFile {
            failed
        } else if readToItsEnd {
            // A Lead card file loads all or nothing (SPEC §9): one that committed nothing failed.
            upload.fileError == nil && !(upload.allOrNothingByDefault && !upload.committed) ? done : failed
        } else {
            upload.failure.map { FailureKind(of: $0) } == .badFile && upload.stopReason == nil ? failed : nil
        }
        do {
            if let destination {
                let placed = try InboxPlacement.move(file.name, from: claim, into: destination, as: file.name, uploadID: uploadID)
                file.movedTo = destination.display(placed)
                file.movedToFailed = destination === failed
                return
            }
            guard claim !== folders.inbox else {
                file.leftAt = folders.inbox.display(file.name)
                return
            }
            let placed = try InboxPlacement.move(file.name, from: claim, into: folders.inbox, as: file.name, uploadID: uploadID)
            file.leftAt = folders.inbox.display(placed)
        } catch {
            file.placementError = file.placementError ?? error
            file.leftAt = claim.display(file.name)
        }
    }

    /// What an entry is when it is not a regular file of one link; nil when it is one.
    private static func notARegularFile(_ info: stat) -> String? {
        switch info.st_mode & S_IFMT {
        case S_IFREG: info.st_nlink == 1 ? nil : "a file with \(info.st_nlink) hard links"
        case S_IFIFO: "a FIFO"
        case S_IFLNK: "a symbolic link"
        case S_IFSOCK: "a socket"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFDIR: "a folder"
        default: "not a regular file"
        }
    }

    private static func refusal(_ name: String, _ what: String, dryRun: Bool) -> FileError {
        FileError(
            code: .notARegularFile,
            message: "\(name) is \(what), not a regular file of its own: \(dryRun ? "a real run moves it" : "moved") to FAILED "
                + "unread; deliver the file itself")
    }

    /// Whether the claimed file changed (size or modification time) since it was examined: a writer that
    /// still held it open appended, truncated or rewrote it.
    private static func changeCheck(_ descriptor: Int32, _ examined: stat) -> @Sendable () -> FileError? {
        let size = examined.st_size
        let modified = SystemCall.modificationTime(examined)
        // The status-change time too: a writer can set the modification time back, never the ctime.
        let changed = SystemCall.statusChangeTime(examined)
        return {
            var now = stat()
            guard fstat(descriptor, &now) == 0 else { return nil }
            guard now.st_size != size || SystemCall.modificationTime(now) != modified
                || SystemCall.statusChangeTime(now) != changed else { return nil }
            return FileError(
                code: .fileChanged,
                message: "the file changed while it was loaded (\(size) bytes when claimed, \(now.st_size) now): a writer still had it open; "
                    + "it goes back to INBOX for the next run, whose committed rows come back replayed")
        }
    }
}
