import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadRules
import CardUploadStore

/// A row that passed its kind's field rules: the card to apply.
package enum CheckedCard: Sendable {
    case native(CardRequest)
    case lead(LeadCard)

    /// The row's key (SPEC §4): external_id (a Lead card's client_card_id) and entity_id.
    var externalID: String {
        switch self {
        case .native(let request): request.externalID
        case .lead(let card): card.clientCardID
        }
    }

    var entityID: String {
        switch self {
        case .native(let request): request.entityID
        case .lead(let card): card.entityID
        }
    }

    /// A Lead card's client_card_id hash (`CardKey.leadIDHash`, its second entry in the key index); nil for a
    /// native card.
    var leadIDHash: Int64? {
        switch self {
        case .native: nil
        case .lead(let card): CardKey.leadIDHash(clientCardID: card.clientCardID)
        }
    }
}

/// What the field rules carry from row to row of one file (on the reading thread).
package struct RowCheckContext: Sendable {
    /// `--entity` (native files).
    package var defaultEntity: String?
    /// A Lead file's generated_at: the first row's (SPEC §9).
    package var fileGeneratedAt: String?
    /// Hints the field rules found on rows they accepted (a Lead date-time without a zone).
    package var hints = FileHints()

    package init(defaultEntity: String?) {
        self.defaultEntity = defaultEntity
    }
}

/// The stores a load writes cards with, one per kind of file.
package final class CardWriters {
    package let native: CardStore
    package let lead: LeadCardStore

    package init(database: Database) {
        native = CardStore(database: database)
        lead = LeadCardStore(database: database)
    }

    /// Whether the last row's key was already stored (the reading thread then draws no card ids).
    var expectsStoredKeys: Bool { native.expectsStoredKeys || lead.expectsStoredKeys }

    /// The first and last rowid of the cards created since the last call, whichever store created them.
    func takeCreatedRowIDs() -> ClosedRange<Int64>? {
        let ranges = [native.takeCreatedRowIDs(), lead.takeCreatedRowIDs()].compactMap { $0 }
        guard let first = ranges.first else { return nil }
        return ranges.dropFirst().reduce(first) { min($0.lowerBound, $1.lowerBound)...max($0.upperBound, $1.upperBound) }
    }
}

/// A kind of card file: the one value the load asks for everything that differs between kinds, so the
/// load loop never branches on a format. The native format (SPEC §2–§5) and Lead's card file (SPEC §9).
package struct CardFileKind: Sendable {
    /// The kind's name, as reports and errors name it (`format` in reports for a Lead file).
    package var name: String
    /// Whether the file is loaded all or nothing unless `--partial` is given (Lead: every file at the file level).
    package var isAtomicByDefault: Bool
    /// Whether `--entity` and `--on-conflict` apply.
    package var takesNativeOptions: Bool

    /// Whether this is Lead's card file, whose cards take two entries of the key index each.
    package var isLead: Bool { name == Self.lead.name }

    /// Header rules and row mapping: opens the reader for the input's format, which checks the header
    /// and maps each record to a raw card.
    package var openReader: @Sendable (_ format: InputFormat, _ chunks: any ChunkSource, _ input: InputSettings)
        throws(FileError) -> any RecordReader

    /// Field rules: a record's content checked into the card to apply, or its row errors.
    package var check: @Sendable (_ content: RawRecord.Content, _ context: inout RowCheckContext) -> Result<CheckedCard, RowErrors>

    /// The form a valid row's card is stored in, read without the rules (a file loaded again is replayed
    /// by comparing it with the store); nil when the row must go through `check`.
    package var storedForm: @Sendable (_ content: RawRecord.Content, _ defaultEntity: String?) -> StoredForm?

    /// Store semantics: how a checked card meets the card already stored under its key; `.held` when it
    /// waits for the rest of the file (a Lead row naming a card that comes later).
    package var apply: @Sendable (_ writers: CardWriters, _ card: CheckedCard, _ write: CardWrite) throws(DatabaseError)
        -> AppliedRow
}

