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
