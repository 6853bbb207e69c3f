/// The HTML report's chart of rejected rows by error code: an inline SVG with one horizontal bar per
/// code, most rows first, each bar's length scaled to the largest count.
///
/// Every bar is one `<rect data-code="…" data-count="…">` followed by its count as text; the chart has
/// no other `<rect>`, so a reader (or a test) can count the bars.
package enum HTMLBarChart {
    static let labelWidth = 220
    static let barSpace = 400
    static let countWidth = 80
    static let rowHeight = 26
    static let barHeight = 18

    /// The SVG for `bars` (code, rows), or nil when there is nothing to draw.
    package static func svg(_ bars: [(code: String, rows: Int)]) -> String? {
        guard let largest = bars.map(\.rows).max(), largest > 0 else { return nil }
        let ordered = bars.sorted { $0.rows != $1.rows ? $0.rows > $1.rows : $0.code < $1.code }
        let width = labelWidth + barSpace + countWidth
        let height = ordered.count * rowHeight + 8
        var svg = "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" width=\"\(width)\" height=\"\(height)\""
        svg += " viewBox=\"0 0 \(width) \(height)\">\n"
        svg += "<title id=\"chart-title\">Rejected rows by error code</title>\n"
        for (index, bar) in ordered.enumerated() {
            let code = HTMLText.escaped(bar.code)
            let top = 4 + index * rowHeight
            let textY = top + rowHeight / 2 + 4
            // At least one pixel, so a code with one row among thousands still shows.
            let length = max(1, Int((Double(bar.rows) / Double(largest) * Double(barSpace)).rounded()))
            svg += "<g class=\"bar\">"
            svg += "<text class=\"code\" x=\"\(labelWidth - 10)\" y=\"\(textY)\" text-anchor=\"end\">\(code)</text>"
            svg += "<rect data-code=\"\(code)\" data-count=\"\(bar.rows)\" x=\"\(labelWidth)\""
            svg += " y=\"\(top + (rowHeight - barHeight) / 2)\" width=\"\(length)\" height=\"\(barHeight)\">"
            svg += "<title>\(code): \(HTMLText.grouped(bar.rows)) \(bar.rows == 1 ? "row" : "rows")</title></rect>"
            svg += "<text class=\"count\" x=\"\(labelWidth + length + 6)\" y=\"\(textY)\">\(bar.rows)</text>"
            svg += "</g>\n"
        }
        svg += "</svg>"
        return svg
    }
}
