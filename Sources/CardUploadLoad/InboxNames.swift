import CardUploadModel

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
        if name.hasPrefix(".") { return .hidden }
        let lowercased = name.lowercased()
        if lowercased.hasSuffix(".part") || lowercased.hasSuffix(".tmp") { return .partial }
        return uploadSuffix(of: name) == nil ? .notAnUpload : nil
    }

    /// The format the name of an upload implies (`a.csv.gz` → csv), nil for other names.
    static func format(of name: String) -> InputFormat? {
        uploadSuffix(of: name)?.format
    }

    /// The upload suffix `name` ends with (`.csv`, `.tsv.gz`…, in the name's own case) and its format.
    private static func uploadSuffix(of name: String) -> (suffix: String, format: InputFormat)? {
        let bytes = Array(name.utf8)
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
        name + (dryRun ? ".dry-run.report.json" : ".report.json")
    }

    /// The rejects file of upload file `name`, in the input's own form, uncompressed: `a.tsv.gz` → `a.tsv.gz.rejects.tsv`
    /// (`a.tsv.gz.dry-run.rejects.tsv` for a dry run, beside its dry-run report).
    static func rejectsName(for name: String, dryRun: Bool = false) -> String {
        let format = format(of: name) ?? .csv
        return name + (dryRun ? ".dry-run.rejects." : ".rejects.") + format.rawValue
    }

    /// `name` with `.<uploadID>` before its known suffix, for when `name` is taken: `a.csv.gz` →
    /// `a.<id>.csv.gz`, `a.csv.gz.report.json` → `a.csv.gz.<id>.report.json`; appended to any other name.
    static func inserting(_ uploadID: String, into name: String) -> String {
        let bytes = Array(name.utf8)
        let known = writtenSuffixes.first { bytes.count > $0.utf8.count && endsWith(bytes, $0) }
            ?? uploadSuffix(of: name)?.suffix
        guard let known else { return name + "." + uploadID }
        let stem = String(decoding: bytes.dropLast(known.utf8.count), as: UTF8.self)
        let suffix = String(decoding: bytes.suffix(known.utf8.count), as: UTF8.self)
        return stem + "." + uploadID + suffix
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
