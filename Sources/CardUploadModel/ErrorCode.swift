/// Every error code the product reports, spelled as SPEC.md spells it.
package enum ErrorCode: String, Sendable, CaseIterable, Hashable {
    // File level (the whole file fails, exit 65 unless noted).
    case unknownColumn = "unknown_column"
    case missingColumn = "missing_column"
    case duplicateColumn = "duplicate_column"
    case columnNotSettable = "column_not_settable"
    case malformedHeader = "malformed_header"
    case malformedCSV = "malformed_csv"
    case emptyFile = "empty_file"
    case corruptGzip = "corrupt_gzip"
    /// The file is a spreadsheet workbook (a ZIP or OLE container: `.xlsx`, `.xls`), not text (SPEC §10).
    case notATextFile = "not_a_text_file"
    case outputError = "output_error"

    // Record level (one row rejected, the load goes on).
    case malformedRecord = "malformed_record"
    case recordTooLarge = "record_too_large"

    // Field level (card rules, SPEC §3).
    case missingField = "missing_field"
    case invalidFormat = "invalid_format"
    case tooLong = "too_long"
    case invalidEnum = "invalid_enum"
    case unsupportedCardType = "unsupported_card_type"
    case metadataLimit = "metadata_limit"
    case invalidType = "invalid_type"
    case fieldNotSettable = "field_not_settable"
    case unknownField = "unknown_field"
    case panDetected = "pan_detected"

    // Checks against the store.
    case cardNotFound = "card_not_found"
    case replacedCardNotClosed = "replaced_card_not_closed"
    case cardAlreadyReplaced = "card_already_replaced"
    case idempotencyConflict = "idempotency_conflict"

    // File level, process-dir's trust boundary (SPEC §1).
    /// process-dir: an upload name in INBOX that is a link, a hard-linked file, a FIFO… (moved to FAILED unread).
    case notARegularFile = "not_a_regular_file"
    /// process-dir: the claimed file's size or modification time changed while it was loaded (exit 75).
    case fileChanged = "file_changed"
    /// process-dir: past `--max-rows` or `--max-bytes`.
    case fileTooLarge = "file_too_large"

    // Lead card files (SPEC §9). File level:
    /// A Lead card file whose delimiter is not `|` (Lead: "do not use a comma or semicolon").
    case invalidDelimiter = "invalid_delimiter"
    // Field level:
    /// client_card_id starts with `card_` (Lead: Invalid Namespace).
    case invalidNamespace = "invalid_namespace"
    /// activated_at before created_at.
    case invalidActivation = "invalid_activation"
    /// expiry_date before the date of activated_at or created_at (Lead: Invalid Expiration).
    case invalidExpiration = "invalid_expiration"
    /// closed_at before created_at.
    case invalidClosure = "invalid_closure"
    /// closed_at or closed_reason missing on a closed card (one error per missing column).
    case missingClosureDetails = "missing_closure_details"
    /// generated_at differs from the file's (the first row's).
    case inconsistentGeneratedAt = "inconsistent_generated_at"
    /// replaced_by on a card that is still active.
    case replacedCardNotTerminal = "replaced_card_not_terminal"
    // Against the store:
    /// replaced_by names no card of the entity, stored or in the file, or a card already the replacement of another.
    case invalidCardReference = "invalid_card_reference"
    /// A change to one of Lead's immutable fields (one error per column).
    case immutableField = "immutable_field"
    /// A change to a closed card other than a first replaced_by.
    case cardClosed = "card_closed"
    /// A status move the lifecycle does not allow.
    case invalidStatusTransition = "invalid_status_transition"
}
