import CardUploadInput
import CardUploadModel
import CardUploadReport
import CardUploadRules
import CardUploadStore
import Foundation

/// Applies an upload's rows in file order, committing in batches of `batchSize` rows or `batchSeconds` of
/// work; each row's outcome is committed with its card. A rejected row goes to the rejects file as it comes
/// (no batch's rows wait in memory) and is kept there once its batch is committed: the file is put in place
/// with the kept rows only, so a rolled-back batch's rows are left out. Reading and the card rules run on a
/// second thread (`RowPipeline`).
struct RowLoader {
    let options: LoadOptions
    private let database: Database
    private let log: UploadLog
    private let uploadSeq: Int64
    private let source: ByteSource
    private let outputs: UploadOutputs
    let stop: StopToken
    private let progress: (any ProgressSink)?
    let writers: CardWriters

    /// The committed counts, and those of the open batch.
    private var total = UploadCounts()
    private var batch = UploadCounts()
    /// The rejects file failed during the open batch: the batch finishes, then the load stops (SPEC §6).
    private var rejectsFailure: OutputError?
    private var batchStarted = ContinuousClock.now
    /// How many batches' counts were recorded (committed, or added up in one transaction).
    private(set) var batchesRecorded = 0
    /// The bytes read when the rows applied so far were read (the reading thread reads ahead).
    private var bytesRead: Int
    /// The encoding the upload's record names, and the one the rows applied so far were decoded in: a batch
    /// that commits rows read after `--encoding auto` settled records the new one with them, so an upload
    /// killed after that still says how its committed rows were read.
    private var recordedEncoding: TextEncoding?
    private var rowsEncoding: TextEncoding?
    /// The hints of the rows applied so far (SPEC §10): the field rules' (on the reading thread, gathered once the
    /// input is read) and the store's.
    private(set) var hints = FileHints()

    init(
        options: LoadOptions, database: Database, log: UploadLog, uploadSeq: Int64, source: ByteSource,
        outputs: UploadOutputs, stop: StopToken, progress: (any ProgressSink)?, recordedEncoding: TextEncoding? = nil
    ) {
        self.recordedEncoding = recordedEncoding
        self.options = options
        self.database = database
        self.log = log
        self.uploadSeq = uploadSeq
        self.source = source
        self.outputs = outputs
        self.stop = stop
        self.progress = progress
        writers = CardWriters(database: database)
        bytesRead = source.bytesRead
    }

    /// Loads every row of `reader`; returns the committed counts (in one-transaction mode, those checked).
    mutating func load(from reader: any RecordReader) throws -> UploadCounts {
        defer { progress?.clear() }
        let pipeline = RowPipeline(
            reader: reader, source: source, kind: options.kind, defaultEntity: options.input.defaultEntity,
            keepsRecords: outputs.wantsRejects, maxRows: options.maxRows)
        // A read interrupted because the writer stopped ends the input there.
        source.stopRequested = { [unowned pipeline, stop] in stop.isRequested || pipeline.isCancelled }
        pipeline.start()
        defer {
            pipeline.finish()
            source.stopRequested = { [stop] in stop.isRequested }
            hints.add(contentsOf: pipeline.ruleHints)
            if let conflict = writers.native.conflictHint { hints.add(conflict) }
        }
        // In batches, rejected rows are pending until their batch is committed; the header is kept now. In
        // one transaction nothing commits mid-file: every row is kept as it is written (the file's
        // temporary copy is renamed at the end).
        if !options.wholeFile { try keepRejects() }
        try writers.lead.beginFile()
        do {
            while let handed = pipeline.next() {
                // Before its rows: a batch may commit in the middle of them. `auto` switches once, from UTF-8 to
                // Windows-1252, so a hand-over's encoding is its rows' (ASCII rows read before the switch read alike).
                rowsEncoding = handed.encoding
                // Through the buffer: each row is borrowed from the hand-over, not copied (by index into the
                // array, each row was copied, a reference count taken on each of its strings and its card).
                try handed.rows.withUnsafeBufferPointer { rows in
                    for index in rows.indices { try apply(rows[index]) }
                }
                pipeline.expectStoredKeys(writers.expectsStoredKeys)
                bytesRead = handed.bytesRead
                progress?.update(bytes: bytesRead, total: source.size, rows: total.rows + batch.rows)
                let end = handed.end
                let commitBeforeWaiting = handed.commitBeforeWaiting
                pipeline.recycle(handed)
                switch end {
                case nil:
                    // A slow pipe must not hold the write lock: commit before the input waits for more.
                    if commitBeforeWaiting, !options.wholeFile { try commitBatch() }
                case .finished?:
                    break
                case .failed(let error)?:
                    throw error
                }
            }
            // The input may have ended because a stop cut a read short.
            pipeline.finish()
            try stop.check()
            try applyHeldRows()
            try commitBatch()
        } catch let error as FileError where !stop.isRequested {
            // Rows before a file-level error stay committed and reported.
            pipeline.finish()
            try commitBatch()
            throw error
        }
        return total
    }

