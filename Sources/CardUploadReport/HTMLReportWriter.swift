import CardUploadModel
import CardUploadStore

/// The HTML report of an upload (SPEC §6): one self-contained file with the counts, a bar chart of
/// rejections by error code (inline SVG) and the first 1,000 rejected rows.
///
/// Rebuilt from the store in one read snapshot, like the JSON report, and streamed: the page head is
/// small, and the table is written row by row. Every value from the store goes through `HTMLText`.
/// The page has inline CSS only: no script, no `src`, no `href`, so it opens anywhere, offline.
package enum HTMLReportWriter {
    /// The most rejected rows listed.
    package static let rowLimit = 1_000

    /// Writes the HTML report of upload `uploadID` to `output` (the caller commits it).
    package static func write(uploadID: String, log: UploadLog, to output: OutputFile) throws {
        try log.readSnapshot { try writeReport(uploadID: uploadID, log: log, to: output) }
    }

    private static func writeReport(uploadID: String, log: UploadLog, to output: OutputFile) throws {
        guard let upload = try log.upload(id: uploadID) else { throw HTMLReportError.uploadNotFound(uploadID) }
        let byCode = try log.rejectionsByCode(uploadID: uploadID)
        try output.write(head(upload))
        try output.write(summary(upload))
        try output.write(chart(byCode, upload: upload))
        if upload.counts.rejected > 0 {
            try writeRejectedRows(upload, log: log, to: output)
        }
        try output.write("</main>\n</body>\n</html>\n")
    }

    private static func head(_ upload: UploadRecord) -> String {
        let title = "Upload report: \(upload.file) (\(upload.id))"
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="card-upload">
            <title>\(HTMLText.escaped(title))</title>
            <style>
            \(HTMLReportStyle.css)
            </style>
            </head>
            <body>
            <main>

            """
    }

    /// The title, the upload's facts, its counts and its file-level error.
    private static func summary(_ upload: UploadRecord) -> String {
        let status = HTMLText.escaped(upload.status.rawValue)
        var html = "<header>\n<h1>Upload report</h1>\n"
        html += "<p class=\"subtitle\"><span id=\"file\">\(HTMLText.escaped(upload.file))</span>"
        html += " &middot; <code id=\"upload-id\">\(HTMLText.escaped(upload.id))</code></p>\n</header>\n"
        html += "<dl class=\"facts\">\n"
        html += "<dt>Status</dt><dd><span id=\"status\" class=\"status status-\(status)\">\(status)</span>"
        if upload.dryRun { html += " <span id=\"dry-run\" class=\"note\">dry run: no card was written</span>" }
        if !upload.committed { html += " <span id=\"not-committed\" class=\"note\">not committed</span>" }
        html += "</dd>\n"
        html += "<dt>Started</dt><dd><time id=\"started-at\">\(HTMLText.escaped(upload.startedAt))</time></dd>\n"
        html += "<dt>Finished</dt><dd>"
        html += upload.finishedAt.map { "<time id=\"finished-at\">\(HTMLText.escaped($0))</time>" }
            ?? "<span id=\"finished-at\" class=\"none\">not finished</span>"
        html += "</dd>\n"
        html += "<dt>Input</dt><dd id=\"input\">\(HTMLText.escaped(inputDescription(upload)))</dd>\n"
        html += "</dl>\n"

        let counts = upload.counts
        html += "<ul class=\"counts\">\n"
        for (name, value) in [
            ("rows", counts.rows), ("created", counts.created), ("replayed", counts.replayed),
            ("updated", counts.updated), ("rejected", counts.rejected),
        ] {
            html += "<li class=\"\(name)\"><span class=\"label\">\(name)</span>"
            html += "<span class=\"value\" id=\"count-\(name)\">\(value)</span></li>\n"
        }
        html += "</ul>\n"

        if let error = upload.error {
            html += "<section class=\"file-error\" id=\"file-error\">\n<p><strong>The file failed:</strong> "
            html += "<code id=\"file-error-code\">\(HTMLText.escaped(error.code.rawValue))</code> "
            html += "<span id=\"file-error-message\">\(HTMLText.escaped(error.message))</span>"
            var place: [String] = []
            if let line = error.line { place.append("line \(line)") }
            if let offset = error.offset { place.append("byte offset \(offset)") }
            if !place.isEmpty { html += " <span class=\"note\">(\(place.joined(separator: ", ")))</span>" }
            html += "</p>\n"
            if upload.counts.rows > 0 {
                html += "<p class=\"note\">Rows before the error were committed and are counted above.</p>\n"
            }
            html += "</section>\n"
        }
        return html
    }

    /// Format, delimiter, encoding, compression and size, as far as they are known.
    private static func inputDescription(_ upload: UploadRecord) -> String {
        var parts: [String] = []
        if let format = upload.format { parts.append(format) }
        if let delimiter = upload.delimiter {
            parts.append("delimiter " + (delimiter == "\t" ? "tab" : "\"\(delimiter)\""))
        }
        if let encoding = upload.encoding { parts.append(encoding) }
        if let compression = upload.compression, compression != "none" { parts.append(compression) }
        parts.append("\(HTMLText.grouped(upload.bytes)) \(upload.bytes == 1 ? "byte" : "bytes")")
        return parts.joined(separator: ", ")
    }

    private static func chart(_ byCode: [(code: String, rows: Int, firstLine: Int)], upload: UploadRecord) -> String {
        var html = "<section id=\"rejections-by-code\">\n<h2>Rejected rows by error code</h2>\n"
        if let svg = HTMLBarChart.svg(byCode.map { ($0.code, $0.rows) }) {
            html += svg + "\n"
            if byCode.count > 1 {
                html += "<p class=\"note\">A row with errors of several codes counts once under each.</p>\n"
            }
        } else {
            html += "<p class=\"note\" id=\"no-rejections\">No row was rejected.</p>\n"
        }
        return html + "</section>\n"
    }

    /// The table of rejected rows, in line order, at most `rowLimit`, then how many more there are.
    private static func writeRejectedRows(_ upload: UploadRecord, log: UploadLog, to output: OutputFile) throws {
        let rejected = upload.counts.rejected
        var html = "<section id=\"rejected-rows\">\n<h2>Rejected rows</h2>\n"
        if rejected > rowLimit {
            html += "<p class=\"note\">The first \(HTMLText.grouped(rowLimit)) of \(HTMLText.grouped(rejected)), by line.</p>\n"
        }
        html += "<table class=\"rows\">\n<thead><tr><th>line</th><th>external_id</th><th>codes</th><th>messages</th></tr></thead>\n"
        html += "<tbody>\n"
        try output.write(html)

        var listed = 0
        try log.forEachRow(uploadID: upload.id, rejectedOnly: true, limit: rowLimit) { row in
            try output.write(tableRow(row))
            listed += 1
        }

        var tail = "</tbody>\n</table>\n"
        let more = rejected - listed
        if more > 0 {
            tail += "<p class=\"more\" id=\"rows-not-listed\" data-count=\"\(more)\">"
            tail += more == 1
                ? "1 more rejected row is not listed."
                : "\(HTMLText.grouped(more)) more rejected rows are not listed."
            tail += "</p>\n"
        }
        try output.write(tail + "</section>\n")
    }

    /// One rejected row: its line, external_id, and its errors' codes and messages, one per line.
    static func tableRow(_ row: UploadRowRecord) -> String {
        var html = "<tr data-line=\"\(row.line)\"><td class=\"line\">\(row.line)</td><td class=\"mono\">"
        html += row.externalID.map(HTMLText.escaped) ?? "<span class=\"none\">none</span>"
        html += "</td>"
        switch row.errors {
        case .errors(let errors):
            html += "<td>" + errors.map { "<code>\(HTMLText.escaped($0.code.rawValue))</code>" }.joined(separator: "<br>") + "</td>"
            html += "<td>" + errors.map { error in
                // Messages name their field already; say it only where one does not.
                guard let field = error.field, !error.message.contains(field) else { return HTMLText.escaped(error.message) }
                return "<span class=\"field\">\(HTMLText.escaped(field)):</span> " + HTMLText.escaped(error.message)
            }.joined(separator: "<br>") + "</td>"
        case .unreadable(let stored):
            // Not the shape the store writes: show it as stored rather than lose it.
            html += "<td class=\"none\">unreadable</td><td class=\"mono\">\(HTMLText.escaped(stored))</td>"
        }
        return html + "</tr>\n"
    }
}

/// Why the HTML report could not be written from the store.
package enum HTMLReportError: Error, Equatable, CustomStringConvertible {
    /// No upload with this id in the store (the caller reports only uploads it has just recorded or found).
    case uploadNotFound(String)

    package var description: String {
        switch self {
        case .uploadNotFound(let id): "no upload \(TerminalText.safe(id)) in the store"
        }
    }
}
