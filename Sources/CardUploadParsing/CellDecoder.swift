import CardUploadModel

/// Decodes a CSV file's cells in the encoding `--encoding` asks for, deciding it from the bytes for `auto`
/// (SPEC §10): UTF-8 until the first byte sequence that is not UTF-8 — Windows-1252 from there on when every
/// byte before it was ASCII (Excel's plain "CSV"), else the file is UTF-8 and the cell is invalid.
struct CellDecoder {
    /// The encoding cells are decoded in now (what the report's `encoding` says once the file is read).
    private(set) var encoding: TextEncoding
    /// `auto` while every byte so far was ASCII: the first non-ASCII cell decides.
    private(set) var undecided: Bool
    /// Where `auto` turned to Windows-1252: the line and the first byte that is not UTF-8.
    private(set) var switchedAt: (line: Int, byte: UInt8)?

    init(_ choice: EncodingChoice) {
        encoding = choice.initial
        undecided = choice == .auto
    }

    /// A UTF-8 byte order mark: the file is UTF-8 whatever `--encoding` says.
    mutating func sawByteOrderMark() {
        encoding = .utf8
        undecided = false
    }

    /// The cell as text, or nil when its bytes are not valid in the file's encoding.
    @inline(__always)
    mutating func decode(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> String? {
        // ASCII is the same text in both encodings, decided or not: the common cell needs no state.
        if TextDecoding.isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }
        return decodeNonASCII(bytes, line: line)
    }

    private mutating func decodeNonASCII(_ bytes: UnsafeBufferPointer<UInt8>, line: Int) -> String? {
        if !undecided { return TextDecoding.decode(bytes, as: encoding) }
        undecided = false
        guard let invalid = TextDecoding.firstInvalidUTF8Offset(bytes) else { return String(decoding: bytes, as: UTF8.self) }
        // Valid non-ASCII UTF-8 before the first invalid byte, in this same cell: the file is UTF-8, and this
        // cell is not (SPEC §10: only a file that was plain ASCII until then turns to Windows-1252).
        if !TextDecoding.isASCII(UnsafeBufferPointer(rebasing: bytes[..<invalid])) { return nil }
        encoding = .cp1252
        switchedAt = (line, bytes[invalid])
        return TextDecoding.decode(bytes, as: .cp1252)
    }

    /// The note that says where `auto` turned to Windows-1252, if it did.
    var hint: FileHint? {
        guard let switchedAt else { return nil }
        let byte = "0x" + String(switchedAt.byte, radix: 16, uppercase: true)
        return FileHint(
            .encoding,
            "the file is not UTF-8 from line \(switchedAt.line) on (byte \(byte)) and was plain ASCII before it: it was"
                + " read as Windows-1252 (cp1252), as Excel saves \"CSV\"; if it is meant to be UTF-8, give --encoding"
                + " utf-8 to reject such rows instead")
    }
}