    /// Applies one checked row: replayed, created, updated or rejected, recorded, and counted.
    private mutating func apply(_ handed: CheckedRow) throws {
        try stop.check()
        var outcome = RowOutcome.rejected(handed.errors)
        try beginBatchIfNeeded()
        // A row read unchecked because keys were turning out stored: a stored row is replayed as it is;
        // any other goes through the rules here.
        if let form = handed.storedForm, let raw = handed.raw {
            if let cardID = try writers.native.replayedCardID(form) {
                outcome = .replayed(cardID: cardID)
            } else {
                // Native rows only (a Lead row has no stored form): no context carries from row to row.
                var context = RowCheckContext(defaultEntity: options.input.defaultEntity)
                let checked = RowPipeline.checked(
                    raw, line: handed.line, record: handed.record, kind: options.kind, context: &context) { nil }
                hints.add(contentsOf: context.hints.list)
                try record(checked, outcome: .rejected(checked.errors))
                return
            }
        }
        try record(handed, outcome: outcome)
    }

    /// Applies a checked row's card, if any, then records and counts the row's outcome; a row held
    /// until the rest of the file is applied (`forward`) is recorded then (`applyHeldRows`).
    private mutating func record(_ row: CheckedRow, outcome checkedOutcome: RowOutcome) throws {
        guard let outcome = try applied(row, outcome: checkedOutcome, forward: .hold) else { return }
        try record(row, outcome: outcome, heldRow: false)
    }

    /// The outcome of a checked row: its card applied, if it has one (nil when the row is held).
    mutating func applied(
        _ row: CheckedRow, outcome: RowOutcome, forward: LeadCardStore.ForwardReferences
    ) throws -> RowOutcome? {
        guard let card = row.card else { return outcome }
        let write = CardWrite(
            policy: options.conflictPolicy, uploadSeq: uploadSeq, line: row.line,
            uploadLine: createdOnCard(heldRow: forward != .hold) ? row.line : nil, newCardID: row.newCardID,
            keyHash: row.keyHash, leadIDHash: row.leadIDHash, now: clock.now(), forward: forward,
            cells: row.record?.cells)
        switch try options.kind.apply(writers, card, write) {
        case .outcome(let applied): return applied
        case .held: return nil
        }
    }

    /// Whether a created row's outcome is recorded on its card (its upload and line), not in upload_rows. A
    /// dry run's cards are rolled back, so it records every row, whole, in upload_rows. So does a held row
    /// applied after the rest of the file: the cards an upload creates in its rowid range are its rows in line
    /// order (`UploadLog.forEachRow`), and a held row's card comes after later lines'.
    private func createdOnCard(heldRow: Bool) -> Bool { !options.dryRun && !heldRow }

