import CardUploadModel
import CardUploadRules

/// A row that passes every rule; tests change one field of it.
func validCard(_ change: (inout RawCard) -> Void = { _ in }) -> RawCard {
    var card = RawCard(
        externalID: .string("ext-1"),
        accountID: .string("account_abc"),
        entityID: .string("entity_1"),
        lastFour: .string("0042")
    )
    change(&card)
    return card
}

/// The errors of `card`, empty when it is valid.
func rowErrors(_ card: RawCard, defaultEntity: String? = nil) -> [RowError] {
    switch CardRules.validate(card, defaultEntity: defaultEntity) {
    case .success: return []
    case .failure(let errors): return errors.errors
    }
}

/// The request made of `card`, nil when it is rejected.
func request(_ card: RawCard, defaultEntity: String? = nil) -> CardRequest? {
    try? CardRules.validate(card, defaultEntity: defaultEntity).get()
}

/// The (field, code) pairs of `card`'s errors, in order.
func fieldCodes(_ card: RawCard, defaultEntity: String? = nil) -> [FieldCode] {
    rowErrors(card, defaultEntity: defaultEntity).map { FieldCode($0.field, $0.code) }
}

/// A field and an error code, comparable in `#expect`.
struct FieldCode: Equatable, CustomStringConvertible {
    var field: String?
    var code: ErrorCode
    init(_ field: String?, _ code: ErrorCode) {
        self.field = field
        self.code = code
    }
    var description: String { "\(field ?? "nil"): \(code.rawValue)" }
}

/// `text` repeated `count` times.
func repeated(_ text: String, _ count: Int) -> String {
    String(repeating: text, count: count)
}

/// Byte-for-byte equality: Swift `==` takes canonically equivalent strings as equal.
func sameBytes(_ left: String, _ right: String) -> Bool {
    left.utf8.elementsEqual(right.utf8)
}

/// Card numbers used across the tests (test PANs, Luhn-valid).
enum PAN {
    static let visa = "4111111111111111"
    static let visaMasked = "************1111"
}
