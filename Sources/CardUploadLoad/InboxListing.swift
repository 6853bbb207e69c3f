import CardUploadModel
import Foundation

/// The uploads waiting in INBOX, read once at the start of a `process-dir` run: upload names only
/// (`InboxNames.skip`), in bytewise name order, those modified too recently set aside.
package struct InboxListing {
    /// Upload files ready to load, in bytewise name order.
    package var ready: [String] = []
    /// Upload files modified less than `--min-age` seconds ago, with their age in seconds.
    package var tooRecent: [(name: String, age: Double)] = []
    /// Names that cannot be passed on as a path (not UTF-8): listed so they are not skipped silently.
    package var unreadableNames: [String] = []

    /// Lists `directory`. A name that cannot be examined (a dangling symbolic link) is kept: loading it
    /// fails with exit 66 and it stays in INBOX, reported, rather than being passed over in silence.
    init(directory: String, minimumAge: Double, now: Date = Date()) throws(InboxError) {
        guard let stream = opendir(directory) else {
            throw InboxError(kind: .inputUnavailable, message: "cannot read \(directory): \(SystemCall.errorText())")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let raw = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                Array(buffer.prefix { $0 != 0 })
            }
            guard let name = String(validating: raw, as: UTF8.self) else {
                if raw.first != UInt8(ascii: ".") {
                    unreadableNames.append(String(decoding: raw, as: UTF8.self))
                }
                continue
            }
            guard InboxNames.skip(name) == nil else { continue }
            var info = stat()
            if stat(directory + "/" + name, &info) == 0 {
                // Folders and devices are not uploads, whatever they are called.
                guard (info.st_mode & S_IFMT) == S_IFREG else { continue }
                if minimumAge > 0 {
                    let modified = SystemCall.modificationTime(info)
                    let age = now.timeIntervalSince1970 - modified
                    if age < minimumAge {
                        tooRecent.append((name, age))
                        continue
                    }
                }
            }
            names.append(name)
        }
        ready = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        tooRecent.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }
}

/// A folder-level failure of `process-dir`: the exit code and what to print.
package struct InboxError: Error, CustomStringConvertible {
    package var kind: FailureKind
    package var message: String
    package var description: String { message }
}
