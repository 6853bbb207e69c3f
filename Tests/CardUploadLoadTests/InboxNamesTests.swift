@testable import CardUploadLoad
import CardUploadModel
import Testing

/// Which INBOX names are uploads, and the names `process-dir` gives its files (SPEC §1, process-dir).
@Suite struct InboxNamesTests {
    @Test(arguments: ["a.csv", "a.tsv", "a.jsonl", "a.csv.gz", "a.tsv.gz", "a.jsonl.gz", "B.CSV", "x y.Jsonl.GZ", "a.b.csv"])
    func uploadNamesAreLoaded(name: String) {
        #expect(InboxNames.skip(name) == nil)
    }

    @Test func hiddenPartialAndOtherNamesAreSkipped() {
        #expect(InboxNames.skip(".a.csv") == .hidden)
        #expect(InboxNames.skip(".card-upload.lock") == .hidden)
        #expect(InboxNames.skip(".csv") == .hidden)
        #expect(InboxNames.skip("a.csv.part") == .partial)
        #expect(InboxNames.skip("a.csv.tmp") == .partial)
        #expect(InboxNames.skip("a.csv.gz.part") == .partial)
        for other in ["a.txt", "a.json", "a.ndjson", "a.gz", "a.csv.zip", "csv", "a.csvx", "a.csv.gz.gz"] {
            #expect(InboxNames.skip(other) == .notAnUpload, "\(other)")
        }
    }

    @Test func theFormatComesFromTheName() {
        #expect(InboxNames.format(of: "a.csv.gz") == .csv)
        #expect(InboxNames.format(of: "a.TSV") == .tsv)
        #expect(InboxNames.format(of: "a.jsonl.gz") == .jsonl)
        #expect(InboxNames.format(of: "a.txt") == nil)
    }

    @Test func reportsAndRejectsFollowTheFileName() {
        #expect(InboxNames.reportName(for: "a.csv.gz", dryRun: false) == "a.csv.gz.report.json")
        #expect(InboxNames.reportName(for: "a.csv.gz", dryRun: true) == "a.csv.gz.dry-run.report.json")
        #expect(InboxNames.rejectsName(for: "a.csv.gz") == "a.csv.gz.rejects.csv")
        #expect(InboxNames.rejectsName(for: "a.tsv") == "a.tsv.rejects.tsv")
        #expect(InboxNames.rejectsName(for: "a.jsonl.gz") == "a.jsonl.gz.rejects.jsonl")
    }

    @Test func theUploadIDGoesBeforeTheKnownSuffix() {
        let id = "upload_x1"
        #expect(InboxNames.inserting(id, into: "a.csv.gz") == "a.upload_x1.csv.gz")
        #expect(InboxNames.inserting(id, into: "a.csv") == "a.upload_x1.csv")
        #expect(InboxNames.inserting(id, into: "A.JSONL.GZ") == "A.upload_x1.JSONL.GZ")
        #expect(InboxNames.inserting(id, into: "a.csv.gz.report.json") == "a.csv.gz.upload_x1.report.json")
        #expect(InboxNames.inserting(id, into: "a.csv.dry-run.report.json") == "a.csv.upload_x1.dry-run.report.json")
        #expect(InboxNames.inserting(id, into: "a.csv.gz.rejects.csv") == "a.csv.gz.upload_x1.rejects.csv")
        #expect(InboxNames.inserting(id, into: "a.jsonl.rejects.jsonl") == "a.jsonl.upload_x1.rejects.jsonl")
        #expect(InboxNames.inserting(id, into: "readme") == "readme.upload_x1")
    }
}

/// SPEC §1: every name `process-dir` derives stays within 255 bytes (UTF-8), the stem cut on a character
/// boundary and the known suffix kept, so a long upload name never keeps a file in INBOX for ever.
@Suite struct InboxNamesLengthTests {
    static let id = "upload_abcdefghij0123456789"

