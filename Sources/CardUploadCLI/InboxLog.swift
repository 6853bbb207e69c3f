import CardUploadLoad
import CardUploadStore
import CardUploadModel
import CardUploadReport
import Foundation

/// The cron log of a `process-dir` run on stderr: one line per file as it is filed, each with an RFC 3339
/// UTC timestamp, the file's name and what became of it.
final class InboxLog: InboxProgress {
    private let console: Console
    private let minimumAge: Double
    private let store: LoadStore
    private let quiet: Bool
    private var announcedStore = false

    init(console: Console, minimumAge: Double, store: LoadStore, quiet: Bool) {
        self.console = console
        self.minimumAge = minimumAge
        self.store = store
        self.quiet = quiet
    }

    func listed(_ listing: InboxListing) {
        for name in listing.unreadableNames {
            write(name, "skipped: the name is not valid UTF-8; rename it to load it")
        }
        for name in listing.folders {
            write(name, "skipped: a folder, not an upload")
        }
        for entry in listing.tooRecent {
            write(entry.name, "waiting: modified \(Self.seconds(entry.age)) s ago, --min-age \(Self.seconds(minimumAge))")
        }
    }

    func filed(_ file: InboxFileResult) {
        if store.created, !announcedStore {
            announcedStore = true
            if !quiet { write(nil, "created the card store \(TerminalText.safe(store.path))") }
        }
        if let upgrade = file.upload.storeUpgrade, !quiet { write(nil, TerminalText.safe(upgrade.text(store: store.path))) }
        var parts: [String] = []
        let upload = file.upload
        if let failure = upload.failure, upload.stopReason == nil, isStoreError(failure) {
            write(nil, "Error: \(TerminalText.safe(describeStoreError(failure, store: store.path))) (loading \(TerminalText.safe(file.name)))")
        }
        if let status = upload.status {
            parts.append("\(UploadSummary.outcome(upload, status: status)), \(UploadSummary.counts(upload))")
        }
        if let problem = UploadSummary.problem(upload) { parts.append(TerminalText.safe(problem)) }
        parts += upload.notes.map { "note: \($0)" }
        if let uploadID = upload.uploadID {
            parts.append(upload.status == nil ? "upload \(uploadID)"
                : UploadSummary.destination(upload, uploadID: uploadID, store: store.path))
        }
        if let report = file.report { parts.append("report \(TerminalText.safe(report))") }
        if let rejects = file.rejects { parts.append("rejects \(TerminalText.safe(rejects))") }
        if let error = file.placementError { parts.append("Error: \(TerminalText.safe(error.description))") }
        if let movedTo = file.movedTo {
            parts.append("moved to \(TerminalText.safe(movedTo))")
        } else if let leftAt = file.leftAt, leftAt != file.upload.file {
            parts.append("left for the next run as \(TerminalText.safe(leftAt))")
        } else {
            parts.append("left in INBOX")
        }
        parts.append("exit \(ExitCode.of(.inboxFile(file)).rawValue)")
        write(file.name, parts.joined(separator: "; "))
        if !quiet {
            for hint in upload.hints.texts { write(file.name, "hint: \(TerminalText.safe(hint))") }
        }
    }

    /// One line on stderr: an RFC 3339 UTC timestamp, the file's name (already safe text follows).
    func write(_ name: String?, _ text: String) {
        let prefix = name.map { TerminalText.safe($0) + ": " } ?? ""
        console.err("\(Timestamp.now()) \(prefix)\(text)\n")
    }

    private static func seconds(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.1f", value)
    }
}
