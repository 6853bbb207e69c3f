/// One reason a row was rejected: the field it concerns (nil for the whole record), the code and a message.
///
/// `field` is the column name as the user wrote it (`details.last_four`, `metadata.cost_center`).
/// A message names the rule and the value; a value that holds a card number is masked before it gets here.
package struct RowError: Sendable, Equatable, Hashable {
    package var field: String?
    package var code: ErrorCode
    package var message: String

    package init(field: String?, code: ErrorCode, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// The error with every card number in its field and message masked (`CardNumber.mask`): what the
    /// store, the spool and the rejects file keep, whatever stage made the error.
    package var masked: RowError {
        RowError(field: field.map(CardNumber.mask), code: code, message: CardNumber.mask(message))
    }
}
