import CardUploadModel
import CardUploadReport
import CardUploadStore
import Foundation
import Testing

/// A real store in a temporary SQLite file, with uploads recorded through the store's own API.
final class HTMLReportStore {
    let directory: URL
    let database: Database
    let log: UploadLog

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("html-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        database = try Database(path: directory.appendingPathComponent("cards.sqlite").path, mode: .readWriteCreate)
        try Schema.migrate(database)
        log = UploadLog(database: database)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// One row to record: its line, external_id and outcome.
    struct Row {
        var line: Int
        var externalID: String?
        var outcome: RowOutcome
    }

    /// Records upload `id` with `rows` (one batch) and finishes it with `status` and `error`.
    func record(
        id: String, file: String, rows: [Row], status: String, error: FileError? = nil, finished: Bool = true
    ) throws {
        let seq = try log.begin(
            id: id, file: file, startedAt: "2024-05-01T09:30:00.000Z", dryRun: false, format: "csv", delimiter: ",",
            encoding: "utf-8", compression: "none")
        var counts = UploadCounts()
        try database.writeTransaction {
            for row in rows {
                try log.recordRow(
                    uploadSeq: seq, line: row.line, externalID: row.externalID, entityID: "entity_1", outcome: row.outcome)
                counts.add(row.outcome)
            }
            try log.addBatch(uploadSeq: seq, counts: counts, bytes: 1_234)
        }
        if finished {
            try log.finish(
                id: id, status: UploadStatus(rawValue: status)!, committed: true, bytes: 1_234, error: error,
                finishedAt: "2024-05-01T09:30:02.500Z", hints: [])
        }
    }

    /// Writes the HTML report of upload `id` and returns the page.
    func html(of id: String) throws -> String {
        let path = directory.appendingPathComponent("\(id).html").path
        let output = try OutputFile(path: path)
        try HTMLReportWriter.write(uploadID: id, log: log, to: output)
        try output.commit()
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}

/// What Python's `html.parser` sees in a page: nesting problems, element texts by id, the chart's
/// bars, the table's rows, every tag and attribute name.
struct HTMLPageInspection: Decodable {
    var problems: [String]
    var doctype: Bool
    var texts: [String: String]
    var bars: [Bar]
    var rows: [TableRow]
    var tags: [String: Int]
    var attributes: [String]

    struct Bar: Decodable {
        var code: String?
        var count: String?
    }

    struct TableRow: Decodable {
        var line: String
        var cells: [String]
    }

    /// Parses `html` with Python's standard HTML parser; fails the test (not skips it) without python3.
    static func inspect(_ html: String) throws -> HTMLPageInspection {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString).html")
        try html.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw InspectionFailed(
                message: "python3 html.parser failed (status \(process.terminationStatus); python3 is required): "
                    + String(decoding: errors, as: UTF8.self))
        }
        return try JSONDecoder().decode(HTMLPageInspection.self, from: output)
    }

    struct InspectionFailed: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static let script = #"""
        import json, sys
        from html.parser import HTMLParser

        VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

        class Inspector(HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.stack, self.problems, self.texts = [], [], {}
                self.bars, self.rows, self.row = [], [], None
                self.tags, self.attributes, self.doctype = {}, set(), False

            def handle_decl(self, decl):
                self.doctype = decl.lower() == "doctype html"

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                self.tags[tag] = self.tags.get(tag, 0) + 1
                self.attributes.update(name for name, _ in attrs)
                if "id" in a:
                    if a["id"] in self.texts:
                        self.problems.append("duplicate id " + a["id"])
                    self.texts[a["id"]] = ""
                if tag == "rect":
                    self.bars.append({"code": a.get("data-code"), "count": a.get("data-count")})
                if tag == "tr" and "data-line" in a:
                    self.row = {"line": a["data-line"], "cells": []}
                if tag == "td" and self.row is not None:
                    self.row["cells"].append("")
                if tag not in VOID:
                    self.stack.append((tag, a.get("id")))

            def handle_startendtag(self, tag, attrs):
                self.problems.append("self-closing <%s/>" % tag)
                self.handle_starttag(tag, attrs)
                if tag not in VOID:
                    self.handle_endtag(tag)

            def handle_endtag(self, tag):
                if tag in VOID:
                    self.problems.append("end tag of void element " + tag)
                    return
                if not self.stack or self.stack[-1][0] != tag:
                    self.problems.append("</%s> while %s is open" % (tag, self.stack[-1][0] if self.stack else "nothing"))
                    return
                self.stack.pop()
                if tag == "tr" and self.row is not None:
                    self.rows.append(self.row)
                    self.row = None

            def handle_data(self, data):
                for _, element_id in self.stack:
                    if element_id:
                        self.texts[element_id] += data
                if self.row is not None and self.row["cells"] and any(t == "td" for t, _ in self.stack):
                    self.row["cells"][-1] += data

        inspector = Inspector()
        with open(sys.argv[1], encoding="utf-8") as page:
            inspector.feed(page.read())
        inspector.close()
        if inspector.stack:
            inspector.problems.append("unclosed: " + ", ".join(t for t, _ in inspector.stack))
        json.dump({
            "problems": inspector.problems, "doctype": inspector.doctype, "texts": inspector.texts,
            "bars": inspector.bars, "rows": inspector.rows, "tags": inspector.tags,
            "attributes": sorted(inspector.attributes),
        }, sys.stdout)
        """#
}
