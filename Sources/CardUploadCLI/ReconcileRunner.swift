import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport
import CardUploadRules
import CardUploadStore

/// Compares one upload file with the store, row by row, and writes nothing to the store (SPEC §7): the file is
/// read as `process` reads it, each row validated by the same rules, and each valid row compared by its key with
/// the stored card. The store is opened read-only and read in one snapshot.
///
/// Memory is one input chunk, one record and the report's 64 KiB buffers; with `--extra`, also
/// `ReconcileMentions` (one bit per card of the store, and the file's entity ids) — never a row per row of the file.
final class ReconcileRunner {
    private let options: ReconcileOptions
    private let console: Console
    private var counts = ReconcileCounts()
    /// The first line of each result other than `match`, for the summary table.
    private var firstLines: [(result: String, line: Int)] = []

    init(options: ReconcileOptions, console: Console) {
        self.options = options
        self.console = console
    }

    private var displayName: String { options.file == "-" ? "standard input" : options.file }

    func run() throws -> ExitCode {
        let database = try StoreAccess.openReadOnly(options.databasePath)
        let source = try ByteSource.open(path: options.file)
        source.stopRequested = { StopSignal.isRequested }

        // The first bytes decide the format when neither --format nor the name does (as `process` does).
        var firstChunk: [UInt8]?
        var firstError: FileError?
        do {
            firstChunk = try source.nextChunk()
            while let prefix = firstChunk, prefix.count < 1 << 16, UploadRunner.isUndecided(prefix),
                  let more = try source.nextChunk() {
                firstChunk = prefix + more
            }
        } catch {
            firstError = error.placed(atLine: 1)
        }
        let format = options.format ?? FormatDetection.format(forFileName: options.file)
            ?? FormatDetection.sniff(firstChunk ?? [])
        if format == .jsonl, options.encodingGiven {
            throw UsageError(message: "--encoding applies to CSV and TSV only; \(options.file) is JSON lines", command: "reconcile")
        }
        // The report is opened before the first row is read: one that cannot be created is exit 73 at once.
        let report = try options.reportPath.map { path throws(OutputError) in
            try ReconcileReportWriter(output: try OutputFile(path: path))
        }

        let store = CardStore.Reconciliation(database: database)
        var fileError: FileError?
        var stopped: StopSignal.Stopped?
        try store.readSnapshot {
            var mentions = options.listsExtra ? ReconcileMentions(largestRowID: try store.largestRowID()) : nil
            do {
                if let firstError { throw firstError }
                let reader = try makeReader(format: format, chunks: PrefixedChunkSource(first: firstChunk, rest: source))
                try compareRows(from: reader, store: store, source: source, mentions: &mentions, report: report)
                try StopSignal.check()
                if let mentions { try listExtraCards(mentions, store: store, report: report) }
            } catch let error as FileError where !StopSignal.isRequested {
                // Rows before the error stay in the report; extra cards are not listed, since the rest of the
                // file might have mentioned them.
                fileError = error
            } catch is FileError {
                stopped = StopSignal.Stopped(signal: StopSignal.received)
            } catch let signal as StopSignal.Stopped {
                stopped = signal
            }
        }
        // A stopped run writes no report: a partial comparison would read as a complete one.
        if let stopped { return stopped.exitCode }

        do {
            try report?.finish(counts: counts, error: fileError)
        } catch {
            // The reader of standard output went away (`| head`): the comparison itself is complete.
            guard error.isBrokenPipe else { throw error }
        }
        printSummary(fileError: fileError)
        if fileError != nil { return .dataError }
        return counts.match == counts.rows && counts.extra == 0 ? .success : .rowsRejected
    }

    /// Opens the reader for `format` (reading the CSV header).
    private func makeReader(format: InputFormat, chunks: any ChunkSource) throws(FileError) -> any RecordReader {
        switch format {
        case .csv, .tsv:
            let csvOptions = CSVOptions(
                delimiter: options.delimiter ?? (format == .tsv ? 0x09 : nil), encoding: options.encoding,
                hasDefaultEntity: options.defaultEntity != nil)
            return try CSVRecordReader(source: chunks, options: csvOptions)
        case .jsonl:
            return JSONLinesRecordReader(source: chunks)
        }
    }

