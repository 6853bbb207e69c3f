/// The ASCII bytes the card rules and card-number detection look at, named (a namespace of our own,
/// so a stage that names the same bytes on `UInt8` cannot make a name ambiguous).
package enum ASCII {
    // Literals, not `UInt8(ascii:)`: a literal is a constant, the initializer a lazily set global read on every byte.
    package static let zero: UInt8 = 0x30 // 0
    package static let two: UInt8 = 0x32 // 2
    package static let six: UInt8 = 0x36 // 6
    package static let nine: UInt8 = 0x39 // 9
    package static let asterisk: UInt8 = 0x2A // *
    package static let space: UInt8 = 0x20
    package static let dash: UInt8 = 0x2D // -
    package static let quote: UInt8 = 0x22 // "
    package static let backslash: UInt8 = 0x5C // \
    package static let underscore: UInt8 = 0x5F // _

    /// `0`–`9` only: other scripts' digits are never ASCII.
    @inline(__always)
    package static func isDigit(_ byte: UInt8) -> Bool { byte >= zero && byte <= nine }

    /// A space or a dash: the separators allowed, one at a time, between the digits of a card number.
    @inline(__always)
    package static func isCardNumberSeparator(_ byte: UInt8) -> Bool { byte == space || byte == dash }

    /// `[A-Za-z0-9_]`, the `\w` of the API's patterns.
    @inline(__always)
    package static func isWordCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x61...0x7A, 0x41...0x5A, 0x30...0x39, 0x5F: true  // a-z A-Z 0-9 _
        default: false
        }
    }

    /// ASCII White_Space: tab, line feed, vertical tab, form feed, carriage return, space.
    @inline(__always)
    package static func isWhitespace(_ byte: UInt8) -> Bool { (byte >= 0x09 && byte <= 0x0D) || byte == space }
}
