import Foundation
import Testing

/// Regressions found by black-box testing: outputs that would overwrite inputs or the store, empty
/// database paths, card numbers in file-level errors, failed outputs, unreadable stores.
@Suite struct HardeningTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    @Test func aReportPathThatIsTheInputOrTheStoreIsRefusedHoweverItIsSpelled() throws {
        let folder = try TemporaryDirectory()
        let text = Self.header + "k1,account_a,entity_e,0001\n"
        let input = try folder.write("a.csv", text)
        let db = folder.path("cards.sqlite")
        #expect(try CardUploadBinary.run(["process", input, "--db", db], in: folder.url).status == 0)
        let link = folder.path("link.csv")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        for report in ["./a.csv", input, "link.csv", "cards.sqlite", "./cards.sqlite-wal"] {
            let result = try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite", "--report", report], in: folder.url)
            #expect(result.status == 64, "\(report): \(result.stderr)")
        }
        #expect(try String(contentsOfFile: input, encoding: .utf8) == text)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 1)
    }

    @Test func anEmptyDatabasePathIsAUsageErrorAndAnEmptyVariableMeansTheDefault() throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001\n")
        #expect(try CardUploadBinary.run(["process", input, "--db="], in: folder.url).status == 64)
        #expect(try CardUploadBinary.run(["cards", "set-status", "card_x", "active", "--db", ""], in: folder.url).status == 64)
        let result = try CardUploadBinary.run(["process", input], in: folder.url, environment: ["CARD_UPLOAD_DB": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM cards") == 1)
    }

    @Test func aCardNumberInAHeaderOrAFileNameIsMaskedInTheReportAndTheStore() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let input = try folder.write(
            "4111111111111111.csv", "external_id,account_id,entity_id,details.last_four,x4111111111111111\nq,account_1,entity_1,0001,v\n")
        let result = try CardUploadBinary.run(["process", input, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 65)
        let report = try String(contentsOfFile: folder.path("r.json"), encoding: .utf8)
        #expect(report.contains("x************1111"))
        for file in ["r.json", "cards.sqlite", "cards.sqlite-wal"] {
            guard let bytes = FileManager.default.contents(atPath: folder.path(file)) else { continue }
            #expect(bytes.range(of: Data("4111111111111111".utf8)) == nil, "\(file)")
        }
        #expect(!result.stderr.contains("4111111111111111"))
    }

    @Test func aReportThatCannotBeWrittenFailsTheUploadWithOutputError() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let input = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001\n")
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let result = try CardUploadBinary.run(["process", input, "--db", db, "--report", "/dev/full"], in: folder.url)
        #expect(result.status == 73)
        let store = try StoreInspector(db)
        #expect(try store.rows("SELECT status, error_code FROM uploads") == [["failed", "output_error"]])
        #expect(try store.count("SELECT count(*) FROM cards") == 1)
        let unwritable = try CardUploadBinary.run(
            ["process", input, "--db", db, "--report", folder.path("no/such/dir/r.json")], in: folder.url)
        #expect(unwritable.status == 73)
        #expect(try store.count("SELECT count(*) FROM uploads") == 1, "nothing is loaded when an output cannot be created")
    }

    @Test func aReportOnAPipeThatIsClosedEarlyIsNotAnOutputError() throws {
        let folder = try TemporaryDirectory()
        var text = Self.header
        for index in 0..<3000 { text += "k\(index),account_a,entity_e,0001\n" }
        let input = try folder.write("a.csv", text)
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "'\(CardUploadBinary.url.path)' process a.csv --db cards.sqlite --quiet --report - | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}"]
        shell.currentDirectoryURL = folder.url
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        _ = input
        #expect(try StoreInspector(folder.path("cards.sqlite")).rows("SELECT status, rows FROM uploads") == [["completed", "3000"]])
    }

    @Test func anEncodingForJSONLinesIsAPlainUsageError() throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("a.jsonl", "{}\n")
        let result = try CardUploadBinary.run(["process", input, "--encoding", "latin1"], in: folder.url)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: --encoding"), "\(result.stderr)")
        #expect(result.stderr.contains("Usage:"))
        let sniffed = try folder.write("b.txt", "{}\n")
        #expect(try CardUploadBinary.run(["process", sniffed, "--encoding", "utf-8"], in: folder.url).status == 64)
    }

    @Test func aFailedHeaderStillNamesTheSniffedDelimiter() throws {
        let folder = try TemporaryDirectory()
        let input = try folder.write("a.csv", "external_id;account_id;entity_id;colour\n")
        let result = try CardUploadBinary.run(["process", input, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 65)
        #expect(try readJSON(folder.path("r.json"))["delimiter"] as? String == ";")
    }

    @Test func aDatabaseThisUserCannotReadIs66() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let input = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0001\n")
        #expect(try CardUploadBinary.run(["process", input, "--db", db], in: folder.url).status == 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.url.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: input)
        // As root every file is readable: drop to nobody, who cannot read the owner-only store.
        for arguments in [["uploads", "list", "--db", db], ["process", input, "--db", db]] {
            let result = try CardUploadBinary.run(
                ["--reuid=65534", "--regid=65534", "--clear-groups", CardUploadBinary.url.path] + arguments,
                in: folder.url, executable: "/usr/bin/setpriv")
            #expect(result.status == 66, "\(arguments): \(result.stderr)")
        }
    }
}

