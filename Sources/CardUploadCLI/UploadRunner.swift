import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// Loads one upload file: input, header, rules, idempotent writes in batches, the upload record,
/// the report and the summary line. Returns the file's exit code.
final class UploadRunner {
    private let file: String
    private let databasePath: String
    private let options: LoadOptions
    private let console: Console

    /// The upload recorded for the file, once there is one (none for a file that could not be opened).
    private(set) var uploadID: String?
    /// The upload's final status and counts, once it finished (also for a dry run, which records nothing).
    private(set) var outcome: (status: String, counts: UploadCounts)?
    /// A dry run's store, shared by every file of the run inside one transaction its owner rolls back.
    var dryRunDatabase: Database?

    init(file: String, databasePath: String, options: LoadOptions, console: Console) {
        self.file = file
        self.databasePath = databasePath
        self.options = options
        self.console = console
    }

    /// The name the summary and the progress line use for the input (the report and the store keep
    /// the name as given, `-` for standard input).
    private var displayName: String { file == "-" ? "standard input" : file }

    func run() -> ExitCode {
        do {
            return try load()
        } catch let usage as UsageError {
            return CardUploadCLI.report(usage, console: console)
        } catch where StopSignal.isRequested {
            // Stopped while waiting (for the store's lock, say) before anything of the file was loaded.
            console.err("\(TerminalText.safe(displayName)): stopped before loading: \(TerminalText.safe(CardUploadCLI.describe(error)))\n")
            return StopSignal.Stopped(signal: StopSignal.received).exitCode
        } catch {
            let code = CardUploadCLI.exitCode(for: error)
            console.err("\(TerminalText.safe(displayName)): \(code == .usage ? "" : "Error: ")\(TerminalText.safe(CardUploadCLI.describe(error)))\n")
            return code
        }
    }

