import Foundation
import Testing

/// The names process-dir derives from a file's name stay within 255 bytes.
extension ProcessDirTests {
    /// SPEC §1 (issue 15, "Loops"): a 245-byte name has no room for `.report.json` after it. Its report and
    /// rejects get the stem cut, their suffix kept, within 255 bytes; the file goes to DONE, so the next run
    /// loads nothing — before, it stayed in INBOX and was loaded again by every run.
    @Test func aFileWithALongNameIsLoadedOnceAndFiledWithNamesWithin255Bytes() throws {
        let box = try Inbox()
        let stem = String(repeating: "é", count: 100) + String(repeating: "n", count: 41)  // 241 bytes
        let name = stem + ".csv"
        try #require(name.utf8.count == 245)
        let text = Self.csv(["l1", "l2"], bad: ["l2"])
        try box.add(name, text)
        let first = try box.run()
        #expect(first.status == 1, "\(first.stderr)")
        #expect(box.names("") == [] && box.names("done") == [name], "\(first.stderr)")
        // 245 + 12 bytes would be 257: one `é` (2 bytes) goes.
        let cut = String(repeating: "é", count: 100) + String(repeating: "n", count: 39)
        #expect(box.names("reports") == [cut + ".csv.rejects.csv", cut + ".csv.report.json"], "\(box.names("reports"))")
        #expect(box.names("reports").allSatisfy { $0.utf8.count == 255 })
        let report = try readJSON(box.inbox + "/reports/" + cut + ".csv.report.json")
        #expect((report["file"] as? String)?.hasSuffix("/" + name) == true, "\(report["file"] ?? "")")
        #expect((report["counts"] as? [String: Int])?["created"] == 1)

        let second = try box.run()
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("0 files: 0 done"), "\(second.stderr)")
        #expect(try StoreInspector(box.db).count("SELECT count(*) FROM uploads") == 1)

        // The same name again: filed beside the first with its upload id, still within 255 bytes.
        try box.add(name, text)
        let third = try box.run()
        #expect(third.status == 1, "\(third.stderr)")
        let uploadID = try #require(try StoreInspector(box.db).value("SELECT id FROM uploads ORDER BY seq DESC LIMIT 1"))
        #expect(box.names("") == [])
        #expect(box.names("done").count == 2 && box.names("done").contains { $0.hasSuffix(".\(uploadID).csv") }, "\(box.names("done"))")
        #expect(box.names("reports").count == 4)
        #expect(box.names("reports").contains { $0.hasSuffix(".csv.\(uploadID).report.json") }, "\(box.names("reports"))")
        #expect((box.names("done") + box.names("reports")).allSatisfy { $0.utf8.count <= 255 })
        #expect(try StoreInspector(box.db).count("SELECT count(*) FROM cards") == 1)
    }
}
