import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation

/// One `process-dir` run: the folders made ready, the INBOX lock taken, each waiting file loaded in name
/// order and filed, one timestamped line per file on stderr (the cron log).
struct ProcessDirRun {
    let settings: ProcessDirSettings
    let console: Console
    /// A dry run's one transaction over every file of the run (later files see earlier ones), rolled back.
    private let dryRunStore: DryRunStore?

    init(settings: ProcessDirSettings, console: Console) {
        self.settings = settings
        self.console = console
        dryRunStore = settings.dryRun ? DryRunStore(path: settings.databasePath) : nil
    }

    /// What became of one file.
    private struct FileResult {
        var code: ExitCode
        /// Whether the run must stop here (74, 75, 70, a stop signal).
        var stopsRun: Bool
        var moved: Bool
    }

    func run() throws(InboxError) -> ExitCode {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.inbox, isDirectory: &isDirectory) else {
            throw InboxError(code: .noInput, message: "INBOX not found: \(settings.inbox)")
        }
        guard isDirectory.boolValue else { throw InboxError(code: .noInput, message: "INBOX is not a folder: \(settings.inbox)") }
        // A dry run moves nothing: only its reports need a folder.
        for folder in settings.dryRun ? [settings.reports] : [settings.done, settings.failed, settings.reports] {
            try makeFolder(folder)
        }
        let lock = try InboxLock(inbox: settings.inbox)
        defer { withExtendedLifetime(lock) {} }
        defer { dryRunStore?.discard() }
        StopSignal.install()

