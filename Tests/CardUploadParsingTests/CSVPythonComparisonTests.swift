import CardUploadInput
import CardUploadModel
import Foundation
import Testing

@testable import CardUploadParsing

/// A small seeded generator (SplitMix64), so every run tests the same texts.
struct CSVSplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Our tokenizer against Python's `csv` module (the leniency SPEC §2 follows) on generated texts.
@Suite("CSV compared with Python's csv module")
struct CSVPythonComparisonTests {
    /// Runs `python3 -c script` with `input` on stdin and returns its stdout; fails the test if Python is missing.
    static func python(_ script: String, input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Write on another thread so a large output cannot deadlock the pipes.
        let writer = Thread {
            stdin.fileHandleForWriting.write(input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 failed (is it installed?)")
        return output
    }

    static func randomText(_ rng: inout CSVSplitMix64, delimiter: String) -> String {
        let pieces = [
            "a", "a", "a", "b", "é", " ", delimiter, delimiter, delimiter, "\"", "\"", "\"", "\"\"",
            "\n", "\n", "\r", "\r\n", "\r\n", "x\ty", ",", ";",
        ]
        let count = Int.random(in: 0...40, using: &rng)
        return (0..<count).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// Python's answer per text: records (with the line each starts on) and whether it ended inside quotes.
    struct PythonResult: Decodable {
        var records: [[String]]
        var lines: [Int]
    }

    @Test func randomTextsMatchPython() throws {
        var rng = CSVSplitMix64(state: 20_241_123)
        let delimiters = [",", ",", ",", ";", "\t", "|"]
        var cases: [(text: String, delimiter: String)] = []
        for _ in 0..<400 {
            let delimiter = delimiters.randomElement(using: &rng)!
            cases.append((Self.randomText(&rng, delimiter: delimiter), delimiter))
        }
        // Python yields [] for an empty line; SPEC skips those lines, so they are dropped here (their lines still
        // count: a record's start line is the previous record's end line + 1). Python (strict=False) also returns
        // the partial last record when the input ends inside quotes; SPEC fails the file (malformed_csv) there,
        // so for those texts we compare the records before it and check Python had exactly one more.
        let script = """
            import csv, io, json, sys
            out = []
            for case in json.load(sys.stdin):
                reader = csv.reader(io.StringIO(case["text"], newline=""), delimiter=case["delimiter"])
                records, lines, previous_end = [], [], 0
                for row in reader:
                    if row:
                        records.append(row)
                        lines.append(previous_end + 1)
                    previous_end = reader.line_num
                out.append({"records": records, "lines": lines})
            json.dump(out, sys.stdout)
            """
        let input = try JSONSerialization.data(withJSONObject: cases.map { ["text": $0.text, "delimiter": $0.delimiter] })
        let results = try JSONDecoder().decode([PythonResult].self, from: Self.python(script, input: input))
        try #require(results.count == cases.count)

        var unterminated = 0
        for ((text, delimiter), python) in zip(cases, results) {
            for chunkSize in [1, 3, 1 << 16] {
                let stream = try CSVRecordStream(
                    source: ArrayChunkSource(text, chunkSize: chunkSize), delimiter: UInt8(ascii: Unicode.Scalar(delimiter)!))
                var records: [[String]] = []
                var lines: [Int] = []
                var endedInsideQuotes = false
                reading: while true {
                    switch try stream.next() {
                    case .record:
                        records.append(stream.tokenizer.fields.map { String(decoding: $0, as: UTF8.self) })
                        lines.append(stream.tokenizer.recordLine)
                    case .unterminatedQuote:
                        endedInsideQuotes = true
                        break reading
                    default:
                        break reading
                    }
                }
                let context = "text \(text.debugDescription) delimiter \(delimiter.debugDescription) chunk \(chunkSize)"
                if endedInsideQuotes {
                    if chunkSize == 1 { unterminated += 1 }
                    #expect(python.records.count == records.count + 1, "\(context)")
                    #expect(Array(python.records.prefix(records.count)) == records, "\(context)")
                    #expect(Array(python.lines.prefix(records.count)) == lines, "\(context)")
                } else {
                    #expect(python.records == records, "\(context)")
                    #expect(python.lines == lines, "\(context)")
                }
            }
        }
        // The generator must really exercise both paths.
        #expect(unterminated > 20 && unterminated < 380)
    }

    /// cp1252 (also what `latin1` reads) against Python's codec, every byte.
    @Test func singleByteEncodingsMatchPython() throws {
        let script = """
            import json, sys
            out = {}
            for name in ("cp1252",):
                row = []
                for b in range(256):
                    try: row.append(bytes([b]).decode(name))
                    except UnicodeDecodeError: row.append(None)
                out[name] = row
            json.dump(out, sys.stdout)
            """
        let python = try JSONDecoder().decode([String: [String?]].self, from: Self.python(script, input: Data()))
        // `latin1` reads as Windows-1252 (WHATWG), so Python's cp1252 codec is the reference for both names.
        for (name, encoding) in [("cp1252", TextEncoding.cp1252)] {
            let expected = try #require(python[name])
            for byte in 0...255 {
                let ours = [UInt8(byte)].withUnsafeBufferPointer { TextDecoding.decode($0, as: encoding) }
                #expect(ours == expected[byte], "\(name) byte \(byte)")
            }
        }
    }
}
