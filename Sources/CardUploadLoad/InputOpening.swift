import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport

/// Something that yields upload records one by one (the CSV/TSV and JSON-lines readers).
package protocol RecordReader: AnyObject {
    func next() throws(FileError) -> RawRecord?
    /// Whether each record keeps what a rejects file needs to write it back (its cells or its text).
    var keepsSource: Bool { get set }
    /// The delimiter in use, once the header is read; nil for JSON lines.
    var delimiterInUse: UInt8? { get }
    /// How a rejects file writes this input's rows back.
    var rejectsForm: RejectsWriter.Form { get }
    /// The encoding the input was read in so far (JSON lines: always UTF-8).
    var encodingInUse: TextEncoding { get }
    /// What the reader found that the person fixing the file should be told (SPEC §10).
    var hints: [FileHint] { get }
}

extension CSVRecordReader: RecordReader {
    package var keepsSource: Bool {
        get { keepsCells }
        set { keepsCells = newValue }
    }
    package var delimiterInUse: UInt8? { delimiter }
    package var rejectsForm: RejectsWriter.Form { .csv(columns: columns, delimiter: delimiter) }
}

extension JSONLinesRecordReader: RecordReader {
    package var keepsSource: Bool {
        get { keepsSourceText }
        set { keepsSourceText = newValue }
    }
    package var delimiterInUse: UInt8? { nil }
    package var rejectsForm: RejectsWriter.Form { .jsonLines }
    package var encodingInUse: TextEncoding { .utf8 }
    package var hints: [FileHint] { [] }
}

/// A use case's options contradict the input itself (`--encoding` for a JSON-lines file): a usage error
/// the CLI reports with the command's usage line.
package struct OptionConflictError: Error, Sendable {
    package var message: String
}