/// What one card write needs besides the card: the conflict policy, where the row comes from, the new
/// card's id and the time.
package struct CardWrite {
    package var policy: ConflictPolicy
    package var uploadSeq: Int64?
    /// The row's line in the file.
    package var line: Int
    /// The row's line, recorded on a card the row creates (nil for a dry run, whose cards are rolled back).
    package var uploadLine: Int?
    package var newCardID: String?
    /// The key's hash (`CardKey.hash`) and a Lead card's client_card_id hash (`CardKey.leadIDHash`), computed on
    /// the reading thread; nil: the store computes them.
    package var keyHash: Int64?
    package var leadIDHash: Int64?
    package var now: String
    /// What a reference to a card not stored yet does (Lead files).
    package var forward: LeadCardStore.ForwardReferences = .hold
    /// The record's cells, kept with a held row for the rejects file.
    package var cells: [String]?
}

extension CardFileKind {
    /// The kind whose header `isLead` says: Lead's card file or the native format.
    package static func of(isLead: Bool) -> CardFileKind { isLead ? .lead : .native }

    /// The native upload format: CSV, TSV or JSON lines with the API body's fields (SPEC §2–§5).
    package static let native = CardFileKind(
        name: "native", isAtomicByDefault: false, takesNativeOptions: true,
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
        check: { content, context in
            guard case .card(let raw) = content else { return .failure(RowErrors([Self.wrongKind])) }
            let checked = CardRules.validate(raw, defaultEntity: context.defaultEntity)
            if case .failure = checked { context.hints.add(contentsOf: CardRules.hints(for: raw)) }
            return checked.map(CheckedCard.native)
        },
        storedForm: { content, defaultEntity in
            guard case .card(let raw) = content else { return nil }
            return CardRules.storedForm(raw, defaultEntity: defaultEntity)
        },
        apply: { writers, card, write throws(DatabaseError) in
            guard case .native(let request) = card else { return .outcome(.rejected([Self.wrongKind])) }
            return .outcome(try writers.native.apply(
                request, policy: write.policy, uploadSeq: write.uploadSeq, uploadLine: write.uploadLine,
                newCardID: write.newCardID, keyHash: write.keyHash, now: write.now))
        })

    /// Lead's daily card file (SPEC §9): pipe-delimited CSV with Lead's 14 columns, all or nothing by default.
    package static let lead = CardFileKind(
        name: "lead-card", isAtomicByDefault: true, takesNativeOptions: false,
        openReader: { format, chunks, input throws(FileError) in
            let options = CSVOptions(
                delimiter: input.delimiter ?? (format == .tsv ? 0x09 : nil), encoding: input.encoding, leadCard: true)
            return try CSVRecordReader(source: chunks, options: options)
        },
        check: { content, context in
            guard case .lead(let raw) = content else { return .failure(RowErrors([Self.wrongKind])) }
            let checked = LeadRules.check(raw, fileGeneratedAt: &context.fileGeneratedAt)
            if case .success = checked, !context.hints.list.contains(where: { $0.kind == .leadTimeZone }),
               let hint = LeadRules.noZoneHint(raw) {
                context.hints.add(hint)
            }
            return checked.map(CheckedCard.lead)
        },
        storedForm: { _, _ in nil },
        apply: { writers, card, write throws(DatabaseError) in
            guard case .lead(let lead) = card else { return .outcome(.rejected([Self.wrongKind])) }
            let applied = try writers.lead.apply(
                lead, line: write.line, uploadSeq: write.uploadSeq, uploadLine: write.uploadLine,
                newCardID: write.newCardID, keyHash: write.keyHash, idHash: write.leadIDHash, now: write.now,
                forward: write.forward)
            if case .held = applied, case .hold = write.forward {
                try writers.lead.hold(lead, line: write.line, cells: write.cells)
            }
            return applied
        })

    /// A row of the other kind: cannot happen (the header decides the kind of every row).
    private static let wrongKind = RowError(
        field: nil, code: .malformedRecord, message: "the row is not of the file's kind (a bug: please report it)")
}
