import CardUploadModel
import Foundation

/// The temporary files the tool writes beside its outputs, and their removal once the run that made them is
/// gone (SPEC §6: "a temporary file that a killed run left behind (its process gone) is removed by the next
/// run that writes to that folder") — they may hold card data.
///
/// Every such name is hidden and carries the pid of the process that made it:
/// - `.<name>.<pid>.tmp` or `.<name>.<pid>-<random>.tmp`: an output being written (`OutputFile`);
/// - `.card-upload-<pid>.report.staged` and `.card-upload-<pid>.rejects.staged`: `process-dir`'s outputs
///   before they get their final names;
/// - `.<name>.<pid>.part`: a file being copied into DONE or FAILED across file systems.
///
/// One is removed only when all of these hold: it is a regular file with one link, owned by the user this
/// process runs as; its pid is not this process and names no running process (`kill(pid, 0)` fails with
/// ESRCH); and no open file holds a lock on it (an output holds one while it is written, which also covers a
/// writer in another pid namespace sharing the folder).
package enum LeftoverFiles {
    /// The name of this process's temporary file for `name`: `.<name>.<pid>.tmp` (an output), with `-<random>`
    /// after the pid when given, or `.<name>.<pid>.part` (a copy, `ending: ".part"`); `name` cut so the whole
    /// stays within 255 bytes.
    package static func temporaryName(for name: String, random: UInt32? = nil, ending: String = ".tmp") -> String {
        FileNameFit.fitted(stem: Array(("." + name).utf8), suffix: ".\(getpid())" + (random.map { "-\($0)" } ?? "") + ending)
    }

    /// Removes the leftovers in `directory` (the current folder for "") the first time this process asks
    /// for that folder: a run writes several outputs to one folder, and one look is enough.
    package static func removeOnce(in directory: String) {
        guard visited.firstVisit(directory.isEmpty ? "." : directory) else { return }
        remove(in: directory)
    }

    /// Removes the leftovers in `directory` now; the names removed, for the tests and the curious.
    @discardableResult
    package static func remove(in directory: String) -> [String] {
        let folder = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { return [] }
        defer { close(folder) }
        var removed: [String] = []
        for name in names(in: folder) {
            guard let pid = pid(inName: name), pid != getpid(), isGone(pid) else { continue }
            if removeIfUnheld(name, in: folder) { removed.append(String(decoding: name, as: UTF8.self)) }
        }
        return removed
    }

    /// The pid a temporary name of ours carries, nil for any other name.
    package static func pid(inName name: [UInt8]) -> pid_t? {
        guard name.first == UInt8(ascii: ".") else { return nil }
        for suffix in [".report.staged", ".rejects.staged"] where name.ends(with: suffix) {
            let stem = name.dropLast(suffix.utf8.count)
            let prefix = ".card-upload-".utf8
            guard stem.starts(with: prefix) else { return nil }
            return number(stem.dropFirst(prefix.count))
        }
        for suffix in [".tmp", ".part"] where name.ends(with: suffix) {
            let stem = name.dropLast(suffix.utf8.count)
            // `.<name>.<pid>`: a name of at least one byte, then the pid (`-<random>` after it for `.tmp`).
            guard let dot = stem.lastIndex(of: UInt8(ascii: ".")), dot > stem.startIndex + 1 else { return nil }
            var last = stem[(dot + 1)...]
            if suffix == ".tmp", let dash = last.firstIndex(of: UInt8(ascii: "-")) {
                let random = last[(dash + 1)...]
                guard !random.isEmpty, random.allSatisfy(isDigit) else { return nil }
                last = last[..<dash]
            }
            return number(last)
        }
        return nil
    }

    /// A positive decimal number of at most ten digits that fits a pid, else nil (never 0 or negative:
    /// `kill` would signal a process group).
    private static func number(_ digits: ArraySlice<UInt8>) -> pid_t? {
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy(isDigit) else { return nil }
        guard let value = pid_t(String(decoding: digits, as: UTF8.self)), value > 0 else { return nil }
        return value
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Whether no process has `pid` (another user's process counts as running: EPERM).
    private static func isGone(_ pid: pid_t) -> Bool {
        kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Removes `name` from `folder` when it is our own regular file with one link that no open file holds a
    /// lock on; true when it was removed.
    private static func removeIfUnheld(_ name: [UInt8], in folder: Int32) -> Bool {
        let path = name.map { CChar(bitPattern: $0) } + [0]
        let file = openat(folder, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else { return false }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1, info.st_uid == geteuid() else {
            return false
        }
        guard SystemCall.flockRetrying(file, LOCK_EX | LOCK_NB) == nil else { return false }
        // Still the same file under that name (not swapped since it was opened)?
        var named = stat()
        guard fstatat(folder, path, &named, AT_SYMLINK_NOFOLLOW) == 0, named.st_dev == info.st_dev, named.st_ino == info.st_ino else {
            return false
        }
        return unlinkat(folder, path, 0) == 0
    }

    /// The names in the open folder `folder`, as bytes.
    private static func names(in folder: Int32) -> [[UInt8]] {
        let copy = dup(folder)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            return []
        }
        defer { closedir(stream) }
        var names: [[UInt8]] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name.first == UInt8(ascii: ".") { names.append(name) }
        }
        return names
    }

    /// The folders this process has looked at already.
    private static let visited = VisitedFolders()

    private final class VisitedFolders: @unchecked Sendable {
        private let lock = NSLock()
        private var folders: Set<String> = []

        func firstVisit(_ folder: String) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return folders.insert(folder).inserted
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: String) -> Bool {
        count > suffix.utf8.count && suffix.utf8.elementsEqual(self[(count - suffix.utf8.count)...])
    }
}
