import CardUploadModel
import Foundation

/// The uploads waiting in INBOX, read once at the start of a `process-dir` run through INBOX's descriptor:
/// upload names only (`InboxNames.skip`), in bytewise name order, those modified too recently set aside.
/// Nothing is followed or opened here: an entry with an upload name that is not a folder is listed whatever
/// it is (a link, a FIFO…), to be claimed and refused as `not_a_regular_file`.
package struct InboxListing {
    /// Upload names ready to load, in bytewise name order.
    package var ready: [String] = []
    /// Upload files modified less than `--min-age` seconds ago, with their age in seconds.
    package var tooRecent: [(name: String, age: Double)] = []
    /// Names that cannot be passed on as a path (not UTF-8): listed so they are not skipped silently.
    package var unreadableNames: [String] = []
    /// Folders with an upload name: left where they are, listed so they are not skipped silently.
    package var folders: [String] = []

    init(_ inbox: InboxFolder, minimumAge: Double, now: Date = Date()) throws(InboxError) {
        var names: [String] = []
        for raw in try inbox.names() {
            guard let name = String(validating: raw, as: UTF8.self) else {
                if raw.first != UInt8(ascii: ".") {
                    unreadableNames.append(String(decoding: raw, as: UTF8.self))
                }
                continue
            }
            guard InboxNames.skip(name) == nil, let info = inbox.entry(name) else { continue }
            if info.st_mode & S_IFMT == S_IFDIR {
                folders.append(name)
                continue
            }
            if minimumAge > 0 {
                let age = now.timeIntervalSince1970 - SystemCall.modificationTime(info)
                if age < minimumAge {
                    tooRecent.append((name, age))
                    continue
                }
            }
            names.append(name)
        }
        ready = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        tooRecent.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        folders.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// A folder-level failure of `process-dir`: what kind it is and what to print.
package struct InboxError: Error, CustomStringConvertible {
    package var kind: FailureKind
    package var message: String
    package var description: String { message }
}
