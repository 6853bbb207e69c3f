/// One reason a row was rejected: the field it concerns (nil for the whole record), the code and a message.
///
/// `field` is the column name as the user wrote it (`details.last_four`, `metadata.cost_center`).
/// A message names the rule and the value; a value that holds a card number is masked before it gets here.
package struct RowError: Sendable, Equatable, Hashable {
    package var field: String?
    package var code: ErrorCode
    package var message: String
    /// What to tell the person fixing the file, once for all the rows this error is on (SPEC §10); not
    /// stored, and not part of the error's identity.
    package var hint: FileHint?

    package init(field: String?, code: ErrorCode, message: String, hint: FileHint? = nil) {
        self.field = field
        self.code = code
        self.message = message
        self.hint = hint
    }

    package static func == (lhs: RowError, rhs: RowError) -> Bool {
        lhs.field == rhs.field && lhs.code == rhs.code && lhs.message == rhs.message
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(code)
        hasher.combine(message)
    }

    /// The error with every card number in its field and message masked (`CardNumber.mask`): what the
    /// store, the spool and the rejects file keep, whatever stage made the error.
    package var masked: RowError {
        RowError(
            field: field.map(CardNumber.mask), code: code, message: CardNumber.mask(message),
            hint: hint.map { FileHint($0.kind, CardNumber.mask($0.text)) })
    }
}