    /// Records and counts a row's outcome, and commits the batch when it is full.
    mutating func record(_ row: CheckedRow, outcome: RowOutcome, heldRow: Bool) throws {
        let createdOnCard = createdOnCard(heldRow: heldRow)
        if !(createdOnCard && outcome.isCreated) {
            // A replayed or updated row's key is its card's: recorded once, on the card (a dry run's cards
            // are rolled back, so it records every key).
            let keyOnCard = createdOnCard && outcome.cardID != nil
            try log.recordRow(
                uploadSeq: uploadSeq, line: row.line, externalID: keyOnCard ? nil : row.externalID,
                entityID: keyOnCard ? nil : row.entityID, outcome: outcome)
        }
        if let record = row.record, case .rejected(let errors) = outcome { try writeRejected(record, errors) }
        batch.add(outcome)
        // All or nothing the counts are recorded once, at the end: an UPDATE of the upload every batch wrote
        // its page again after the transaction had spilled it to SQLite's log, and one such page makes the
        // commit read the whole log back (`walRewriteChecksums`). A dry run records them every batch: one that
        // is stopped reports the rows it read, from the store.
        if !countsAtTheEnd,
           batch.rows >= options.batchSize || ContinuousClock.now - batchStarted >= .seconds(options.batchSeconds) {
            try commitBatch()
        } else if countsAtTheEnd, batch.rows % Self.rowsPerTouch == 0 {
            // Its page is written again at the end: kept in the cache until then (`UploadLog.touch`).
            try log.touch(uploadSeq: uploadSeq)
        }
    }

    private var clock = TimestampClock()

    /// How often a file in one transaction reads its upload's row (`UploadLog.touch`): more often than the
    /// smallest page cache (16 MiB) fills with a load's new pages, about every 45,000 rows.
    static let rowsPerTouch = 4_096

    /// Whether the counts are recorded once, at the end (all or nothing, not a dry run: a stop or a failure
    /// rolls everything back).
    private var countsAtTheEnd: Bool { options.atomic && !options.dryRun }

    /// Opens the batch's write transaction when none is open.
    mutating func beginBatchIfNeeded() throws {
        guard !database.isInTransaction else { return }
        try database.beginWrite()
        batchStarted = .now
    }

    /// Records the open batch's counts and commits it (in one-transaction mode, only adds up the counts);
    /// then its rejected rows are kept in the rejects file.
    private mutating func commitBatch() throws {
        guard database.isInTransaction else { return }
        try log.addBatch(uploadSeq: uploadSeq, counts: batch, bytes: bytesRead, createdRowIDs: writers.takeCreatedRowIDs())
        if let rowsEncoding, recordedEncoding != nil, rowsEncoding != recordedEncoding {
            try log.recordEncoding(uploadSeq: uploadSeq, encoding: rowsEncoding.rawValue)
            recordedEncoding = rowsEncoding
        }
        batchesRecorded += 1
        if !options.wholeFile { try database.commit() }
        // In one transaction the batch goes on in the same transaction: its time starts again here (else
        // every row after the first `batchSeconds` would record a batch of its own).
        batchStarted = .now
        total.created += batch.created
        total.replayed += batch.replayed
        total.updated += batch.updated
        total.rejected += batch.rejected
        batch = UploadCounts()
        if let rejectsFailure { throw RejectsWriteFailed(underlying: rejectsFailure) }
        if !options.wholeFile { try keepRejects() }
    }

    /// Writes a rejected row to the rejects file at once. In batches a failed write lets the open batch
    /// finish, and `commitBatch` stops the load after committing it; in one transaction it stops the load.
    private mutating func writeRejected(_ record: RawRecord, _ errors: [RowError]) throws {
        guard rejectsFailure == nil else { return }
        do {
            try outputs.writeRejected(record, errors: errors)
        } catch {
            if options.wholeFile { throw RejectsWriteFailed(underlying: error) }
            rejectsFailure = error
        }
    }

    /// Keeps the rejected rows written so far: their batch is committed.
    private func keepRejects() throws {
        do {
            try outputs.keepRejects()
        } catch {
            throw RejectsWriteFailed(underlying: error)
        }
    }
}
