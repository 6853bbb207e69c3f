import Foundation
import Testing

/// File-level errors and exit codes (SPEC §1, §2), through the real binary.
@Suite struct FileErrorTests {
    @Test func aMissingInputIs66AndRecordsNoUpload() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let result = try CardUploadBinary.run(["process", folder.path("nope.csv"), "--db", db], in: folder.url)
        #expect(result.status == 66)
        // Named once, with the reason (it said "nope.csv: Error: cannot open nope.csv: cannot open 'nope.csv': …").
        #expect(result.stderr == "Error: cannot open \(folder.path("nope.csv")): No such file or directory\n", "\(result.stderr)")
        if FileManager.default.fileExists(atPath: db) {
            #expect(try StoreInspector(db).count("SELECT count(*) FROM uploads") == 0)
        }
    }

    @Test func aFolderAsInputIs66AndNamedOnce() throws {
        let folder = try TemporaryDirectory()
        let inbox = folder.path("inbox")
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: false)
        let result = try CardUploadBinary.run(["process", inbox, "--db", folder.path("cards.sqlite")], in: folder.url)
        #expect(result.status == 66)
        #expect(result.stderr.hasPrefix("Error: '\(inbox)' is a folder — to load a folder, use process-dir"), "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: inbox).count == 2, "\(result.stderr)")
    }

    @Test func aBadHeaderFailsTheFileBeforeAnyRowAndRecordsAFailedUpload() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four,status,colour\nk1,account_a,entity_e,0001,active,red\n")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 65)
        let report = try readJSON(folder.path("r.json"))
        #expect(report["status"] as? String == "failed")
        let error = try #require(report["error"] as? [String: Any])
        #expect(["column_not_settable", "unknown_column"].contains(error["code"] as? String))
        #expect((error["message"] as? String)?.contains("colour") == true)
        #expect(error["line"] as? Int == 1)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 0)
    }

    @Test func aMissingColumnIsNamedAndEntityCanComeFromTheCommandLine() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", "external_id,account_id,details.last_four\nk1,account_a,0001\n")
        let missing = try CardUploadBinary.run(["process", file, "--db", db], in: folder.url)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("missing_column"))
        #expect(missing.stderr.contains("entity_id"))
        let withDefault = try CardUploadBinary.run(["process", file, "--db", db, "--entity", "entity_default"], in: folder.url)
        #expect(withDefault.status == 0, "\(withDefault.stderr)")
        #expect(try StoreInspector(db).value("SELECT entity_id FROM cards") == "entity_default")
        #expect(try CardUploadBinary.run(["process", file, "--db", db, "--entity", "bad entity"], in: folder.url).status == 64)
    }

    @Test func aHeaderOnlyFileIsAValidUploadOfZeroRowsButAnEmptyFileFails() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let headerOnly = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\n")
        let empty = try folder.write("b.csv", "")
        let emptyJSON = try folder.write("c.jsonl", "")
        let ok = try CardUploadBinary.run(["process", headerOnly, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect((try readJSON(folder.path("r.json"))["counts"] as? [String: Int])?["rows"] == 0)
        let failed = try CardUploadBinary.run(["process", empty, "--db", db], in: folder.url)
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("empty_file"))
        #expect(try CardUploadBinary.run(["process", emptyJSON, "--db", db], in: folder.url).status == 0)
    }

    @Test func aQuoteLeftOpenKeepsTheRowsBeforeIt() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write(
            "a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,\"account_a,entity_e,0002\n")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 65)
        let report = try readJSON(folder.path("r.json"))
        #expect(report["status"] as? String == "failed")
        #expect((report["error"] as? [String: Any])?["code"] as? String == "malformed_csv")
        #expect((report["error"] as? [String: Any])?["line"] as? Int == 3)
        #expect((report["counts"] as? [String: Int])?["created"] == 1)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 1)
    }

    @Test func aTruncatedGzipFailsWithItsOffsetAndKeepsEarlierRows() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        var text = "external_id,account_id,entity_id,details.last_four\n"
        for index in 0..<5000 { text += "k\(index),account_a,entity_e,\(String(format: "%04d", index % 10000))\n" }
        let plain = try folder.write("big.csv", text)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        let compressed = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        let cut = try folder.write("cut.csv.gz", bytes: Array(compressed.prefix(compressed.count - 20)))
        let result = try CardUploadBinary.run(["process", cut, "--db", db, "--report", folder.path("r.json"), "--batch-size", "100"], in: folder.url)
        #expect(result.status == 65)
        let report = try readJSON(folder.path("r.json"))
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["code"] as? String == "corrupt_gzip")
        #expect((error["line"] as? Int ?? 0) > 1, "the line the decoded text had reached")
        let offset = try #require(error["offset"] as? Int)
        #expect(offset > 0 && offset <= compressed.count - 20)
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == counts["created"])
    }

    @Test func usageErrorsAre64WithTheUsageLine() throws {
        let folder = try TemporaryDirectory()
        let unknown = try CardUploadBinary.run(["process", "--frobnicate", "a.csv"], in: folder.url)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Error: unknown option '--frobnicate'"))
        #expect(unknown.stderr.contains("card-upload help process"))
        #expect(try CardUploadBinary.run(["--db", "x", "process", "a.csv"], in: folder.url).status == 64)
        #expect(try CardUploadBinary.run(["process"], in: folder.url).status == 64)
        let jsonWithEncoding = try folder.write("a.jsonl", "{}\n")
        #expect(try CardUploadBinary.run(["process", jsonWithEncoding, "--encoding", "latin1", "--db", folder.path("c.sqlite")], in: folder.url).status == 64)
        if FileManager.default.fileExists(atPath: folder.path("c.sqlite")) {
            #expect(try StoreInspector(folder.path("c.sqlite")).count("SELECT count(*) FROM uploads") == 0)
        }
        let help = try CardUploadBinary.run(["--help"], in: folder.url)
        #expect(help.status == 0 && help.stdout.contains("OVERVIEW:") && help.stdout.contains("SUBCOMMANDS:"))
        let version = try CardUploadBinary.run(["--version"], in: folder.url)
        #expect(version.status == 0 && version.stdout.hasPrefix("card-upload "))
        let processHelp = try CardUploadBinary.run(["process", "a.csv", "--help"], in: folder.url)
        #expect(processHelp.status == 0 && processHelp.stdout.contains("--batch-size"))
    }

    @Test func readOnlyCommandsNeverCreateTheDatabase() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("none.sqlite")
        #expect(try CardUploadBinary.run(["cards", "list", "--db", db], in: folder.url).status == 66)
        #expect(try CardUploadBinary.run(["cards", "get", "card_x", "--db", db], in: folder.url).status == 66)
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    @Test func theDatabaseIsReadableByItsOwnerOnly() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\n")
        #expect(try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url).status == 0)
        for path in [db, folder.path("r.json")] {
            let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(permissions == 0o600, "\(path)")
        }
    }
}
