import Foundation
import Testing

/// SPEC §10, Terminal: the progress line in a real pseudo-terminal (`script`) is cut to the terminal's
/// width, is not drawn for `TERM=dumb` or a terminal without a width, and no escape sequence reaches a
/// non-terminal. Serialized: each run must last long enough to draw, on a shared machine.
@Suite(.serialized) struct TerminalTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    /// A file that takes a debug build well over the 250 ms before the first redraw.
    static func bigFile(_ folder: TemporaryDirectory) throws -> String {
        var text = header
        for index in 0..<100_000 { text += "a-rather-long-external-id-\(index),account_a,entity_e,0001\n" }
        return try folder.write("a-file-with-a-long-name-that-would-not-fit-anyway.csv", text)
    }

    /// What the terminal got: `script` gives the run a pseudo-terminal sized by `stty` (when `columns` is
    /// given), with `term` as TERM; its transcript is every byte written to it.
    static func throughTerminal(_ file: String, db: String, columns: Int?, term: String, in folder: TemporaryDirectory) throws -> String {
        let transcript = folder.path("typescript-\(UUID().uuidString)")
        let sizing = columns.map { "stty cols \($0) rows 24; " } ?? "stty cols 0 rows 0; "
        let script = Process()
        script.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        script.arguments = ["-q", "-e", "-c", "\(sizing)\(CardUploadBinary.url.path) process \(file) --db \(db)", transcript]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CARD_UPLOAD_DB")
        environment["TERM"] = term
        script.environment = environment
        script.currentDirectoryURL = folder.url
        script.standardInput = FileHandle.nullDevice
        script.standardOutput = FileHandle.nullDevice
        script.standardError = FileHandle.nullDevice
        try script.run()
        script.waitUntilExit()
        #expect(script.terminationStatus == 0, "the load through script exited \(script.terminationStatus)")
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: transcript)), as: UTF8.self)
    }

    @Test func theProgressLineIsCutToANarrowTerminal() throws {
        let folder = try TemporaryDirectory()
        let file = try Self.bigFile(folder)
        let shown = try Self.throughTerminal(file, db: folder.path("a.sqlite"), columns: 40, term: "xterm", in: folder)
        // Each redraw is `\r`, the line, `\e[K`: the pieces between carriage returns that end so.
        let drawn = shown.components(separatedBy: "\r").filter { $0.hasSuffix("\u{1B}[K") }
            .map { String($0.dropLast(3)) }.filter { !$0.isEmpty }
        try #require(!drawn.isEmpty, "no progress line was drawn: \(shown.suffix(400).debugDescription)")
        for line in drawn {
            #expect(line.count <= 39, "\(line.count) columns: \(line.debugDescription)")
            #expect(!line.contains("\n"), "\(line.debugDescription)")
        }
        // The figures are kept; the name was shortened for them.
        #expect(drawn.contains { $0.contains("MB") && $0.contains("…") }, "\(drawn.suffix(3))")
        // The summary follows on a line of its own, whole (the terminal wraps it, not us).
        #expect(shown.contains("100,000 rows: 100,000 created"), "\(shown.suffix(400).debugDescription)")
    }

    @Test func aDumbTerminalOrOneWithoutAWidthGetsNoProgressLine() throws {
        let folder = try TemporaryDirectory()
        let file = try Self.bigFile(folder)
        for (columns, term) in [(80, "dumb"), (nil, "xterm")] as [(Int?, String)] {
            let shown = try Self.throughTerminal(file, db: folder.path("\(term)-\(columns ?? 0).sqlite"), columns: columns, term: term, in: folder)
            #expect(shown.contains("100,000 rows: 100,000 created"), "\(term): \(shown.suffix(400).debugDescription)")
            #expect(!shown.contains("\u{1B}"), "\(term), \(columns ?? 0) columns: \(shown.prefix(400).debugDescription)")
            #expect(!shown.contains("rows/s"), "\(term), \(columns ?? 0) columns")
            // A pseudo-terminal turns each "\n" into "\r\n"; no other carriage return was written.
            #expect(!shown.replacingOccurrences(of: "\r\n", with: "\n").contains("\r"), "\(term)")
        }
    }

    @Test func aNonTerminalGetsNoEscapeSequence() throws {
        let folder = try TemporaryDirectory()
        let file = try Self.bigFile(folder)
        let run = try CardUploadBinary.run(["process", file, "--db", folder.path("c.sqlite")], in: folder.url, environment: ["TERM": "xterm"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("100,000 rows"), "\(run.stderr)")
        #expect(!run.stderr.contains("\u{1B}") && !run.stderr.contains("\r"), "\(run.stderr.debugDescription)")
    }
}
