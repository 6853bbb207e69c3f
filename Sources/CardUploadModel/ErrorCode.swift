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
}
