/// The ASCII bytes the card rules look at, named (a namespace of our own, so a stage before this
/// one that names the same bytes on `UInt8` cannot make a name ambiguous here).
enum ASCII {
    static let zero = UInt8(ascii: "0")
    static let two = UInt8(ascii: "2")
    static let six = UInt8(ascii: "6")
    static let nine = UInt8(ascii: "9")
    static let asterisk = UInt8(ascii: "*")
    static let space = UInt8(ascii: " ")
    static let dash = UInt8(ascii: "-")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let underscore = UInt8(ascii: "_")

    /// `0`–`9` only: other scripts' digits are never ASCII.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    /// A space or a dash: the separators allowed, one at a time, between the digits of a card number.
    @inline(__always)
    static func isCardNumberSeparator(_ byte: UInt8) -> Bool { byte == space || byte == dash }

    /// `[A-Za-z0-9_]`, the `\w` of the API's patterns.
    @inline(__always)
    static func isWordCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), zero...nine, underscore: true
        default: false
        }
    }

    /// ASCII White_Space: tab, line feed, vertical tab, form feed, carriage return, space.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool { (byte >= 0x09 && byte <= 0x0D) || byte == space }
}
