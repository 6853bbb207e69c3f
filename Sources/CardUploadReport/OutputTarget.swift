import CardUploadModel
import Foundation

/// Where an output path leads, decided before anything is written: never through a symbolic link to
/// somewhere outside the output's folder (a link planted in a reports folder must not make a run
/// overwrite a file elsewhere).
///
/// - `-` is standard output.
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` name this process's own
///   descriptors: written through a copy of the descriptor, whatever it is open on (a terminal, a pipe,
///   a socket, a regular file).
/// - A symbolic link is followed only while it stays inside the output's folder (the folder itself or
///   below it, compared after resolving every link); the file it leads to is then the output. A link
///   that leads outside, or a loop of links, is refused.
/// - An existing file that is not a regular file (a FIFO, `/dev/full`) is written directly; a regular
///   file or a new name is written through a temporary file renamed into place.
package enum OutputTarget: Equatable {
    case standardOutput
    /// One of this process's descriptors, by number.
    case descriptor(Int32)
    /// An existing file that is not a regular file.
    case special(path: String)
    /// A regular file or a name that does not exist yet.
    case file(path: String)

    /// The most links followed before the path counts as a loop (the kernel's own limit is 40).
    private static let maximumLinks = 40

    package static func resolve(_ path: String) throws(OutputError) -> OutputTarget {
        if path == "-" { return .standardOutput }
        if let descriptor = ownDescriptor(path) ?? ownDescriptorBehindDeviceLink(path) {
            return .descriptor(descriptor)
        }
        var current = path
        for followed in 0...maximumLinks {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                guard errno == ENOENT else { throw OutputError(path: path, reason: SystemCall.errorText(errno)) }
                // A name that does not exist yet: created where the path (or the links so far) lead.
                if followed > 0 { return .file(path: try checkedInsideFolder(of: path, target: current)) }
                return .file(path: path)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                current = try linkTarget(current, for: path)
            case S_IFREG:
                return .file(path: followed > 0 ? try checkedInsideFolder(of: path, target: current) : path)
            default:
                return .special(path: followed > 0 ? try checkedInsideFolder(of: path, target: current) : path)
            }
        }
        throw OutputError(path: path, reason: SystemCall.errorText(ELOOP))
    }

    /// The descriptor `path` names when its folder is this process's descriptor folder (`/dev/fd/N`,
    /// `/proc/self/fd/N`, `/proc/<pid>/fd/N`).
    private static func ownDescriptor(_ path: String) -> Int32? {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty, let resolvedFolder = realPath(folder), resolvedFolder == "/proc/\(getpid())/fd" else {
            return nil
        }
        return Int32((path as NSString).lastPathComponent)
    }

    /// `/dev/stdout` and `/dev/stderr` (links in `/dev` to `/proc/self/fd/N`): the descriptor they name.
    private static func ownDescriptorBehindDeviceLink(_ path: String) -> Int32? {
        let folder = (path as NSString).deletingLastPathComponent
        guard !folder.isEmpty, realPath(folder) == "/dev", let text = readLink(path), text.hasPrefix("/") else { return nil }
        return ownDescriptor(text)
    }

    /// Where the link `link` points, as a path (relative targets taken from the link's folder).
    private static func linkTarget(_ link: String, for path: String) throws(OutputError) -> String {
        guard let text = readLink(link) else { throw OutputError(path: path, reason: SystemCall.errorText(errno)) }
        if text.hasPrefix("/") { return text }
        let folder = (link as NSString).deletingLastPathComponent
        return (folder.isEmpty ? "" : folder + "/") + text
    }

    /// `target` with every link resolved, when it lies inside the folder of `path`; else the refusal.
    private static func checkedInsideFolder(of path: String, target: String) throws(OutputError) -> String {
        let folderPath = (path as NSString).deletingLastPathComponent
        guard let folder = realPath(folderPath.isEmpty ? "." : folderPath) else {
            throw OutputError(path: path, reason: SystemCall.errorText(errno))
        }
        // The target may not exist yet: resolve its folder and keep its name.
        let resolved: String
        if let whole = realPath(target) {
            resolved = whole
        } else {
            let targetFolder = (target as NSString).deletingLastPathComponent
            guard let parent = realPath(targetFolder.isEmpty ? "." : targetFolder) else {
                throw OutputError(path: path, reason: SystemCall.errorText(errno))
            }
            resolved = (parent == "/" ? "" : parent) + "/" + (target as NSString).lastPathComponent
        }
        let prefix = folder == "/" ? "/" : folder + "/"
        guard resolved.hasPrefix(prefix) else {
            throw OutputError(
                path: path,
                reason: "it is a symbolic link to \(resolved), outside its folder \(folder); "
                    + "an output is never written through such a link (remove the link or choose another path)")
        }
        return resolved
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
