import CardUploadReport
import Testing

/// Text from a file printed on stderr: control characters escaped, card numbers masked.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAreEscaped() {
        #expect(TerminalText.safe("a\u{1B}[2Jb") == "a\\x1b[2Jb")
        #expect(TerminalText.safe("tab\there\r\n") == "tab\\x09here\\x0d\\x0a")
        #expect(TerminalText.safe("c1\u{85}") == "c1\\x85")
    }

    @Test func cardNumbersAreMasked() {
        #expect(TerminalText.safe("pan 4111 1111 1111 1111 end") == "pan **** **** **** 1111 end")
    }
}
