import Testing

@testable import CardUploadParsing

/// Every strictness rule of the document parser, each as a small literal.
@Suite struct JSONDocumentParserTests {
    static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONDocumentParser.parse(Array(text.utf8))
    }

    static func parse(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONDocumentParser.parse(bytes)
    }

    /// The error a text gives, or nil when it parses.
    static func error(_ bytes: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONDocumentParser.parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func error(_ text: String) -> JSONSyntaxError? {
        error(Array(text.utf8))
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    static func nestedObjects(_ depth: Int) -> String {
        String(repeating: "{\"a\":", count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    // MARK: - Accepted

    @Test func parsesEveryKindOfValueKeepingKeyOrder() throws {
        let value = try Self.parse(" {\"z\" : [1, -2.5e-3, true, false, null, \"s\"], \"a\":{}, \"m\":[]} \r\n\t")
        #expect(value == .object([
            ("z", .array([.number("1"), .number("-2.5e-3"), .bool(true), .bool(false), .null, .string("s")])),
            ("a", .object([])),
            ("m", .array([])),
        ]))
    }

    @Test func keepsNumbersAsTheirLiteralText() throws {
        let value = try Self.parse("[-0, 0.0e+00, 1E400, 123456789012345678901234567890, 1e-999]")
        #expect(value == .array([
            .number("-0"), .number("0.0e+00"), .number("1E400"),
            .number("123456789012345678901234567890"), .number("1e-999"),
        ]))
    }

    @Test func unescapesStrings() throws {
        let value = try Self.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC\ud83d\ude00", "\u0000", "plain é €"]"#)
        #expect(value == .array([
            .string("a\"b\\c/d\u{08}\u{0C}\n\r\t"),
            .string("é€😀"),
            .string("\u{0}"),
            .string("plain é €"),
        ]))
    }

    @Test func acceptsSameKeyInDifferentObjects() throws {
        _ = try Self.parse(#"{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}"#)
    }

    /// "é" precomposed and "e" + combining acute are canonically equivalent (Swift's `==` says equal) but different bytes.
    @Test func keysThatAreOnlyCanonicallyEquivalentAreDistinct() throws {
        let value = try Self.parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        guard case .object(let members) = value else {
            Issue.record("not an object")
            return
        }
        #expect(members.count == 2)
        // Also past the linear-scan limit, where keys go into a set.
        let many = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        _ = try Self.parse("{\(many),\"\u{E9}\":1,\"e\u{301}\":2,\"\u{212B}\":3,\"\u{C5}\":4}")
    }

    @Test func acceptsDepth64AndRejectsDepth65() throws {
        _ = try Self.parse(Self.nested(64))
        _ = try Self.parse(Self.nestedObjects(64))
        #expect(Self.error(Self.nested(65)) == JSONSyntaxError(message: "nesting deeper than 64 levels", offset: 64))
        #expect(Self.error(Self.nestedObjects(65))?.message == "nesting deeper than 64 levels")
        #expect(Self.error(String(repeating: "[", count: 100_000))?.message == "nesting deeper than 64 levels")
    }

    @Test func acceptsValidMultiByteUTF8() throws {
        // 2-, 3- and 4-byte sequences at the edges of their ranges: U+0080, U+07FF, U+0800, U+FFFF, U+10000, U+10FFFF.
        let bytes: [UInt8] = [0x22, 0xC2, 0x80, 0xDF, 0xBF, 0xE0, 0xA0, 0x80, 0xEF, 0xBF, 0xBF,
                              0xF0, 0x90, 0x80, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        #expect(try Self.parse(bytes: bytes) == .string("\u{80}\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}"))
    }

    // MARK: - Rejected

    @Test(arguments: [
        ("[1,]", 2), ("[1 , ]", 3), (#"{"a":1,}"#, 6), (#"{"a":1 ,  }"#, 7), ("[,]", 1), ("[1,,2]", 3),
    ])
    func rejectsTrailingAndStrayCommas(text: String, offset: Int) {
        let error = Self.error(text)
        #expect(error != nil)
        #expect(error?.offset == offset, "\(text)")
    }

    @Test func trailingCommaIsNamed() {
        #expect(Self.error("[1,]") == JSONSyntaxError(message: "a trailing comma", offset: 2))
        #expect(Self.error(#"{"a":1,}"#) == JSONSyntaxError(message: "a trailing comma", offset: 6))
    }

    @Test func rejectsDuplicateKeysByteForByte() {
        #expect(Self.error(#"{"a":1,"a":2}"#) == JSONSyntaxError(message: "a duplicate key", offset: 7))
        #expect(Self.error(#"{"a":1,"b":{"c":1,"c":1}}"#) == JSONSyntaxError(message: "a duplicate key", offset: 18))
        // Equal once unescaped.
        #expect(Self.error(#"{"\u00e9":1,"é":2}"#)?.message == "a duplicate key")
        #expect(Self.error(#"{"a":1,"\u0061":2}"#)?.message == "a duplicate key")
        // Past the linear-scan limit.
        let many = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(Self.error("{\(many),\"k3\":0}")?.message == "a duplicate key")
        #expect(Self.error("{\(many),\"k19\":0}")?.message == "a duplicate key")
    }

    @Test(arguments: [
        #""\ud800""#, #""\ud800x""#, #""\uD800\u0041""#, #""\ud800\n""#, #""\udc00""#, #""\uDFFF\uD800""#,
        #"{"\ud83d":1}"#, #""\ud800\ud800""#, #""\ud800\"#,
    ])
    func rejectsLoneSurrogates(text: String) {
        #expect(Self.error(text)?.message == "a lone surrogate escape", "\(text)")
    }

    @Test func loneSurrogateIsNamed() {
        #expect(Self.error(#"["\ud800"]"#) == JSONSyntaxError(message: "a lone surrogate escape", offset: 2))
        #expect(Self.error(#"["ab\udc00"]"#) == JSONSyntaxError(message: "a lone surrogate escape", offset: 4))
        #expect(Self.error(#""\ud800\u0041""#)?.message == "a lone surrogate escape")
    }

    @Test(arguments: [
        [0x22, 0xC3, 0x22],                 // truncated 2-byte sequence
        [0x22, 0x80, 0x22],                 // lone continuation byte
        [0x22, 0xC0, 0x80, 0x22],           // overlong NUL
        [0x22, 0xC1, 0xBF, 0x22],           // overlong
        [0x22, 0xE0, 0x80, 0xAF, 0x22],     // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22],     // encoded surrogate U+D800
        [0x22, 0xF0, 0x80, 0x80, 0xAF, 0x22], // overlong 4-byte
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        [0x22, 0xFF, 0x22],
        [0x22, 0xE2, 0x82, 0x22],           // truncated 3-byte sequence
        [0x5B, 0xC3, 0xA9, 0x5D],           // é outside a string
        [0x22, 0x5C, 0x6E, 0xE9, 0x22],     // Latin-1 é after an escape (slow path)
    ] as [[UInt8]])
    func rejectsInvalidUTF8(bytes: [UInt8]) {
        #expect(Self.error(bytes) != nil)
    }

    @Test func invalidUTF8IsNamedWithItsOffset() {
        #expect(Self.error([0x5B, 0x22, 0x61, 0xC3, 0x28, 0x22, 0x5D]) == JSONSyntaxError(message: "invalid UTF-8", offset: 3))
    }

    @Test(arguments: ["\"a\u{0}b\"", "\"a\u{1}\"", "\"\t\"", "\"a\nb\"", "\"\r\"", "\"\u{1F}\"", "\"\\n\u{1}\""])
    func rejectsUnescapedControlCharacters(text: String) {
        #expect(Self.error(text)?.message == "an unescaped control character in a string")
    }

    @Test(arguments: [#""\x""#, #""\'""#, #""\a""#, #""\U0041""#, #""\u12""#, #""\u12G4""#, #""\u""#, #""\"#, "\"\\\u{E9}\""])
    func rejectsInvalidEscapes(text: String) {
        #expect(Self.error(text) != nil, "\(text)")
    }

    @Test(arguments: [
        "01", "-01", "00", "1.", "-1.", ".5", "+1", "0x1F", "1e", "1e+", "1E-", "-", "--1", "Infinity", "-Infinity",
        "NaN", "1.e3", "- 1", "1.5.2", "1e5e5", "0.a", "1ee2", "[01]", "[1.]", "[-]", "{\"a\":01}",
    ])
    func rejectsBadNumbers(text: String) {
        #expect(Self.error(text) != nil, "\(text)")
    }

    @Test func badNumbersAreNamed() {
        #expect(Self.error("[01]") == JSONSyntaxError(message: "a number with a leading zero", offset: 2))
        #expect(Self.error("[1.]")?.message == "expected a digit after the decimal point, found an unexpected character")
        #expect(Self.error("1e") == JSONSyntaxError(message: "expected a digit in the exponent, found the end of the input", offset: 2))
    }

    @Test(arguments: [
        "{} x", "{}{}", "{}\u{0C}", "{}\u{0B}", "{}\u{A0}", "{} \u{0}", "[]]", "{}}", "1 2", "\"a\" \"b\"", "{}\u{2028}", "{}\u{FEFF}",
        "null,",
    ])
    func rejectsAnythingButWhitespaceAfterTheValue(text: String) {
        #expect(Self.error(text) != nil, "\(text)")
    }

    @Test func trailingDataIsNamedWithItsOffset() {
        #expect(Self.error("{} x") == JSONSyntaxError(message: "an unexpected character after the JSON value", offset: 3))
        #expect(Self.error("{}\u{A0}") == JSONSyntaxError(message: "a non-ASCII byte after the JSON value", offset: 2))
    }

    @Test(arguments: [
        "", " ", "\r\n", "{", "[", "{\"a\"", "{\"a\":", "{\"a\":1", "[1", "\"abc", "{\"a\":}", "{1:2}", "{'a':1}",
        "{a:1}", "{\"a\" 1}", "tru", "nul", "fals", "truth", "True", "NULL", "[1 2]", "{\"a\":1 \"b\":2}", "\u{FEFF}{}",
        "/* c */ {}", "{} // c", "\u{0C}{}",
    ])
    func rejectsOtherBrokenTexts(text: String) {
        #expect(Self.error(text) != nil, "\(text)")
    }

    @Test func messagesNeverEchoTheInput() {
        let card = "4111111111111111"
        let texts = [
            "{\"n\":\"\(card)\",}", "{\"n\":\"\(card)\",\"n\":1}", "{\"n\":\(card)x}", "{\"n\":0\(card)}",
            "{\"\(card)\":1,\"\(card)\":2}", "{\"n\":\"\(card)\\q\"}", "[\"\(card)\"] \(card)", "{\"n\":\(card).}",
        ]
        for text in texts {
            let error = Self.error(text)
            #expect(error != nil, "\(text)")
            #expect(error?.message.contains("4111") == false, "\(text)")
            #expect(error?.message.contains("1111") == false, "\(text)")
        }
    }
}
