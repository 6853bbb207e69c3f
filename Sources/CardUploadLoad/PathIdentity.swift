import Foundation

/// Whether two paths name the same file, however they are spelled (`a.csv`, `./a.csv`, an absolute path,
/// a symbolic link): the same device and inode when both exist, else the same resolved path.
package enum PathIdentity {
    package static func same(_ first: String, _ second: String) -> Bool {
        var firstInfo = stat(), secondInfo = stat()
        if stat(first, &firstInfo) == 0, stat(second, &secondInfo) == 0 {
            return firstInfo.st_dev == secondInfo.st_dev && firstInfo.st_ino == secondInfo.st_ino
        }
        return resolved(first) == resolved(second)
    }

    private static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
