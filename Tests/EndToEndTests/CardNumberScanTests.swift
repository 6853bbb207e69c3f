import Foundation
import Testing

/// TESTING.md "Card numbers": rows full of card numbers — every length from 13 to 19 digits, plain, with
/// spaces, with dashes, in every field, in column names, annotations and records that cannot be read —
/// loaded as CSV and JSON lines (batched, atomic, dry run), then the store, its WAL and shared memory (while
/// the load is still running, and after), every output and everything printed are scanned for each number
/// without separators, as written, and for its first eight digits. The store's files are owner-only.
@Suite struct CardNumberScanTests {
    /// Luhn-valid numbers, one per length 13...19, first digits 2-6.
    static let numbers: [String] = {
        let firsts = Array("2345645")
        let source = Array("71828182845904523536028747135266249775724709369995")
        return (13...19).enumerated().map { index, length in
            let body = String([firsts[index]] + source[(index * 3)..<(index * 3 + length - 2)])
            return body + String(luhnCheckDigit(body))
        }
    }()

    /// The digit that makes `body` + it pass the Luhn check.
    static func luhnCheckDigit(_ body: String) -> Int {
        var sum = 0
        for (position, character) in body.reversed().enumerated() {
            var value = character.wholeNumberValue!
            if position % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    /// `number` in groups of four, joined by `separator`.
    static func grouped(_ number: String, _ separator: String) -> String {
        var groups: [String] = []
        var rest = Substring(number)
        while !rest.isEmpty {
            groups.append(String(rest.prefix(4)))
            rest = rest.dropFirst(4)
        }
        return groups.joined(separator: separator)
    }

    /// Every number as a row would write it: plain, spaced, dashed, and with an expiry date, a CVV or a
    /// track-like suffix after it (SPEC §3: groups after a number do not hide it).
    static let written: [(digits: String, text: String)] = numbers.flatMap { number in
        [
            (number, number), (number, grouped(number, " ")), (number, grouped(number, "-")),
            (number, number + " 12/25"), (number, grouped(number, " ") + " 1225"), (number, grouped(number, "-") + "=2512101"),
        ]
    }

    /// What must appear nowhere: each number without separators and as written, and its first eight digits
    /// (also as written: `4111 1111`).
    static let needles: Set<String> = Set(written.flatMap { entry -> [String] in
        let prefixLength = entry.text.prefix(9).contains { $0 == " " || $0 == "-" } ? 9 : 8
        return [entry.digits, entry.text, String(entry.digits.prefix(8)), String(entry.text.prefix(prefixLength))]
    })

    static let columns = [
        "external_id", "account_id", "entity_id", "type", "details.last_four", "details.replacement_for",
        "metadata.\(numbers[0])", "metadata.note", "_comment",
    ]

    static func csvQuoted(_ cell: String) -> String { "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// A CSV file: one row per written number with it in every column, records that cannot be split, one good row.
    static func csv() -> [UInt8] {
        var text = columns.joined(separator: ",") + "\n"
        for (digits, number) in written {
            let cells = [
                "ext-\(number)", "account_\(digits)", "entity_\(number)", number, number, "card_\(digits)", number,
                "call \(number) back", "customer read out \(number)",
            ]
            text += cells.map(csvQuoted).joined(separator: ",") + "\n"
        }
        text += "short,\(written[1].text)\n"                    // wrong field count: kept whole in _raw
        var bytes = Array(text.utf8)
        bytes += Array("bad-bytes-\(written[2].text),account_a,entity_e,virtual,0001,,,".utf8) + [0xFF] + Array(",x\n".utf8)
        bytes += Array("good,account_a,entity_e,virtual,0042,,,fine,\n".utf8)
        return bytes
    }

    /// The same as JSON lines, plus a line that is not JSON and numbers given as JSON numbers.
    static func jsonLines() -> String {
        var lines: [String] = []
        for (digits, number) in written {
            lines.append(#"{"external_id":"ext-\#(number)","account_id":"account_\#(digits)","entity_id":"entity_\#(number)","type":"\#(number)","details":{"last_four":"\#(number)","replacement_for":"card_\#(digits)"},"metadata":{"\#(digits)":"\#(number)","note":"call \#(number) back"},"_comment":"customer read out \#(number)"}"#)
        }
        lines.append("not json \(written[4].text)")
        lines.append(#"{"external_id":\#(numbers[3]),"account_id":"account_a","entity_id":"entity_e","details":{"last_four":\#(numbers[4])}}"#)
        lines.append(#"{"external_id":"good-json","account_id":"account_a","entity_id":"entity_e","details":{"last_four":"0042"}}"#)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The needles found in `text`.
    static func leaks(in bytes: Data) -> [String] {
        needles.filter { bytes.range(of: Data($0.utf8)) != nil }.sorted()
    }

    static func mode(_ path: String) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test func theNumbersCoverEveryLengthAndFirstDigit() {
        #expect(Self.numbers.map(\.count) == Array(13...19))
        #expect(Set(Self.numbers.map { $0.first! }) == Set("23456"))
    }

    @Test func noCardNumberIsStoredWrittenOrPrintedAndTheStoreIsOwnerOnly() throws {
        let folder = try TemporaryDirectory()
        try folder.write("cards.csv", bytes: Self.csv())
        try folder.write("cards.jsonl", Self.jsonLines())
        var printed = ""

        // 1. CSV from a pipe that stays open: the binary commits what it read and waits, with its WAL and
        //    shared-memory files in place. A umask of 0 makes the files' modes the tool's own choice.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            // Strict UTF-8: the 0xFF row must be a record that cannot be read (kept whole in _raw), not
            // Windows-1252 text as `--encoding auto` would read this otherwise ASCII file.
            "-c", "umask 000; exec \"$0\" process - --format csv --encoding utf-8 --db cards.sqlite --batch-size 5 --report csv.report.json"
                + " --rejects csv.rejects.csv --results csv.results.csv --html csv.html",
            CardUploadBinary.url.path,
        ]
        shell.currentDirectoryURL = folder.url
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CARD_UPLOAD_DB")
        shell.environment = environment
        let input = Pipe()
        let errors = folder.path(".csv-stderr")
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        shell.standardInput = input
        shell.standardOutput = FileHandle.nullDevice
        shell.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try shell.run()
        let rows = Self.written.count + 3
        try input.fileHandleForWriting.write(contentsOf: Data(Self.csv()))
        let deadline = Date().addingTimeInterval(30)
        var committed = 0
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: folder.path("cards.sqlite")) {
                committed = (try? StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM upload_outcomes")) ?? 0
                if committed == rows { break }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        try #require(committed == rows, "the waiting load committed \(committed) of \(rows) rows")
        for suffix in ["", "-wal", "-shm"] {
            let path = folder.path("cards.sqlite" + suffix)
            try #require(FileManager.default.fileExists(atPath: path), "cards.sqlite\(suffix) exists while the load runs")
            #expect(try Self.mode(path) == 0o600, "cards.sqlite\(suffix) while the load runs")
            #expect(Self.leaks(in: try Data(contentsOf: URL(fileURLWithPath: path))).isEmpty, "cards.sqlite\(suffix) while the load runs")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.path("cards.sqlite-wal"))).count > 0, "the WAL holds the batches")
        try input.fileHandleForWriting.close()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 1)
        printed += String(decoding: try Data(contentsOf: URL(fileURLWithPath: errors)), as: UTF8.self)
        try FileManager.default.removeItem(atPath: errors)

        // 2. JSON lines: batched with every output, then atomic (rolled back), then a dry run.
        for (name, extra) in [("jsonl", ["--batch-size", "4"]), ("atomic", ["--atomic"]), ("dry", ["--dry-run"])] {
            let run = try CardUploadBinary.run(
                ["-c", "umask 000; exec \"$0\" \"$@\"", CardUploadBinary.url.path, "process", "cards.jsonl", "--db", "cards.sqlite",
                 "--report", "\(name).report.json", "--rejects", "\(name).rejects.jsonl", "--results", "\(name).results.csv",
                 "--html", "\(name).html"] + extra,
                in: folder.url, executable: "/bin/sh")
            #expect(run.status == 1, "\(name): \(run.stderr)")
            printed += run.stdout + run.stderr
        }

        // The numbers were seen as card numbers (not merely lost): every row but the good ones is rejected,
        // pan_detected among the codes, and the masked forms are what the outputs show.
        let csvReport = try readJSON(folder.path("csv.report.json"))
        #expect(csvReport["counts"] as? [String: Int] == ["rows": rows, "created": 1, "replayed": 0, "updated": 0, "rejected": rows - 1])
        #expect((csvReport["rejected_by_code"] as? [String: Int])?["pan_detected"] == Self.written.count)
        let jsonReport = try readJSON(folder.path("jsonl.report.json"))
        #expect((jsonReport["counts"] as? [String: Int])?["rejected"] == Self.written.count + 2)
        let rejects = try String(contentsOfFile: folder.path("csv.rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("**** **** **** " + Self.numbers[3].suffix(4)), "masked in the rejects file")

        // 3. Everything that reads the store back.
        let store = try StoreInspector(folder.path("cards.sqlite"))
        let ids = try store.rows("SELECT id FROM uploads ORDER BY seq").compactMap { $0.first ?? nil }
        #expect(ids.count == 3, "csv, jsonl and the atomic run are recorded; the dry run is not")
        var commands: [[String]] = [
            ["cards", "list"], ["cards", "list", "--format", "csv"], ["uploads", "list"], ["uploads", "list", "--json"],
            ["cards", "find", "--entity", "entity_e", "--external-id", "ext-\(Self.written[5].text)"],
            ["reconcile", "cards.csv", "--extra", "--report", "reconcile-csv.json"],
            ["reconcile", "cards.jsonl", "--report", "reconcile-jsonl.json"],
        ]
        commands += ids.map { ["uploads", "show", $0] }
        for command in commands {
            let run = try CardUploadBinary.run(command + ["--db", "cards.sqlite"], in: folder.url)
            #expect([0, 1].contains(run.status), "\(command): \(run.stderr)")
            printed += run.stdout + run.stderr
        }

        // 4. The scan: every file but the inputs, and everything printed.
        #expect(Self.leaks(in: Data(printed.utf8)).isEmpty, "printed: \(Self.leaks(in: Data(printed.utf8)))")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter { !$0.hasPrefix("cards.csv") && $0 != "cards.jsonl" }
        #expect(files.count >= 20, "\(files.sorted())")
        for file in files {
            let path = folder.path(file)
            let leaks = Self.leaks(in: try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(leaks.isEmpty, "\(file): \(leaks)")
            // Every file the tool created is owner-only, whatever the umask.
            let mode = try Self.mode(path) ?? 0
            #expect(mode == 0o600, "\(file) is \(String(mode, radix: 8))")
        }
    }
}