/// One input as load and reconcile open it (the one path both take): the bytes opened, the first chunk
/// read until it decides the format, the format chosen (`--format`, else the name, else the first bytes),
/// and the reader built by the file's kind.
package final class OpenedInput {
    /// The path as given (`-` for standard input).
    package let path: String
    package let source: ByteSource
    private let settings: InputSettings
    private var firstChunk: [UInt8]?
    private var firstError: FileError?
    /// `--max-bytes`: the decoded bytes the reader may be handed.
    package var maxBytes: Int?
    /// The input's format, once `detectFormat` has run.
    package private(set) var format = InputFormat.csv
    /// The kind of card file, once `detectFormat` has run: Lead's when `--format lead-card` says so or the
    /// header line holds `client_card_id` (SPEC §9).
    package private(set) var kind = CardFileKind.native

    /// Opens `path`; a read that waits stops when `stop` is requested.
    package init(path: String, settings: InputSettings, stop: StopToken) throws(InputOpenError) {
        self.path = path
        self.settings = settings
        source = try ByteSource.open(path: path)
        source.stopRequested = { stop.isRequested }
    }

    /// Reads the first bytes and decides the format. An error reading them is kept for `reader` (the upload
    /// is recorded first); `--encoding` given for a JSON-lines input is an `OptionConflictError`.
    package func detectFormat() throws(OptionConflictError) {
        do {
            firstChunk = try source.nextChunk()
            // A pipe may hand out blank lines or half a BOM first: read on until a byte decides the format.
            while let prefix = firstChunk, prefix.count < 1 << 16, Self.isUndecided(prefix), let more = try source.nextChunk() {
                firstChunk = prefix + more
            }
            format = settings.format ?? FormatDetection.format(forFileName: path) ?? FormatDetection.sniff(firstChunk ?? [])
            // The header line decides the kind: read on until it is whole (as far as a header may be long).
            while format != .jsonl, let prefix = firstChunk, prefix.count <= CSVRecordReader.maxRecordBytes,
                  !prefix.contains(0x0A), !prefix.contains(0x0D), let more = try source.nextChunk() {
                firstChunk = prefix + more
            }
        } catch {
            firstError = error.placed(atLine: 1)
        }
        format = settings.format ?? FormatDetection.format(forFileName: path) ?? FormatDetection.sniff(firstChunk ?? [])
        let leadHeader = format != .jsonl && CSVHeader.isLead(headerLine: Self.firstLine(of: firstChunk ?? []))
        kind = settings.leadCard || leadHeader ? .lead : .native
        if format == .jsonl, settings.encodingGiven {
            throw OptionConflictError(message: "--encoding applies to CSV and TSV only; \(path) is JSON lines")
        }
    }

    /// The delimiter the first bytes suggest, before the header is read (nil for JSON lines).
    package var provisionalDelimiter: UInt8? {
        switch format {
        case .jsonl: return nil
        case .tsv: return settings.delimiter ?? 0x09
        case .csv:
            if let given = settings.delimiter { return given }
            var sniffer = CSVDelimiterSniffer()
            sniffer.feed(firstChunk ?? [])
            return sniffer.delimiter
        }
    }

    /// The rows the input holds, estimated from its first bytes once `detectFormat` has read them: the file's
    /// size (as stored) times the lines of those bytes per byte of the file behind them (for gzip, the compressed
    /// bytes they came from); lines end at LF, or at CR in a file without LF. Nil when the size is unknown (a
    /// pipe) or the first bytes hold fewer than two lines; at most a trillion (a crafted gzip file of nothing but
    /// line ends). It sizes the load's memory (`PageCache.sizeForLoad`): a file whose quoted fields hold line
    /// breaks comes out larger than it is, which leaves a smaller cache, never a bigger one.
    package var estimatedRows: Int64? {
        guard let size = source.size, let first = firstChunk, source.fileOffset > 0 else { return nil }
        var lines = 0
        for byte in first where byte == 0x0A { lines += 1 }
        if lines == 0 { for byte in first where byte == 0x0D { lines += 1 } }
        guard lines >= 2 else { return nil }
        let rows = (Double(size) * Double(lines) / Double(source.fileOffset)).rounded(.up)
        return rows < 1e12 ? Int64(rows) : 1_000_000_000_000
    }

    /// The encoding the input is read in until its bytes say otherwise (`auto`, a byte order mark).
    package var encoding: TextEncoding { format == .jsonl ? .utf8 : settings.encoding.initial }

    /// The reader `kind` opens over the input (reading the CSV header); the error reading the first bytes,
    /// if there was one, is thrown here.
    package func reader(kind: CardFileKind) throws(FileError) -> any RecordReader {
        if let firstError { throw firstError }
        if let workbook = Self.workbookError(firstChunk ?? []) { throw workbook }
        var chunks: any ChunkSource = PrefixedChunkSource(first: firstChunk, rest: source)
        if let maxBytes { chunks = LimitedChunkSource(chunks, maxBytes: maxBytes) }
        firstChunk = nil
        return try kind.openReader(format, chunks, settings)
    }

    /// `not_a_text_file` when `bytes` begin as a ZIP (`.xlsx`) or OLE (`.xls`) container does: a workbook
    /// given where its CSV was meant (SPEC §10).
    static func workbookError(_ bytes: [UInt8]) -> FileError? {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        let kind = bytes.starts(with: zip) ? "a ZIP container (an .xlsx workbook)"
            : bytes.starts(with: ole) ? "an OLE container (an .xls workbook)" : nil
        guard let kind else { return nil }
        return FileError(
            code: .notATextFile,
            message: "the file is not text: it starts as \(kind) does; this is an Excel workbook: save it as CSV",
            line: nil, offset: 0,
            hints: [FileHint(.workbook, "this is an Excel workbook: save it as CSV (File > Save As > CSV UTF-8) and load the CSV")])
    }

    /// The first non-blank line of `bytes` (a BOM skipped).
    static func firstLine(of bytes: [UInt8]) -> ArraySlice<UInt8> {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        body = body.drop { $0 == 0x0A || $0 == 0x0D }
        return body.prefix { $0 != 0x0A && $0 != 0x0D }
    }

    /// True while `prefix` holds nothing but (part of) a BOM and blanks, so it cannot tell JSON lines from CSV.
    static func isUndecided(_ prefix: [UInt8]) -> Bool {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if prefix.count < 3, byteOrderMark.starts(with: prefix) { return true }
        let body = prefix.starts(with: byteOrderMark) ? prefix.dropFirst(3) : prefix[...]
        return body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }
}

/// A chunk source that ends with `file_too_large` once it has handed out more than `maxBytes` decoded bytes.
final class LimitedChunkSource: ChunkSource {
    private let source: any ChunkSource
    private let maxBytes: Int
    private var handed = 0
    private var exceeded = false

    init(_ source: any ChunkSource, maxBytes: Int) {
        self.source = source
        self.maxBytes = maxBytes
    }

    /// Hands out the bytes up to the limit (the records wholly inside it are read), then the error; a file
    /// of exactly `maxBytes` bytes is read whole.
    func nextChunk() throws(FileError) -> [UInt8]? {
        if exceeded { throw tooLarge }
        guard let chunk = try source.nextChunk() else { return nil }
        let allowed = maxBytes - handed
        if chunk.count <= allowed {
            handed += chunk.count
            return chunk
        }
        exceeded = true
        handed = maxBytes
        guard allowed > 0 else { throw tooLarge }
        return Array(chunk.prefix(allowed))
    }

    private var tooLarge: FileError {
        FileError(
            code: .fileTooLarge,
            message: "more than --max-bytes \(maxBytes) bytes (decompressed): stopped here, the rows before were loaded; raise --max-bytes or split the file")
    }
}

/// A chunk source that hands out an already-read first chunk, then the rest of the input.
final class PrefixedChunkSource: ChunkSource {
    private var first: [UInt8]?
    private let rest: any ChunkSource

    init(first: [UInt8]?, rest: any ChunkSource) {
        self.first = first
        self.rest = rest
    }

    func nextChunk() throws(FileError) -> [UInt8]? {
        if let chunk = first {
            first = nil
            return chunk
        }
        return try rest.nextChunk()
    }
}
