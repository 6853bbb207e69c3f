import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadRules
import CardUploadStore

/// A kind of card file: the one value the load asks for everything that differs between kinds, so the
/// load loop never branches on a format. The native format (SPEC §2–§5) is the first kind; Lead's card
/// file (SPEC §9) is to be the second.
package struct CardFileKind: Sendable {
    /// The kind's name, as reports and errors name it.
    package var name: String

    /// Header rules and row mapping: opens the reader for the input's format, which checks the header
    /// and maps each record to a raw card.
    package var openReader: @Sendable (_ format: InputFormat, _ chunks: any ChunkSource, _ input: InputSettings)
        throws(FileError) -> any RecordReader

    /// Field rules: a raw card checked into the request to apply, or its row errors.
    package var check: @Sendable (_ raw: RawCard, _ defaultEntity: String?) -> Result<CardRequest, RowErrors>

    /// The form a valid row's card is stored in, read without the rules (a file loaded again is replayed
    /// by comparing it with the store); nil when the row must go through `check`.
    package var storedForm: @Sendable (_ raw: RawCard, _ defaultEntity: String?) -> StoredForm?

    /// Store semantics: how a checked request meets the card already stored under its key.
    package var apply: @Sendable (_ cards: CardStore, _ request: CardRequest, _ write: CardWrite) throws(DatabaseError)
        -> RowOutcome
}

/// What one card write needs besides the request: the conflict policy, where the row comes from, the new
/// card's id and the time.
package struct CardWrite {
    package var policy: ConflictPolicy
    package var uploadSeq: Int64?
    /// The row's line, recorded on a card the row creates (nil for a dry run, whose cards are rolled back).
    package var uploadLine: Int?
    package var newCardID: String?
    package var now: String
}

extension CardFileKind {
    /// The native upload format: CSV, TSV or JSON lines with the API body's fields (SPEC §2–§5).
    package static let native = CardFileKind(
        name: "native",
        openReader: { format, chunks, input throws(FileError) in
            switch format {
            case .csv, .tsv:
                let options = CSVOptions(
                    delimiter: input.delimiter ?? (format == .tsv ? 0x09 : nil), encoding: input.encoding,
                    hasDefaultEntity: input.defaultEntity != nil)
                return try CSVRecordReader(source: chunks, options: options)
            case .jsonl:
                return JSONLinesRecordReader(source: chunks)
            }
        },
        check: { raw, defaultEntity in CardRules.validate(raw, defaultEntity: defaultEntity) },
        storedForm: { raw, defaultEntity in CardRules.storedForm(raw, defaultEntity: defaultEntity) },
        apply: { cards, request, write throws(DatabaseError) in
            try cards.apply(
                request, policy: write.policy, uploadSeq: write.uploadSeq, uploadLine: write.uploadLine,
                newCardID: write.newCardID, now: write.now)
        })
}
