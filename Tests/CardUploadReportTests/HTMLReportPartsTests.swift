import CardUploadReport
import Testing

/// The HTML report's small helpers (the stored errors are read back by the store: `StoredErrorsTests`).
@Suite struct HTMLReportPartsTests {
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