        let listing = try InboxListing(directory: settings.inbox, minimumAge: settings.minimumAge)
        for name in listing.unreadableNames {
            log(name, "skipped: the name is not valid UTF-8; rename it to load it")
        }
        for entry in listing.tooRecent {
            log(entry.name, "waiting: modified \(Self.seconds(entry.age)) s ago, --min-age \(Self.seconds(settings.minimumAge))")
        }
        var exit = ExitCode.success
        var done = 0, failed = 0, left = 0
        for (index, name) in listing.ready.enumerated() {
            if StopSignal.isRequested {
                exit = exit.combined(with: StopSignal.Stopped(signal: StopSignal.received).exitCode)
                left += listing.ready.count - index
                break
            }
            let result = load(name)
            exit = exit.combined(with: result.code)
            if result.moved {
                if result.code == .dataError { failed += 1 } else { done += 1 }
            } else {
                left += 1
            }
            if result.stopsRun {
                let remaining = listing.ready.count - index - 1
                left += remaining
                if remaining > 0 {
                    log(nil, "stopped after \(TerminalText.safe(name)) (exit \(result.code.rawValue)): \(remaining) file\(remaining == 1 ? "" : "s") left in INBOX for the next run")
                }
                break
            }
        }
        if !settings.load.quiet {
            log(nil, "\(listing.ready.count) file\(listing.ready.count == 1 ? "" : "s"): \(done) done, \(failed) failed, "
                + "\(left) left in INBOX, \(listing.tooRecent.count) waiting — exit \(exit.rawValue)")
        }
        return exit
    }

    /// Loads INBOX/`name`, writes its report (and rejects) to REPORTS, moves it, and logs one line.
    private func load(_ name: String) -> FileResult {
        let path = settings.inbox + "/" + name
        // Written under hidden names first: the final names need the upload id, known only after the load.
        let stagedReport = settings.reports + "/.card-upload-\(getpid()).report.staged"
        let stagedRejects = settings.reports + "/.card-upload-\(getpid()).rejects.staged"
        defer {
            unlink(stagedReport)
            unlink(stagedRejects)
        }
        let errors = CapturedText()
        let runnerConsole = Console(out: console.out, err: { errors.append($0) })
        let runner = UploadRunner(
            file: path, databasePath: settings.databasePath,
            options: settings.loadOptions(for: name, report: stagedReport, rejects: stagedRejects), console: runnerConsole)
        if let dryRunStore {
            do {
                runner.dryRunDatabase = try dryRunStore.database()
            } catch {
                let code = CardUploadCLI.exitCode(for: error)
                log(name, "Error: \(TerminalText.safe(CardUploadCLI.describe(error))); left in INBOX; exit \(code.rawValue)")
                return FileResult(code: code, stopsRun: true, moved: false)
            }
        }
        var code = runner.run()
        let stopsRun = [.ioError, .temporaryFailure, .software, .interrupted, .terminated].contains(code)

        var parts: [String] = []
        // What the runner finished with (a dry run records nothing in the store to read back).
        let upload = runner.outcome
        if let upload {
            let counts = upload.counts
            parts.append("\(upload.status), \(counts.rows) rows: \(counts.created) created, \(counts.replayed) replayed, "
                + "\(counts.updated) updated, \(counts.rejected) rejected")
        }
        if let message = errors.firstMessage(droppingPrefix: TerminalText.safe(path) + ": ") {
            parts.append(message)
        }
        if let uploadID = runner.uploadID { parts.append("upload \(uploadID)") }

        // The report and rejects first, then the file: a crash in between leaves it in INBOX, loaded again.
        let uploadID = runner.uploadID ?? "\(Int(Date().timeIntervalSince1970))-\(getpid())"
        do {
            if FileManager.default.fileExists(atPath: stagedReport) {
                let report = try InboxPlacement.move(
                    stagedReport, into: settings.reports, as: InboxNames.reportName(for: name, dryRun: settings.dryRun),
                    uploadID: uploadID)
                parts.append("report \(TerminalText.safe(report))")
            }
            if FileManager.default.fileExists(atPath: stagedRejects), (upload?.counts.rejected ?? 0) > 0 {
                let rejects = try InboxPlacement.move(
                    stagedRejects, into: settings.reports, as: InboxNames.rejectsName(for: name, dryRun: settings.dryRun), uploadID: uploadID)
                parts.append("rejects \(TerminalText.safe(rejects))")
            }
        } catch {
            code = code.combined(with: .cannotCreateOutput)
            parts.append("Error: \(TerminalText.safe(error.description))")
        }

        var moved = false
        let destination: String? = switch code {
        case .success, .rowsRejected: settings.done
        case .dataError: settings.failed
        default: nil
        }
        if let destination, !settings.dryRun {
            do {
                let target = try InboxPlacement.move(path, into: destination, as: name, uploadID: uploadID)
                parts.append("moved to \(TerminalText.safe(target))")
                moved = true
            } catch {
                code = code.combined(with: .cannotCreateOutput)
                parts.append("Error: \(TerminalText.safe(error.description))")
            }
        }
        if !moved { parts.append("left in INBOX") }
        parts.append("exit \(code.rawValue)")
        log(name, parts.joined(separator: "; "))
        return FileResult(code: code, stopsRun: stopsRun, moved: moved)
    }

    /// Creates a missing DONE, FAILED or REPORTS folder (owner-only: reports and rejects hold card data).
    private func makeFolder(_ path: String) throws(InboxError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InboxError(code: .cannotCreateOutput, message: "\(path) is not a folder") }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw InboxError(code: .cannotCreateOutput, message: "cannot create the folder \(path): \(error.localizedDescription)")
        }
    }

    /// One line on stderr: an RFC 3339 UTC timestamp, the file's name (already safe text follows).
    private func log(_ name: String?, _ text: String) {
        let prefix = name.map { TerminalText.safe($0) + ": " } ?? ""
        console.err("\(Timestamp.now()) \(prefix)\(text)\n")
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// What the runner printed on stderr for one file, kept to be folded into that file's one log line.
private final class CapturedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    func append(_ more: String) {
        lock.lock()
        text += more
        lock.unlock()
    }

    /// The first line printed, without the file's name and `Error: ` in front (the log line names the file).
    func firstMessage(droppingPrefix prefix: String) -> String? {
        lock.lock()
        defer { lock.unlock() }
        guard var line = text.split(separator: "\n").first.map(String.init) else { return nil }
        if line.hasPrefix(prefix) { line.removeFirst(prefix.count) }
        for marker in ["Error: ", "failed: "] where line.hasPrefix(marker) { line.removeFirst(marker.count) }
        return line
    }
}
