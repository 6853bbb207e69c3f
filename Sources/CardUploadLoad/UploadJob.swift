import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// Loads one upload file: input, header, rules, idempotent writes in batches, the upload record and the
/// outputs. Prints nothing: it returns an `UploadResult`.
package final class UploadJob {
    private let file: String
    /// The options as given, then as they apply to the input's kind of file (`LoadOptions.forKind`).
    private var options: LoadOptions
    private let store: LoadStore
    private let stop: StopToken
    private let progress: (any ProgressSink)?
    /// The input's delimiter as far as it is known (nil for JSON lines).
    private var delimiterInUse: UInt8?
    /// The input's encoding as far as it is known (`--encoding auto` decides from the bytes).
    private var encodingInUse: TextEncoding?

    /// Loads `file` into `store` with `options`; `stop` is checked between rows and in every wait.
    package init(
        file: String, options: LoadOptions, store: LoadStore, stop: StopToken, progress: (any ProgressSink)? = nil
    ) {
        self.file = file
        self.options = options
        self.store = store
        self.stop = stop
        self.progress = progress
    }

    /// Runs the load; never throws: an error that ends it is the result's `failure`.
    package func run() -> UploadResult {
        var result = UploadResult(file: options.recordedName ?? file)
        result.dryRun = options.dryRun
        let started = ContinuousClock.now
        do {
            try load(into: &result)
        } catch {
            result.failure = error
            // Stopped while waiting (for the store's lock, say): an interruption, whatever the error — but a
            // usage error is the caller's, stop or not.
            if let reason = stop.reason, !(error is OptionConflictError) { result.stopReason = reason }
        }
        let elapsed = (ContinuousClock.now - started).components
        result.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        // A store an earlier release made was upgraded on opening: said apart, not the file's time.
        if let upgrade = store.takeUpgrade() {
            result.storeUpgrade = upgrade
            result.seconds = max(0, result.seconds - upgrade.seconds)
        }
        return result
    }

    /// Opens the input; a folder given as FILE says how to load a folder (SPEC §10).
    private func openInput() throws(InputOpenError) -> OpenedInput {
        do throws(InputOpenError) {
            return try OpenedInput(path: file, settings: options.input, stop: stop)
        } catch {
            guard error.isFolder else { throw error }
            throw InputOpenError(path: error.path, message: "'\(file)' is a folder — to load a folder, use process-dir", isFolder: true)
        }
    }

    /// The state of one load while its rows are applied.
    private struct Upload {
        var id: String
        var seq: Int64
        let log: UploadLog
        let database: Database
        /// Nil when the input is refused unread (`LoadOptions.refusal`).
        let input: OpenedInput?
        let outputs: UploadOutputs

        /// The input's bytes read so far.
        var bytesRead: Int { input?.source.bytesRead ?? 0 }
    }

    private func load(into result: inout UploadResult) throws {
        // An input refused unread (process-dir: a link, a FIFO…) is never opened; its upload says why.
        let input = options.refusal == nil ? try openInput() : nil
        input?.maxBytes = options.maxBytes
        let outputs = try UploadOutputs(options.outputs, reportRows: options.reportRows)
        try input?.detectFormat()
        if let kind = input?.kind {
            if kind.takesNativeOptions, let error = options.input.defaultEntityError { throw OptionConflictError(message: error) }
            result.notes = options.ignoredNotes(for: kind)
            result.allOrNothingByDefault = kind.isAtomicByDefault && !options.partial
            options = options.forKind(kind)
        }

        // Pending cards beyond 16 MiB only in a file loaded in one transaction (merged as soon as it commits):
        // another connection reads that many only in that moment, or after a run killed in it or whose merge
        // failed (until the next load merges them).
        let database = try store.database(
            expectedRows: input?.estimatedRows, leadCards: options.kind.isLead && options.wholeFile)
        database.stopWaiting = { [stop] in stop.isRequested }
        let log = UploadLog(database: database)
        var identifiers = IdentifierGenerator()
        let uploadID = identifiers.uploadID()
        result.uploadID = uploadID
        // The delimiter the first bytes suggest, then the reader's once it has read the header (an upload
        // begun again after an atomic run's rollback records that one).
        delimiterInUse = input?.provisionalDelimiter
        encodingInUse = input?.encoding
        // How the input is read is recorded with the upload, so even a run that dies before the header
        // reports its format; the delimiter is the one the first bytes suggest until the header is read.
        let startedAt = Timestamp.now()
        func beginUpload() throws -> Int64 {
            try log.begin(
                id: uploadID, file: result.file, startedAt: startedAt, dryRun: options.dryRun,
                format: options.kind.isAtomicByDefault ? options.kind.name : (input?.format ?? options.input.format ?? .csv).rawValue,
                delimiter: delimiterInUse.map { String(UnicodeScalar($0)) },
                encoding: (encodingInUse ?? options.input.encoding.initial).rawValue,
                compression: (input?.source.compression ?? .none).rawValue)
        }
        // --dry-run and --atomic load the whole file in one transaction (other writers wait, up to the
        // busy timeout); an atomic run that must commit nothing copies its outcomes aside before rolling back.
        let keepsOutcomesAside = options.atomic && !options.dryRun
        let ownsTransaction = options.wholeFile && !database.isInTransaction
        if ownsTransaction { try database.beginWrite() }
        var upload = Upload(id: uploadID, seq: try beginUpload(), log: log, database: database, input: input, outputs: outputs)

        if let input {
            readRows(of: &upload, input: input, into: &result)
            if let failure = result.failure { throw failure }
            // Read to its end: an input that changed meanwhile (process-dir's claimed file) fails the upload.
            if result.stopReason == nil, result.fileError == nil, let changed = options.inputCheck?() {
                result.fileError = changed
            }
        } else {
            result.fileError = options.refusal
        }

        // Whether the rows' cards are in the store: an atomic run commits only a clean file; a dry run never.
        let clean = result.stopReason == nil && result.fileError == nil && result.counts.rejected == 0
        result.committed = !options.dryRun && !(options.atomic && !clean)
        if keepsOutcomesAside, !result.committed {
            // Nothing of the file is kept. A file that was read to its end is recorded with every row's
            // outcome (what to fix), read off the transaction before it is rolled back (the rows it
            // created are its created rows); a failed or interrupted one holds its committed rows only: none.
            let keepsOutcomes = result.stopReason == nil && result.fileError == nil
            let spool = keepsOutcomes ? try OutcomeSpool(rowsOf: uploadID, log: log) : nil
            database.rollback()
            if !keepsOutcomes { result.counts = UploadCounts() }
            try database.writeTransaction {
                upload.seq = try beginUpload()
                if let spool {
                    try spool.forEach { row in try log.recordKeptRow(uploadSeq: upload.seq, row) }
                    try log.addBatch(uploadSeq: upload.seq, counts: result.counts, bytes: upload.bytesRead)
                    try log.forgetUncommittedCards(uploadSeq: upload.seq)
                }
            }
        }
        if options.dryRun { try log.forgetUncommittedCards(uploadSeq: upload.seq) }
        if options.atomic, !options.dryRun, result.committed {
            // The cards and the upload's status commit together; their keys are merged after, in a transaction
            // of their own, while the commit's pages are copied into the database file beside it (a file of a
            // million Lead cards: 0.93 of the time). Until then they are pending, which every connection reads
            // from their rows; a merge that fails, or a run killed before it, leaves them to the next load's.
            try finish(upload, result: &result, mergesKeys: false)
            try database.commitCheckpointingAside()
            do {
                // Without waiting: another writer that takes the lock first merges them (its first new card
                // finds the table full); waiting for its transaction, up to the busy timeout, gains nothing.
                try database.withoutWaiting { try database.writeTransaction { try database.mergeCardKeys() } }
            } catch {
                // The upload is committed and complete: its cards stay pending, found and merged all the same.
            }
        } else {
            try finish(upload, result: &result)
        }
        try writeOutputs(upload, result: &result)
        if options.summarizesRejections, result.counts.rejected > 0 {
            result.rejections = (try? log.rejectionsByCode(uploadID: uploadID)) ?? []
        }
        // A dry run wrote its outputs from its own transaction; now nothing of it remains.
        if options.dryRun, ownsTransaction {
            database.rollback()
            database.checkpoint()
        }
    }

    /// Reads and applies every row; a file-level error, a stop or a failed rejects file ends the rows
    /// there (recorded in `result`), anything else is `result.failure` with the upload marked failed.
    private func readRows(of upload: inout Upload, input: OpenedInput, into result: inout UploadResult) {
        let database = upload.database
        func committedCounts() -> UploadCounts { (try? upload.log.upload(id: upload.id))?.counts ?? result.counts }
        var opened: (any RecordReader)?
        var rowHints = FileHints()
        defer {
            // How the file was read, and what to tell the person fixing it: whatever ended the rows.
            if let opened {
                if opened.encodingInUse != encodingInUse {
                    encodingInUse = opened.encodingInUse
                    try? upload.log.recordEncoding(id: upload.id, encoding: opened.encodingInUse.rawValue)
                }
                result.hints.add(contentsOf: opened.hints)
            }
            result.hints.add(contentsOf: rowHints.list)
            if let fileError = result.fileError { result.hints.add(contentsOf: fileError.hints) }
        }
        do {
            let reader = try input.reader(kind: options.kind)
            opened = reader
            reader.keepsSource = upload.outputs.wantsRejects
            if let delimiter = reader.delimiterInUse {
                delimiterInUse = delimiter
                try upload.log.recordDelimiter(id: upload.id, delimiter: String(UnicodeScalar(delimiter)))
            }
            try upload.outputs.startRejects(form: reader.rejectsForm)
            var rows = RowLoader(
                options: options, database: database, log: upload.log, uploadSeq: upload.seq, source: input.source,
                outputs: upload.outputs, stop: stop, progress: progress,
                recordedEncoding: encodingInUse ?? options.input.encoding.initial)
            defer { rowHints = rows.hints }
            result.counts = try rows.load(from: reader)
            result.batches = rows.batchesRecorded
        } catch let error as FileError where !stop.isRequested {
            result.fileError = error
            result.counts = committedCounts()
        } catch let error as RejectsWriteFailed {
            // The batch was committed; the rejects file could not take its rows: stop here.
            result.fileError = FileError(code: .outputError, message: error.underlying.description)
            result.outputError = error.underlying
            result.counts = committedCounts()
        } catch let error where stop.isRequested && Self.isStop(error) {
            // The open batch is rolled back; the committed ones stay and are reported. A dry run keeps its
            // transaction until its outputs are written, then rolls it all back.
            if let database = error as? DatabaseError { result.stoppedWhileWaiting = database.message }
            if !options.dryRun { database.rollback() }
            result.stopReason = stop.reason
            result.counts = committedCounts()
        } catch {
            database.rollback()
            // A busy store would make this wait the whole timeout again; the next run marks the upload.
            if !((error as? DatabaseError)?.isBusy ?? false) {
                try? upload.log.finish(
                    id: upload.id, status: .failed, committed: true,
                    bytes: upload.bytesRead, error: nil, finishedAt: Timestamp.now(), hints: [])
            }
            result.failure = error
        }
    }

    /// Whether `error` is how a stop ends the rows: the stop itself, a read it cut short (the input ends
    /// early), or a wait for another run's lock it ended.
    private static func isStop(_ error: any Error) -> Bool {
        switch error {
        case is Stopped, is FileError: true
        case let database as DatabaseError: database.isBusy
        default: false
        }
    }

    /// Records the upload's final status — `status`, else the one its rows and stop say — and its hints
    /// (the report lists them from the store).
    private func finish(
        _ upload: Upload, result: inout UploadResult, status: UploadStatus? = nil, mergesKeys: Bool = true
    ) throws {
        let final = status ?? (result.stopReason != nil ? .interrupted
            : result.fileError != nil ? .failed : result.counts.rejected > 0 ? .completedWithErrors : .completed)
        try upload.log.finish(
            id: upload.id, status: final, committed: result.committed,
            bytes: upload.bytesRead, error: result.fileError, finishedAt: Timestamp.now(), hints: result.hints.texts,
            mergesKeys: mergesKeys)
        // Only a status the store took is reported.
        result.status = final
    }

    /// Writes the outputs: the others first, so that the report, written last from the store, says what
    /// happened. An output that cannot be written makes the upload failed with output_error; the rows stay.
    private func writeOutputs(_ upload: Upload, result: inout UploadResult) throws {
        func outputFailure(_ error: OutputError) throws {
            result.fileError = FileError(code: .outputError, message: error.description)
            result.outputError = error
            try finish(upload, result: &result, status: .failed)
        }
        do {
            try upload.outputs.finishFiles(uploadID: upload.id, log: upload.log)
        } catch let error as OutputError {
            try outputFailure(error)
        }
        if !upload.database.isInTransaction { upload.database.checkpoint() }
        do {
            try upload.outputs.finishReport(uploadID: upload.id, log: upload.log)
        } catch let error as OutputError {
            // The report itself cannot be written: the store says so (uploads show still has it all).
            try outputFailure(error)
        }
    }
}

/// The rejects file could not take a committed batch's rows (the load stops after that batch).
struct RejectsWriteFailed: Error {
    var underlying: OutputError
}
