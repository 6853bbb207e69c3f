import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport
import CardUploadRules
import CardUploadStore

/// What a reconcile run found: the counts, the first line of each result other than `match`, and how it ended.
package struct ReconcileSummary {
    package var counts = ReconcileCounts()
    /// The first line of each result other than `match`, in the order first met.
    package var firstLines: [(result: String, line: Int)] = []
    /// A file-level error: the rows before it were compared, extra cards not listed.
    package var fileError: FileError?
    /// Set when a stop was requested: no report was written.
    package var stopReason: StopReason?
    /// The error that kept the comparison from running (the store, the input or the report cannot be
    /// opened; `--encoding` for a JSON-lines file), or ended it (a database error).
    package var failure: (any Error)?
    /// How long the comparison took, in seconds.
    package var seconds: Double = 0

    /// Whether every row matches and no extra card was found.
    package var everythingMatches: Bool { counts.match == counts.rows && counts.extra == 0 }
}

/// Compares one upload file with the store, row by row, and writes nothing to the store (SPEC §7): the file is
/// read as `process` reads it, each row validated by the same rules, and each valid row compared by its key with
/// the stored card. The store is opened read-only and read in one snapshot.
///
/// Memory is one input chunk, one record and the report's 64 KiB buffers; with `--extra`, also
/// `ReconcileMentions` (one bit per card of the store, and the file's entity ids) — never a row per row of the file.
package final class ReconcileJob {
    private var options: ReconcileOptions
    private let store: LoadStore
    private let stop: StopToken
    private let progress: (any ProgressSink)?
    private var summary = ReconcileSummary()

    /// Compares `options.file` with `store` (opened read-only); `stop` is checked between rows.
    package init(options: ReconcileOptions, store: LoadStore, stop: StopToken, progress: (any ProgressSink)? = nil) {
        self.options = options
        self.store = store
        self.stop = stop
        self.progress = progress
    }

    /// Runs the comparison; never throws: what kept it from running is the summary's `failure`. A stopped
    /// run writes no report: a partial comparison would read as a complete one.
    package func run() -> ReconcileSummary {
        let started = ContinuousClock.now
        do {
            try compare()
        } catch {
            summary.failure = error
        }
        let elapsed = (ContinuousClock.now - started).components
        summary.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return summary
    }

    private func compare() throws {
        let database = try store.readOnlyDatabase()
        let input = try OpenedInput(path: options.file, settings: options.input, stop: stop)
        try input.detectFormat()
        options.kind = input.kind
        if input.kind.takesNativeOptions, let error = options.input.defaultEntityError { throw OptionConflictError(message: error) }
        if !input.kind.takesNativeOptions { options.input.defaultEntity = nil }
        // The report is opened before the first row is read: one that cannot be created is exit 73 at once.
        let report = try options.reportPath.map { path throws(OutputError) in
            try ReconcileReportWriter(output: try OutputFile(path: path))
        }

        let store = CardStore.Reconciliation(database: database)
        try store.readSnapshot {
            var mentions = options.listsExtra ? ReconcileMentions(largestRowID: try store.largestRowID()) : nil
            do {
                let reader = try input.reader(kind: options.kind)
                try compareRows(from: reader, store: store, source: input.source, mentions: &mentions, report: report)
                try stop.check()
                if let mentions { try listExtraCards(mentions, store: store, report: report) }
            } catch let error as FileError where !stop.isRequested {
                // Rows before the error stay in the report; extra cards are not listed, since the rest of the
                // file might have mentioned them.
                summary.fileError = error
            } catch is FileError {
                summary.stopReason = stop.reason
            } catch let stopped as Stopped {
                summary.stopReason = stopped.reason
            }
        }
        if summary.stopReason != nil { return }
        do {
            try report?.finish(counts: summary.counts, error: summary.fileError)
        } catch {
            // The reader of standard output went away (`| head`): the comparison itself is complete.
            guard error.isBrokenPipe else { throw error }
        }
    }

    /// Validates and compares every record in file order.
    private func compareRows(
        from reader: any RecordReader, store: CardStore.Reconciliation, source: ByteSource,
        mentions: inout ReconcileMentions?, report: ReconcileReportWriter?
    ) throws {
        defer { progress?.clear() }
        var context = RowCheckContext(defaultEntity: options.input.defaultEntity)
        while let record = try reader.next() {
            try stop.check()
            let row: ReconcileRow
            switch record.content {
            case .unreadable(let error):
                row = ReconcileRow(line: record.line, externalID: nil, entityID: nil, result: .invalid([error]))
            case .card, .lead:
                switch options.kind.check(record.content, &context) {
                case .success(let card):
                    let result: ReconcileResult
                    let comparison = switch card {
                    case .native(let request): try store.compare(request)
                    case .lead(let lead): try store.compare(lead)
                    }
                    switch comparison {
                    case .missing:
                        result = .missing
                    case .found(let cardID, let rowID, let differing):
                        mentions?.insert(rowID: rowID)
                        result = differing.isEmpty ? .match(cardID: cardID) : .differs(cardID: cardID, fields: differing)
                    }
                    mentions?.insert(entityID: card.entityID)
                    row = ReconcileRow(line: record.line, externalID: card.externalID, entityID: card.entityID, result: result)
                case .failure(let errors):
                    let (externalID, entityID) = Self.key(of: record.content, defaultEntity: options.input.defaultEntity)
                    if mentions != nil {
                        try noteMention(externalID: externalID, entityID: entityID, store: store, mentions: &mentions)
                    }
                    row = ReconcileRow(
                        line: record.line, externalID: externalID.map(CardNumber.mask), entityID: entityID.map(CardNumber.mask),
                        result: .invalid(errors.errors))
                }
            }
            summary.counts.add(row.result)
            if case .match = row.result {} else if !summary.firstLines.contains(where: { $0.result == row.result.name }) {
                summary.firstLines.append((row.result.name, row.line))
            }
            try report?.write(row)
            progress?.update(bytes: source.bytesRead, total: source.size, rows: summary.counts.rows)
        }
    }

    /// A row that fails the rules still mentions its key and entity when they are well formed: its card (if any)
    /// is not an extra card, and its entity is one of the file's.
    private func noteMention(
        externalID: String?, entityID: String?, store: CardStore.Reconciliation, mentions: inout ReconcileMentions?
    ) throws {
        // A Lead file's entity ids are the client's own: only a native id must look like the API's.
        guard let entityID, !entityID.isEmpty,
              !options.kind.takesNativeOptions || CardRules.entityIDError(entityID) == nil else { return }
        mentions?.insert(entityID: entityID)
        if let externalID, let rowID = try store.rowID(entityID: entityID, externalID: externalID) {
            mentions?.insert(rowID: rowID)
        }
    }

    /// Lists the cards of the file's entities that no row mentioned, entity by entity.
    private func listExtraCards(
        _ mentions: ReconcileMentions, store: CardStore.Reconciliation, report: ReconcileReportWriter?
    ) throws {
        for entityID in mentions.entityIDs {
            try store.forEachCard(ofEntity: entityID) { rowID, cardID, externalID in
                guard !mentions.contains(rowID: rowID) else { return }
                try stop.check()
                summary.counts.extra += 1
                try report?.writeExtra(cardID: cardID, externalID: CardNumber.mask(externalID), entityID: entityID)
            }
        }
    }

    /// The key a row that failed the rules names, as given: (external_id or client_card_id, entity_id).
    private static func key(of content: RawRecord.Content, defaultEntity: String?) -> (String?, String?) {
        switch content {
        case .card(let raw): (string(raw.externalID), string(raw.entityID) ?? defaultEntity)
        case .lead(let row): (row[.clientCardID], row[.entityID])
        case .unreadable: (nil, nil)
        }
    }

    /// A raw value that is a string, else nil.
    private static func string(_ value: RawValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }
}
