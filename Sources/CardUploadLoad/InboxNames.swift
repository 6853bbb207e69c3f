import CardUploadModel
import CardUploadReport

/// The names `process-dir` reads and writes in its folders (SPEC §1, process-dir): which files in INBOX
/// are uploads, what their reports are called, and the name a file takes when its own is already used.
enum InboxNames {
    /// The upload suffixes, each optionally followed by `.gz`; compared without regard to ASCII case,
    /// as `process` reads a name's format.
    private static let uploadExtensions: [(suffix: String, format: InputFormat)] = [
        (".csv", .csv), (".tsv", .tsv), (".jsonl", .jsonl),
    ]

    /// Suffixes of the files `process-dir` writes, longest first so `.rejects.csv` wins over `.csv`.
    private static let writtenSuffixes = [
        ".dry-run.report.json", ".report.json", ".dry-run.rejects.jsonl", ".dry-run.rejects.csv", ".dry-run.rejects.tsv",
        ".rejects.jsonl", ".rejects.csv", ".rejects.tsv",
    ]

    /// Why a name in INBOX is not loaded, nil when it is an upload to load.
    enum Skip: Equatable {
        /// Starts with `.` (hidden, the lock file, another tool's work in progress).
        case hidden
        /// Ends in `.part` or `.tmp`: a file still being written.
        case partial
        /// Not `*.csv|*.tsv|*.jsonl`, optionally `.gz`.
        case notAnUpload
    }

    /// Whether `name` is an upload `process-dir` loads, and if not, why.
    static func skip(_ name: String) -> Skip? {
        // By its first byte: `hasPrefix` compares characters, and `.` with a combining mark is another one.
        if name.utf8.first == UInt8(ascii: ".") { return .hidden }
        if endsWith(Array(name.utf8), ".part") || endsWith(Array(name.utf8), ".tmp") { return .partial }
        return uploadSuffix(of: name) == nil ? .notAnUpload : nil
    }

    /// The format the name of an upload implies (`a.csv.gz` → csv), nil for other names.
    static func format(of name: String) -> InputFormat? {
        uploadSuffix(of: name)?.format
    }

    /// The upload suffix `name` ends with (`.csv`, `.tsv.gz`…, in the name's own case) and its format.
    private static func uploadSuffix(of name: String) -> (suffix: String, format: InputFormat)? {
        uploadSuffix(of: Array(name.utf8))
    }

    private static func uploadSuffix(of bytes: [UInt8]) -> (suffix: String, format: InputFormat)? {
        for compressed in [true, false] {
            for entry in uploadExtensions {
                let suffix = entry.suffix + (compressed ? ".gz" : "")
                // A name that is only the suffix (`.csv`) has no stem; it is hidden anyway.
                if bytes.count > suffix.utf8.count, endsWith(bytes, suffix) {
                    return (String(decoding: bytes.suffix(suffix.utf8.count), as: UTF8.self), entry.format)
                }
            }
        }
        return nil
    }

    /// The report of upload file `name`: `<name>.report.json`, or `<name>.dry-run.report.json` for a dry run.
    static func reportName(for name: String, dryRun: Bool) -> String {
        appending(dryRun ? ".dry-run.report.json" : ".report.json", to: name)
    }

    /// The rejects file of upload file `name`, in the input's own form, uncompressed: `a.tsv.gz` → `a.tsv.gz.rejects.tsv`
    /// (`a.tsv.gz.dry-run.rejects.tsv` for a dry run, beside its dry-run report).
    static func rejectsName(for name: String, dryRun: Bool = false) -> String {
        let format = format(of: name) ?? .csv
        return appending((dryRun ? ".dry-run.rejects." : ".rejects.") + format.rawValue, to: name)
    }

    /// `name` with `.<uploadID>` before its known suffix, for when `name` is taken: `a.csv.gz` →
    /// `a.<id>.csv.gz`, `a.csv.gz.report.json` → `a.csv.gz.<id>.report.json`; appended to any other name.
    static func inserting(_ uploadID: String, into name: String) -> String {
        let bytes = Array(name.utf8)
        if let written = writtenSuffixes.first(where: { bytes.count > $0.utf8.count && endsWith(bytes, $0) }) {
            let suffix = String(decoding: bytes.suffix(written.utf8.count), as: UTF8.self)
            return appending("." + uploadID + suffix, to: Array(bytes.dropLast(written.utf8.count)))
        }
        guard let upload = uploadSuffix(of: bytes) else { return FileNameFit.fitted(stem: bytes, suffix: "." + uploadID) }
        return FileNameFit.fitted(stem: bytes.dropLast(upload.suffix.utf8.count), suffix: "." + uploadID + upload.suffix)
    }

    /// `<name><suffix>` within 255 bytes (`FileNameFit`): what comes before the upload suffix of `name` is cut when
    /// it must be, so the name keeps its format and its kind (`a.csv.gz.report.json`).
    private static func appending(_ suffix: String, to name: String) -> String {
        appending(suffix, to: Array(name.utf8))
    }

    private static func appending(_ suffix: String, to name: [UInt8]) -> String {
        let upload = uploadSuffix(of: name)?.suffix ?? ""
        return FileNameFit.fitted(stem: name.dropLast(upload.utf8.count), suffix: upload + suffix)
    }

    /// Whether `bytes` end with `suffix`, ASCII letters compared without regard to case.
    private static func endsWith(_ bytes: [UInt8], _ suffix: String) -> Bool {
        let tail = bytes.suffix(suffix.utf8.count)
        guard tail.count == suffix.utf8.count else { return false }
        return zip(tail, suffix.utf8).allSatisfy { lowered($0) == lowered($1) }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
