import CardUploadModel
import CardUploadReport
import Testing

/// Reading back the errors array the store writes, and the HTML report's small helpers.
@Suite struct HTMLRowErrorsTests {
    @Test func readsWhatTheStoreWrites() {
        let errors = [
            RowError(field: "details.last_four", code: .invalidFormat, message: "quote \" backslash \\ slash /"),
            RowError(field: nil, code: .malformedRecord, message: "controls \u{0}\u{1}\t\n\r\u{8}\u{C}\u{1F} end"),
            RowError(field: "metadata.k\u{E9}y", code: .panDetected, message: "caf\u{E9} \u{1F600} \u{2028} ok"),
        ]
        #expect(HTMLRowErrors.parse(errors.json) == errors.map {
            HTMLRowErrors.Entry(field: $0.field, code: $0.code.rawValue, message: $0.message)
        })
        #expect(HTMLRowErrors.parse("[]") == [])
    }

    @Test func readsStandardEscapesAndWhiteSpace() {
        let json = #" [ { "message" : "\u00e9\ud83d\ude00\/\"" , "code":"too_long", "field" : null, "extra": "x" } ] "#
        #expect(HTMLRowErrors.parse(json) == [HTMLRowErrors.Entry(field: nil, code: "too_long", message: "\u{E9}\u{1F600}/\"")])
    }

    @Test(arguments: [
        "", "[", "[{}]", "{\"code\":\"x\"}", "[{\"code\":1}]", "[{\"code\":\"x\"}] x", "[{\"code\":\"x\",}]",
        "[{\"code\":\"\\ud800\"}]", "[{\"code\":\"\\udc00\"}]", "[{\"code\":\"\\x\"}]", "[{\"code\":\"a\nb\"}]",
        "[{\"code\":\"x\"},]", "[{\"code\":\"x\"", "[{\"code\":\"\\u12\"}]",
    ])
    func refusesOtherShapes(json: String) {
        #expect(HTMLRowErrors.parse(json) == nil)
    }

    @Test func escapesMarkupControlsAndCardNumbers() {
        #expect(HTMLText.escaped("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTMLText.escaped("plain text \u{E9}") == "plain text \u{E9}")
        #expect(HTMLText.escaped("tab\there\u{1B}") == "tab\\x09here\\x1b")
        #expect(HTMLText.escaped("pan 4111111111111111") == "pan ************1111")
    }

    @Test func groupsThousands() {
        #expect(HTMLText.grouped(0) == "0")
        #expect(HTMLText.grouped(999) == "999")
        #expect(HTMLText.grouped(1_001) == "1,001")
        #expect(HTMLText.grouped(5_000_000) == "5,000,000")
    }

    @Test func barsAreScaledToTheLargest() throws {
        #expect(HTMLBarChart.svg([]) == nil)
        let svg = try #require(HTMLBarChart.svg([("b_code", 1), ("a_code", 4_000), ("c<d", 2_000)]))
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 3)
        #expect(svg.contains("<rect data-code=\"a_code\" data-count=\"4000\" x=\"220\" y=\"8\" width=\"400\""))
        #expect(svg.contains("<rect data-code=\"c&lt;d\" data-count=\"2000\" x=\"220\" y=\"34\" width=\"200\""))
        // One row among thousands still gets a visible bar.
        #expect(svg.contains("<rect data-code=\"b_code\" data-count=\"1\" x=\"220\" y=\"60\" width=\"1\""))
    }
}