    /// Upload names of 250 and 255 bytes, their stems ASCII or made of 2-, 3- and 4-byte characters (whose
    /// cut never falls on a character boundary by chance for all of them), each ending in `extension`.
    static func longNames(_ extension: String) -> [String] {
        [250, 255].flatMap { total in
            ["x", "é", "日", "😀"].map { unit in
                let stemBytes = total - `extension`.utf8.count
                var stem = String(repeating: unit, count: stemBytes / unit.utf8.count)
                stem += String(repeating: "x", count: stemBytes - stem.utf8.count)
                return stem + `extension`
            }
        }
    }

    /// `derived` ends in `suffix`, is at most 255 bytes, and what comes before `suffix` is `stem` whole or cut
    /// at a character boundary, no more than one character short of the limit.
    func expectFitted(_ derived: String, stem: String, suffix: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(derived.utf8)
        #expect(bytes.count <= 255, "\(bytes.count) bytes", sourceLocation: sourceLocation)
        #expect(derived.hasSuffix(suffix), "\(derived)", sourceLocation: sourceLocation)
        let kept = bytes.dropLast(suffix.utf8.count)
        #expect(Array(stem.utf8).starts(with: kept), "the stem is not a prefix", sourceLocation: sourceLocation)
        #expect(String(validating: kept, as: UTF8.self) != nil, "the cut splits a character", sourceLocation: sourceLocation)
        #expect(kept.count == stem.utf8.count || bytes.count > 255 - 4, "cut more than needed: \(bytes.count)", sourceLocation: sourceLocation)
    }

    @Test(arguments: longNames(".csv") + longNames(".jsonl.gz"))
    func reportAndRejectsNamesOfALongNameKeepTheirSuffix(name: String) {
        let upload = name.hasSuffix(".csv") ? ".csv" : ".jsonl.gz"
        let stem = String(name.dropLast(upload.count))
        let rejects = upload == ".csv" ? ".rejects.csv" : ".rejects.jsonl"
        expectFitted(InboxNames.reportName(for: name, dryRun: false), stem: stem, suffix: upload + ".report.json")
        expectFitted(InboxNames.reportName(for: name, dryRun: true), stem: stem, suffix: upload + ".dry-run.report.json")
        expectFitted(InboxNames.rejectsName(for: name), stem: stem, suffix: upload + rejects)
        expectFitted(InboxNames.rejectsName(for: name, dryRun: true), stem: stem, suffix: upload + ".dry-run" + rejects)
    }

    @Test(arguments: longNames(".csv") + longNames(".jsonl.gz"))
    func theUploadIDGoesIntoALongNameWithinTheLimit(name: String) {
        let upload = name.hasSuffix(".csv") ? ".csv" : ".jsonl.gz"
        let stem = String(name.dropLast(upload.count))
        expectFitted(InboxNames.inserting(Self.id, into: name), stem: stem, suffix: ".\(Self.id)\(upload)")
        expectFitted(InboxNames.inserting(Self.id + "-9", into: name), stem: stem, suffix: ".\(Self.id)-9\(upload)")
        // Into the long report and rejects names: still the upload suffix, then the id, then the kind.
        let report = InboxNames.reportName(for: name, dryRun: false)
        expectFitted(InboxNames.inserting(Self.id, into: report), stem: stem, suffix: "\(upload).\(Self.id).report.json")
        let rejects = InboxNames.rejectsName(for: name, dryRun: true)
        let format = upload == ".csv" ? "csv" : "jsonl"
        expectFitted(
            InboxNames.inserting(Self.id, into: rejects), stem: stem, suffix: "\(upload).\(Self.id).dry-run.rejects.\(format)")
        // A name without a known suffix keeps the id at its end.
        let other = String(repeating: "z", count: 255)
        expectFitted(InboxNames.inserting(Self.id, into: other), stem: other, suffix: "." + Self.id)
    }

    @Test func namesThatFitAreLeftWhole() {
        let name = String(repeating: "n", count: 239) + ".csv"  // 243 + 12 = 255 bytes
        #expect(InboxNames.reportName(for: name, dryRun: false) == name + ".report.json")
        let longer = String(repeating: "n", count: 240) + ".csv"
        #expect(InboxNames.reportName(for: longer, dryRun: false) == name + ".report.json")
    }
}
