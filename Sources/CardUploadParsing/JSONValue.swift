/// One parsed JSON value; numbers keep their literal text and objects keep their members in input order.
///
/// Object keys are unique byte for byte (the parser rejects duplicates), and equality compares
/// strings and keys by their UTF-8 bytes, never by Swift's canonical-equivalence `==`.
package enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number as its literal text (`-0.5e10`), never converted.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The kind of value, as a message names it ("an object", "a string"); never the value itself.
    package var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: Equatable {
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case let (.bool(left), .bool(right)):
            return left == right
        case let (.number(left), .number(right)), let (.string(left), .string(right)):
            return left.utf8.elementsEqual(right.utf8)
        case let (.array(left), .array(right)):
            return left == right
        case let (.object(left), .object(right)):
            return left.count == right.count
                && zip(left, right).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
        default:
            return false
        }
    }
}