    private func load() throws -> ExitCode {
        let source = try ByteSource.open(path: file)
        source.stopRequested = { StopSignal.isRequested }
        let outputs = try UploadOutputs(options.outputs)

        // The first bytes decide the format when neither --format nor the name does.
        var firstChunk: [UInt8]?
        var firstError: FileError?
        do {
            firstChunk = try source.nextChunk()
            // A pipe may hand out blank lines or half a BOM first: read on until a byte decides the format.
            while let prefix = firstChunk, prefix.count < 1 << 16, Self.isUndecided(prefix),
                  let more = try source.nextChunk() {
                firstChunk = prefix + more
            }
        } catch {
            firstError = error.placed(atLine: 1)
        }
        let format = options.format ?? FormatDetection.format(forFileName: file)
            ?? FormatDetection.sniff(firstChunk ?? [])
        if format == .jsonl, options.encodingGiven {
            throw UsageError(message: "--encoding applies to CSV and TSV only; \(file) is JSON lines", command: "process")
        }

        let database = try dryRunDatabase ?? StoreAccess.openForWriting(databasePath)
        database.stopWaiting = { StopSignal.isRequested }
        let log = UploadLog(database: database)
        var identifiers = IdentifierGenerator()
        let uploadID = identifiers.uploadID()
        self.uploadID = uploadID
        // How the input is read is recorded with the upload, so even a run that dies before the header
        // reports its format; the delimiter is the one the first bytes suggest until the header is read.
        var sniffer = CSVDelimiterSniffer()
        sniffer.feed(firstChunk ?? [])
        let delimiter: UInt8? = switch format {
        case .jsonl: nil
        case .tsv: options.delimiter ?? 0x09
        case .csv: options.delimiter ?? sniffer.delimiter
        }
        let startedAt = Timestamp.now()
        let encoding = format == .jsonl ? TextEncoding.utf8.rawValue : options.encoding.rawValue
        func beginUpload() throws -> Int64 {
            try log.begin(
                id: uploadID, file: file, startedAt: startedAt, dryRun: options.dryRun, format: format.rawValue,
                delimiter: delimiterText(delimiter), encoding: encoding, compression: source.compression.rawValue)
        }
        // --dry-run and --atomic load the whole file in one transaction (other writers wait, up to the
        // busy timeout); an atomic run keeps every outcome aside in case it must commit nothing.
        let spool = options.atomic && !options.dryRun ? try OutcomeSpool() : nil
        let ownsTransaction = options.wholeFile && !database.isInTransaction
        if ownsTransaction { try database.execute("BEGIN IMMEDIATE") }
        var uploadSeq = try beginUpload()

        var counts = UploadCounts()
        var fileError: FileError?
        var stopped: StopSignal.Stopped?
        var outputFailed = false
        do {
            if let firstError { throw firstError }
            let chunks = PrefixedChunkSource(first: firstChunk, rest: source)
            let reader = try makeReader(format: format, chunks: chunks, log: log, uploadID: uploadID, outputs: outputs)
            counts = try loadRows(
                from: reader, database: database, log: log, uploadSeq: uploadSeq, source: source, outputs: outputs,
                spool: spool)
        } catch let error as FileError where !StopSignal.isRequested {
            fileError = error
            counts = (try? log.upload(id: uploadID))?.counts ?? counts
        } catch is FileError {
            // The input ended early because a stop signal interrupted a read: an interruption, not bad data.
            if !options.dryRun { database.rollback() }
            stopped = StopSignal.Stopped(signal: StopSignal.received)
            counts = (try? log.upload(id: uploadID))?.counts ?? counts
        } catch let error as RejectsWriteFailed {
            // The batch was committed; the rejects file could not take its rows: stop here.
            fileError = FileError(code: .outputError, message: error.underlying.description)
            outputFailed = true
            counts = (try? log.upload(id: uploadID))?.counts ?? counts
        } catch let signal as StopSignal.Stopped {
            // The open batch is rolled back; the committed ones stay and are reported. A dry run keeps its
            // transaction until its outputs are written, then rolls it all back.
            if !options.dryRun { database.rollback() }
            stopped = signal
            counts = (try? log.upload(id: uploadID))?.counts ?? counts
        } catch let error as DatabaseError where error.isBusy && StopSignal.isRequested {
            // A stop signal ended a wait for another run's lock: an interruption, not a busy store.
            console.err("\(TerminalText.safe(displayName)): stopped while waiting: \(TerminalText.safe(error.message))\n")
            if !options.dryRun { database.rollback() }
            stopped = StopSignal.Stopped(signal: StopSignal.received)
            counts = (try? log.upload(id: uploadID))?.counts ?? counts
        } catch {
            database.rollback()
            // A busy store would make this wait the whole timeout again; the next run marks the upload.
            if !((error as? DatabaseError)?.isBusy ?? false) {
                try? log.finish(
                    id: uploadID, status: "failed", committed: true, bytes: source.bytesRead, error: nil,
                    finishedAt: Timestamp.now())
            }
            throw error
        }

        var status = stopped != nil ? "interrupted"
            : fileError != nil ? "failed" : (counts.rejected > 0 ? "completed_with_errors" : "completed")
        // Whether the rows' cards are in the store: an atomic run commits only a clean file; a dry run never.
        let committed = !options.dryRun && !(options.atomic && (stopped != nil || fileError != nil || counts.rejected > 0))
        if let spool, !committed {
            // Nothing of the file is kept. A file that was read to its end is recorded with every row's
            // outcome (what to fix); a failed or interrupted one holds its committed rows only: none.
            database.rollback()
            let keepsOutcomes = stopped == nil && fileError == nil
            if !keepsOutcomes { counts = UploadCounts() }
            try database.writeTransaction {
                uploadSeq = try beginUpload()
                if keepsOutcomes {
                    try spool.forEach { row in try log.recordKeptRow(uploadSeq: uploadSeq, row) }
                    try log.addBatch(uploadSeq: uploadSeq, counts: counts, bytes: source.bytesRead)
                    try log.forgetUncommittedCards(uploadSeq: uploadSeq)
                }
            }
        }
        if options.dryRun { try log.forgetUncommittedCards(uploadSeq: uploadSeq) }
        try log.finish(
            id: uploadID, status: status, committed: committed, bytes: source.bytesRead, error: fileError,
            finishedAt: Timestamp.now())
        if options.atomic, !options.dryRun, committed { try database.commit() }

        // An output that cannot be written makes the upload failed with output_error; the rows stay.
        func outputFailure(_ error: OutputError) throws {
            status = "failed"
            fileError = FileError(code: .outputError, message: error.description)
            outputFailed = true
            try log.finish(
                id: uploadID, status: status, committed: committed, bytes: source.bytesRead, error: fileError,
                finishedAt: Timestamp.now())
        }
        // The other outputs first, so that the report, written last from the store, says what happened.
        do {
            try outputs.finishFiles(uploadID: uploadID, log: log)
        } catch let error as OutputError {
            try outputFailure(error)
        }
        if !database.isInTransaction { database.checkpoint() }
        do {
            try outputs.finishReport(uploadID: uploadID, log: log)
        } catch let error as OutputError {
            // The report itself cannot be written: the store says so (uploads show still has it all).
            try outputFailure(error)
        }
        // A dry run wrote its outputs from its own transaction; now nothing of it remains.
        outcome = (status, counts)
        printSummary(
            uploadID: uploadID, status: status, counts: counts, fileError: fileError, log: log,
            note: options.dryRun ? "dry run: nothing recorded" : committed ? nil : "atomic: nothing committed")
        if options.dryRun, ownsTransaction {
            database.rollback()
            database.checkpoint()
        }
        if let stopped { return stopped.exitCode }
        if outputFailed { return .cannotCreateOutput }
        if fileError != nil { return .dataError }
        return counts.rejected > 0 ? .rowsRejected : .success
    }

