/// File names the tool derives (a report beside its upload, a temporary file beside its output) kept within
/// the 255 bytes (UTF-8) a name may have: the stem is cut, on a character boundary, and the suffix kept
/// (SPEC §1: a file is never left to be loaded again only because a name derived from it is too long).
package enum FileNameFit {
    /// The longest name a file may have on the file systems the tool writes to, in UTF-8 bytes.
    package static let maximumBytes = 255

    /// `stem` + `suffix`, the stem cut so the whole is at most `maximumBytes` bytes.
    package static func fitted(stem: some Collection<UInt8>, suffix: String) -> String {
        let stem = Array(stem)
        var length = min(stem.count, max(0, maximumBytes - suffix.utf8.count))
        // Never end inside a character: back up over the continuation bytes (10xxxxxx) of a cut one.
        while length > 0, length < stem.count, stem[length] & 0xC0 == 0x80 { length -= 1 }
        return String(decoding: stem.prefix(length), as: UTF8.self) + suffix
    }
}
