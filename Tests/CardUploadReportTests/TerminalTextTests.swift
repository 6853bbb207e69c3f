import CardUploadReport
import Testing

/// Text from a file printed on stderr: control characters, format characters and line and paragraph
/// separators escaped, card numbers masked.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect(TerminalText.safe("a\u{1B}[2Jb") == "a\\x1b[2Jb")
        #expect(TerminalText.safe("tab\there\r\n") == "tab\\x09here\\x0d\\x0a")
        #expect(TerminalText.safe("c1\u{85}") == "c1\\x85")
        #expect(TerminalText.safe("nul\u{0}del\u{7F}") == "nul\\x00del\\x7f")
    }

    /// SPEC §1: categories Cf, Zl and Zp would reorder (U+202E) or split (U+2028) a log line in a viewer.
    @Test(arguments: [
        ("evil\u{202E}vsc.exe", "evil\\u202evsc.exe"),
        ("one\u{2028}two", "one\\u2028two"),
        ("one\u{2029}two", "one\\u2029two"),
        ("zero\u{200B}width", "zero\\u200bwidth"),
        ("\u{FEFF}bom", "\\ufeffbom"),
        ("soft\u{AD}hyphen", "soft\\u00adhyphen"),
        ("isolate\u{2066}x\u{2069}", "isolate\\u2066x\\u2069"),
        ("tag\u{E0041}", "tag\\U000e0041"),
    ])
    func formatCharactersAndSeparatorsAreEscaped(text: String, shown: String) {
        #expect(TerminalText.safe(text) == shown)
    }

    @Test func otherTextIsKept() {
        let text = "café ünïcødé 😀 日本語 e\u{301} a\u{A0}b ‐ \\x1b"
        #expect(TerminalText.safe(text) == text)
    }

    @Test func cardNumbersAreMasked() {
        #expect(TerminalText.safe("pan 4111 1111 1111 1111 end") == "pan **** **** **** 1111 end")
    }
}