/// Values that SQLite's C strings would cut short, outputs to a full device, free text with card numbers.
@Suite struct StorageFidelityTests {
    @Test func aNULInsideAValueIsStoredWholeAndKeysStayApart() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let lines = [
            #"{"external_id":"x1","account_id":"account_a","entity_id":"entity_b","details":{"last_four":"0001"}}"#,
            #"{"external_id":"x1","account_id":"account_a","entity_id":"entity_b\u0000zz","details":{"last_four":"0002"}}"#,
            #"{"external_id":"x2","account_id":"account_a","entity_id":"entity_b","details":{"last_four":"0003"},"metadata":{"k":"a\u0000b"}}"#,
        ]
        let file = try folder.write("a.jsonl", lines.joined(separator: "\n") + "\n")
        let result = try CardUploadBinary.run(["process", file, "--db", db, "--report", folder.path("r.json")], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")
        let store = try StoreInspector(db)
        #expect(try store.count("SELECT count(*) FROM cards") == 3)
        #expect(try store.count("SELECT length(CAST(entity_id AS BLOB)) FROM cards WHERE last_four = '0002'") == 11)
        #expect(try store.count("SELECT length(CAST(metadata AS BLOB)) FROM cards WHERE last_four = '0003'") == #"{"k":"a\u0000b"}"#.utf8.count)
    }

    @Test func printingToAFullDeviceIs73() throws {
        let folder = try TemporaryDirectory()
        try #require(FileManager.default.fileExists(atPath: "/dev/full"))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "'\(CardUploadBinary.url.path)' --version > /dev/full"]
        shell.currentDirectoryURL = folder.url
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 73)
    }

    @Test func aStatusReasonWithACardNumberIsStoredMasked() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        let file = try folder.write("a.csv", "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\n")
        #expect(try CardUploadBinary.run(["process", file, "--db", db], in: folder.url).status == 0)
        let id = try #require(try StoreInspector(db).value("SELECT id FROM cards"))
        let result = try CardUploadBinary.run(
            ["cards", "set-status", id, "inactive", "--reason", "customer read out 4111 1111 1111 1111", "--db", db], in: folder.url)
        #expect(result.status == 0)
        #expect(try parseJSON(result.stdout)["status_reason"] as? String == "customer read out **** **** **** 1111")
        for file in ["cards.sqlite", "cards.sqlite-wal"] {
            guard let bytes = FileManager.default.contents(atPath: folder.path(file)) else { continue }
            #expect(bytes.range(of: Data("4111 1111 1111 1111".utf8)) == nil)
        }
    }
}