    /// Validates and compares every record in file order.
    private func compareRows(
        from reader: any RecordReader, store: CardStore.Reconciliation, source: ByteSource,
        mentions: inout ReconcileMentions?, report: ReconcileReportWriter?
    ) throws {
        var progress = ProgressLine(name: displayName, total: source.size, quiet: options.quiet)
        defer { progress.clear() }
        while let record = try reader.next() {
            try StopSignal.check()
            let row: ReconcileRow
            switch record.content {
            case .unreadable(let error):
                row = ReconcileRow(line: record.line, externalID: nil, entityID: nil, result: .invalid([error]))
            case .card(let raw):
                switch CardRules.validate(raw, defaultEntity: options.defaultEntity) {
                case .success(let request):
                    let result: ReconcileResult
                    switch try store.compare(request) {
                    case .missing:
                        result = .missing
                    case .found(let cardID, let rowID, let differing):
                        mentions?.insert(rowID: rowID)
                        result = differing.isEmpty ? .match(cardID: cardID) : .differs(cardID: cardID, fields: differing)
                    }
                    mentions?.insert(entityID: request.entityID)
                    row = ReconcileRow(line: record.line, externalID: request.externalID, entityID: request.entityID, result: result)
                case .failure(let errors):
                    let externalID = Self.string(raw.externalID)
                    let entityID = Self.string(raw.entityID) ?? options.defaultEntity
                    if mentions != nil {
                        try noteMention(externalID: externalID, entityID: entityID, store: store, mentions: &mentions)
                    }
                    row = ReconcileRow(
                        line: record.line, externalID: externalID.map(CardNumber.mask), entityID: entityID.map(CardNumber.mask),
                        result: .invalid(errors.errors))
                }
            }
            counts.add(row.result)
            if case .match = row.result {} else if !firstLines.contains(where: { $0.result == row.result.name }) {
                firstLines.append((row.result.name, row.line))
            }
            try report?.write(row)
            progress.update(bytes: source.bytesRead, rows: counts.rows)
        }
    }

    /// A row that fails the rules still mentions its key and entity when they are well formed: its card (if any)
    /// is not an extra card, and its entity is one of the file's.
    private func noteMention(
        externalID: String?, entityID: String?, store: CardStore.Reconciliation, mentions: inout ReconcileMentions?
    ) throws {
        guard let entityID, CardRules.entityIDError(entityID) == nil else { return }
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
                try StopSignal.check()
                counts.extra += 1
                try report?.writeExtra(cardID: cardID, externalID: CardNumber.mask(externalID), entityID: entityID)
            }
        }
    }

    /// A raw value that is a string, else nil.
    private static func string(_ value: RawValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private func printSummary(fileError: FileError?) {
        let name = TerminalText.safe(displayName)
        if let fileError {
            console.err("\(name): failed: \(TerminalText.safe(CardUploadCLI.describe(fileError)))\n")
        }
        guard !options.quiet else { return }
        let verdict = fileError != nil ? "incomplete"
            : counts.match == counts.rows && counts.extra == 0 ? "everything matches" : "differences found"
        let extra = options.listsExtra && fileError == nil ? ", \(counts.extra) extra" : ""
        console.err(
            "\(name): \(counts.rows) rows: \(counts.match) match, \(counts.missing) missing, \(counts.differs) differs, "
                + "\(counts.invalid) invalid\(extra) — \(verdict)\n")
        guard !firstLines.isEmpty else { return }
        let rowsByResult = ["missing": counts.missing, "differs": counts.differs, "invalid": counts.invalid]
        func tableLine(_ result: String, _ rows: String, _ line: String) -> String {
            "  " + result.padding(toLength: 7, withPad: " ", startingAt: 0) + " "
                + String(repeating: " ", count: max(0, 6 - rows.count)) + rows + "  \(line)\n"
        }
        console.err(tableLine("result", "rows", "first line"))
        for entry in firstLines.sorted(by: { $0.line < $1.line }) {
            console.err(tableLine(entry.result, String(rowsByResult[entry.result] ?? 0), String(entry.line)))
        }
    }
}