    /// True while `prefix` holds nothing but (part of) a BOM and blanks, so it cannot tell JSON lines from CSV.
    static func isUndecided(_ prefix: [UInt8]) -> Bool {
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        if prefix.count < 3, byteOrderMark.starts(with: prefix) { return true }
        let body = prefix.starts(with: byteOrderMark) ? prefix.dropFirst(3) : prefix[...]
        return body.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Opens the reader for `format` (reading the CSV header, whose delimiter is then recorded).
    private func makeReader(
        format: InputFormat, chunks: any ChunkSource, log: UploadLog, uploadID: String, outputs: UploadOutputs
    ) throws -> any RecordReader {
        switch format {
        case .csv, .tsv:
            let csvOptions = CSVOptions(
                delimiter: options.delimiter ?? (format == .tsv ? 0x09 : nil), encoding: options.encoding,
                hasDefaultEntity: options.defaultEntity != nil)
            let csv = try CSVRecordReader(source: chunks, options: csvOptions)
            csv.keepsCells = outputs.wantsRejects
            try log.recordDelimiter(id: uploadID, delimiter: String(UnicodeScalar(csv.delimiter)))
            try outputs.startRejects(form: .csv(columns: csv.columns, delimiter: csv.delimiter))
            return csv
        case .jsonl:
            let jsonLines = JSONLinesRecordReader(source: chunks)
            jsonLines.keepsSourceText = outputs.wantsRejects
            try outputs.startRejects(form: .jsonLines)
            return jsonLines
        }
    }

    private func delimiterText(_ byte: UInt8?) -> String? {
        byte.map { String(UnicodeScalar($0)) }
    }

    /// Applies every record in file order, committing in batches of `batchSize` rows or `batchSeconds` of work;
    /// each row's outcome is committed with its card. Returns the committed counts.
    private func loadRows(
        from reader: any RecordReader, database: Database, log: UploadLog, uploadSeq: Int64, source: ByteSource,
        outputs: UploadOutputs, spool: OutcomeSpool?
    ) throws -> UploadCounts {
        // In one-transaction mode (--dry-run, --atomic) nothing commits mid-file: batches only add up the
        // counts, and rejected rows go to the rejects file at once (its temporary file is renamed at the end).
        let wholeFile = options.wholeFile
        let cards = CardStore(database: database)
        // A created row's outcome is recorded on its card (upload and line), a replayed row's key is its
        // card's; a dry run's cards are rolled back, so it records every row, whole, in upload_rows.
        let createdOnCard = !options.dryRun
        var total = UploadCounts()
        var batch = UploadCounts()
        // The rejected rows of the open batch, written to the rejects file once the batch is committed.
        var batchRejects: [(record: RawRecord, errors: [RowError])] = []
        let keepsRejects = outputs.wantsRejects
        var batchStarted = ContinuousClock.now
        var clock = TimestampClock()
        var progress = ProgressLine(name: displayName, total: source.size, quiet: options.quiet)
        defer { progress.clear() }

        // The bytes read when the rows applied so far were read (the reading thread reads ahead).
        var bytesRead = source.bytesRead

        func commitBatch() throws {
            guard database.isInTransaction else { return }
            try log.addBatch(uploadSeq: uploadSeq, counts: batch, bytes: bytesRead, createdRowIDs: cards.takeCreatedRowIDs())
            if !wholeFile { try database.commit() }
            total.created += batch.created
            total.replayed += batch.replayed
            total.updated += batch.updated
            total.rejected += batch.rejected
            batch = UploadCounts()
            let rejects = batchRejects
            batchRejects.removeAll(keepingCapacity: true)
            do {
                try outputs.writeRejects(rejects)
            } catch {
                throw RejectsWriteFailed(underlying: error)
            }
        }

        // Reading, parsing and the card rules run on a second thread; this one writes.
        let pipeline = RowPipeline(
            reader: reader, source: source, defaultEntity: options.defaultEntity, keepsRecords: keepsRejects)
        // A read interrupted because the writer stopped ends the input there.
        source.stopRequested = { [unowned pipeline] in StopSignal.isRequested || pipeline.isCancelled }
        pipeline.start()
        defer {
            pipeline.finish()
            source.stopRequested = { StopSignal.isRequested }
        }
        do {
            while let handed = pipeline.next() {
                for handedRow in handed.rows {
                    try StopSignal.check()
                    var row = handedRow
                    var outcome = RowOutcome.rejected(row.errors)
                    if !database.isInTransaction {
                        try database.execute("BEGIN IMMEDIATE")
                        batchStarted = .now
                    }
                    if let form = row.storedForm, let raw = row.raw {
                        // Read unchecked because keys were turning out stored: a stored row is replayed
                        // as it is; any other goes through the rules here.
                        if let cardID = try cards.replayedCardID(form) {
                            outcome = .replayed(cardID: cardID)
                        } else {
                            row = RowPipeline.checked(
                                raw, line: row.line, record: row.record, defaultEntity: options.defaultEntity
                            ) { nil }
                            outcome = .rejected(row.errors)
                        }
                    }
                    if let request = row.request {
                        outcome = try cards.apply(
                            request, policy: options.conflictPolicy, uploadSeq: uploadSeq,
                            uploadLine: createdOnCard ? row.line : nil, newCardID: row.newCardID, now: clock.now())
                    }
                    if !(createdOnCard && outcome.isCreated) {
                        // A replayed or updated row's key is its card's: recorded once, on the card (a dry
                        // run's cards are rolled back, so it records every key).
                        let keyOnCard = createdOnCard && outcome.cardID != nil
                        try log.recordRow(
                            uploadSeq: uploadSeq, line: row.line, externalID: keyOnCard ? nil : row.externalID,
                            entityID: keyOnCard ? nil : row.entityID, outcome: outcome)
                    }
                    try spool?.append(
                        line: row.line, externalID: row.externalID, entityID: row.entityID, outcome: outcome)
                    if let record = row.record, case .rejected(let errors) = outcome {
                        batchRejects.append((record, errors))
                        if wholeFile {
                            do { try outputs.writeRejects(batchRejects) } catch { throw RejectsWriteFailed(underlying: error) }
                            batchRejects.removeAll(keepingCapacity: true)
                        }
                    }
                    batch.add(outcome)
                    if batch.rows >= options.batchSize || ContinuousClock.now - batchStarted >= .seconds(options.batchSeconds) {
                        try commitBatch()
                    }
                }
                pipeline.expectStoredKeys(cards.expectsStoredKeys)
                bytesRead = handed.bytesRead
                progress.update(bytes: bytesRead, rows: total.rows + batch.rows)
                let end = handed.end
                let commitBeforeWaiting = handed.commitBeforeWaiting
                pipeline.recycle(handed)
                switch end {
                case nil:
                    // A slow pipe must not hold the write lock: commit before the input waits for more.
                    if commitBeforeWaiting, !wholeFile { try commitBatch() }
                case .finished?:
                    break
                case .failed(let error)?:
                    throw error
                }
            }
            // The input may have ended because a stop signal cut a read short.
            pipeline.finish()
            try StopSignal.check()
            try commitBatch()
        } catch let error as FileError where !StopSignal.isRequested {
            // Rows before a file-level error stay committed and reported.
            pipeline.finish()
            try commitBatch()
            throw error
        }
        return total
    }

    private func printSummary(
        uploadID: String, status: String, counts: UploadCounts, fileError: FileError?, log: UploadLog, note: String? = nil
    ) {
        let name = TerminalText.safe(displayName)
        if let fileError {
            console.err("\(name): failed: \(TerminalText.safe(CardUploadCLI.describe(fileError)))\n")
        }
        guard !options.quiet else { return }
        console.err(
            "\(name): \(counts.rows) rows: \(counts.created) created, \(counts.replayed) replayed, "
                + "\(counts.updated) updated, \(counts.rejected) rejected — \(status)\(note.map { " (\($0))" } ?? ""), "
                + "upload \(uploadID)\n")
        guard counts.rejected > 0, let byCode = try? log.rejectionsByCode(uploadID: uploadID) else { return }
        let width = max(4, byCode.map(\.code.count).max() ?? 4)
        console.err("  " + "code".padding(toLength: width, withPad: " ", startingAt: 0) + "   rows  first line\n")
        for entry in byCode {
            let rows = String(entry.rows)
            console.err(
                "  " + entry.code.padding(toLength: width, withPad: " ", startingAt: 0) + " "
                    + String(repeating: " ", count: max(0, 6 - rows.count)) + rows + "  \(entry.firstLine)\n")
        }
    }
}

/// The rejects file could not take a committed batch's rows (exit 73; the load stops after that batch).
struct RejectsWriteFailed: Error {
    var underlying: OutputError
}
