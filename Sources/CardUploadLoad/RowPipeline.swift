import CardUploadInput
import CardUploadModel
import CardUploadRules
import CardUploadStore
import Foundation
import Synchronization

/// One row as the reading thread hands it over: read, and checked against the card rules.
struct CheckedRow {
    var line: Int
    /// The record as read, kept only when a rejects file wants it back.
    var record: RawRecord?
    /// The valid card to apply, or nil when the row is already rejected with `errors`.
    var card: CheckedCard?
    /// The id the card gets if the store creates it (drawn here, off the writing thread).
    var newCardID: String?
    /// The card's key hash (`CardKey.hash`), computed here for the same reason, and a Lead card's
    /// client_card_id hash (`CardKey.leadIDHash`).
    var keyHash: Int64?
    var leadIDHash: Int64?
    /// While keys turn out stored: the row as the store would hold it, and the raw card, unchecked. The
    /// writer compares the form with the store and runs the rules only when it does not match.
    var storedForm: StoredForm?
    var raw: RawRecord.Content?
    var errors: [RowError]
    /// The row's key as the report shows it (card numbers masked when the row is rejected).
    var externalID: String?
    var entityID: String?
}

/// Rows in file order, as the reading thread hands them over.
struct CheckedRows {
    var rows: [CheckedRow]
    /// The input's bytes read when the last of these rows was read.
    var bytesRead: Int
    /// The input is about to wait for more (a pipe with nothing ready): commit what there is rather than
    /// hold the write lock while it waits.
    var commitBeforeWaiting = false
    /// Set on the last rows: how the input ended.
    var end: End?
    /// The encoding the reader was decoding in when these rows were handed over (`--encoding auto` settles
    /// on one at the first cell that is not ASCII): the batch that commits them records it.
    var encoding: TextEncoding = .utf8

    enum End {
        case finished
        case failed(FileError)
    }
}

/// Reading and checking on a second thread while the store writes on the calling one: one producer, one
/// consumer, a short bounded queue between them (memory stays flat whatever the file's size), file order
/// kept.
///
/// The reading thread is the only one that takes SIGINT and SIGTERM until `finish`, so a read blocked on a
/// silent pipe is interrupted (EINTR) and the stop is seen; the writing thread sees the flag between rows
/// and in its busy waits. Once the input has ended the reading thread stays, parked, only to take the
/// signals, until `finish`. When the writer stops early, `finish` interrupts a read that waits on a silent
/// pipe (SIGUSR1, a handler that does nothing) so the thread can end.
///
/// Memory: a hand-over closes at 512 rows or 4 MiB of input, whichever comes first, and at most 8 wait.
final class RowPipeline: @unchecked Sendable {
    private let reader: any RecordReader
    private let source: ByteSource
    private let kind: CardFileKind
    private let defaultEntity: String?
    /// What the field rules carry from row to row (the reading thread's).
    private var context: RowCheckContext
    private let keepsRecords: Bool
    /// `--max-rows`: the input ends with `file_too_large` at the record after this many.
    private let maxRows: Int?
    private let rowsPerHandOver: Int
    private let capacity: Int

    private let condition = NSCondition()
    // Guarded by `condition`.
    private var queue: [CheckedRows] = []
    /// Rows the writer is done with, freed by the reading thread (which made them) at its next hand-over.
    private var spent: [CheckedRows] = []
    private var cancelled = false
    /// The input has ended and the last rows are queued.
    private var inputEnded = false
    /// The reading thread has returned.
    private var producerDone = false
    private var started = false
    /// The reading thread, for `pthread_kill` (SIGUSR1 interrupts a read it waits in).
    private var readerThread: pthread_t?
    private static let bytesPerHandOver = 4 << 20
    private var blockedSignals = sigset_t()
    // The reading thread's own.
    private var identifiers = IdentifierGenerator()
    /// Set by the writer while the rows' keys turn out to be stored already (a file loaded again): the
    /// reading thread then draws no card ids, which would go unused (the store draws one if it needs it).
    private let keysAreStored = Atomic<Bool>(false)

    init(
        reader: any RecordReader, source: ByteSource, kind: CardFileKind = .native, defaultEntity: String?,
        keepsRecords: Bool, maxRows: Int? = nil, rowsPerHandOver: Int = 512, capacity: Int = 8
    ) {
        self.maxRows = maxRows
        self.reader = reader
        self.source = source
        self.kind = kind
        self.defaultEntity = defaultEntity
        context = RowCheckContext(defaultEntity: defaultEntity)
        self.keepsRecords = keepsRecords
        self.rowsPerHandOver = rowsPerHandOver
        self.capacity = capacity
    }

    /// Starts the reading thread.
    func start() {
        // The new thread inherits this mask; it unblocks the signals for itself, so they are delivered there.
        sigemptyset(&blockedSignals)
        sigaddset(&blockedSignals, SIGINT)
        sigaddset(&blockedSignals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blockedSignals, nil)
        started = true
        Self.installWakeUpHandler
        let thread = Thread { [self] in
            var signals = blockedSignals
            sigaddset(&signals, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &signals, nil)
            condition.lock()
            readerThread = pthread_self()
            condition.unlock()
            produce()
        }
        thread.name = "card-upload reader"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next rows in file order; nil after the rows marked `end` or once cancelled.
    func next() -> CheckedRows? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !inputEnded && !cancelled { condition.wait() }
        guard !queue.isEmpty, !cancelled else { return nil }
        // At most `capacity` entries: taking the first moves a handful of references.
        let rows = queue.removeFirst()
        condition.broadcast()
        return rows
    }

    /// Tells the reading thread whether rows' keys are turning out to be stored already.
    func expectStoredKeys(_ expected: Bool) {
        keysAreStored.store(expected, ordering: .relaxed)
    }

    /// Hands rows the writer is done with back to the reading thread, which frees them: the writing thread
    /// spends its time on the store, not on freeing what the reader allocated.
    func recycle(_ rows: consuming CheckedRows) {
        condition.lock()
        spent.append(rows)
        condition.unlock()
    }

    /// Stops the reading thread (at its next hand-over), waits until it is gone and gives this thread the
    /// stop signals back. Safe to call more than once.
    func finish() {
        guard started else { return }
        condition.lock()
        cancelled = true
        condition.broadcast()
        while !producerDone {
            // The reading thread may be waiting in a read on a silent pipe: interrupt it (again, in case it
            // was not in the read yet) until it is gone.
            if !inputEnded, let readerThread { pthread_kill(readerThread, SIGUSR1) }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
        condition.unlock()
        started = false
        source.willWait = nil
        pthread_sigmask(SIG_UNBLOCK, &blockedSignals, nil)
    }

    // MARK: The reading thread

    private func produce() {
        var rows: [CheckedRow] = []
        rows.reserveCapacity(rowsPerHandOver)
        source.willWait = { [unowned self] in
            // Hand over what there is, marked to be committed, before the read waits.
            hand(CheckedRows(
                rows: rows, bytesRead: source.bytesRead, commitBeforeWaiting: true, encoding: reader.encodingInUse))
            rows.removeAll(keepingCapacity: true)
        }
        var end = CheckedRows.End.finished
        var handedAt = source.bytesRead
        var count = 0
        // Cells kept for the rejects file weigh more than their bytes of input: a hand-over also closes
        // once they would (16 bytes a cell), so a file of many tiny cells stays within memory too.
        var keptCells = 0
        do throws(FileError) {
            while let record = try reader.next() {
                count += 1
                if let maxRows, count > maxRows {
                    throw FileError(
                        code: .fileTooLarge,
                        message: "more than --max-rows \(maxRows) rows: stopped here, the rows before were loaded; raise --max-rows or split the file",
                        line: record.line)
                }
                if keepsRecords { keptCells += record.cells?.count ?? 0 }
                rows.append(check(record))
                if rows.count >= rowsPerHandOver || source.bytesRead - handedAt + keptCells * 16 >= Self.bytesPerHandOver {
                    guard hand(CheckedRows(rows: rows, bytesRead: source.bytesRead, encoding: reader.encodingInUse)) else { break }
                    rows.removeAll(keepingCapacity: true)
                    handedAt = source.bytesRead
                    keptCells = 0
                }
            }
        } catch {
            end = .failed(error)
        }
        source.willWait = nil
        hand(CheckedRows(rows: rows, bytesRead: source.bytesRead, end: end, encoding: reader.encodingInUse))
        rows = []
        condition.lock()
        inputEnded = true
        condition.broadcast()
        // Stay, parked, to take SIGINT and SIGTERM (the writer blocks them) until the writer finishes.
        while !cancelled { condition.wait() }
        var freed: [CheckedRows] = []
        swap(&freed, &spent)
        producerDone = true
        condition.broadcast()
        condition.unlock()
        freed.removeAll()
    }

    /// The hints the field rules found on the rows they accepted; read after `finish`.
    var ruleHints: [FileHint] { context.hints.list }

    /// Whether the writer has stopped: the reading thread ends its input there (also a read it waits in).
    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// SIGUSR1 does nothing but interrupt a blocking read (installed without SA_RESTART), once per process.
    private static let installWakeUpHandler: Void = {
        SystemCall.installHandler(SIGUSR1) { _ in }
    }()

    /// Queues `rows`, waiting while the queue is full; false when the consumer has cancelled.
    @discardableResult
    private func hand(_ rows: CheckedRows) -> Bool {
        condition.lock()
        while queue.count >= capacity && !cancelled { condition.wait() }
        let accepted = !cancelled
        if accepted {
            queue.append(rows)
            condition.broadcast()
        }
        var freed: [CheckedRows] = []
        swap(&freed, &spent)
        condition.unlock()
        freed.removeAll()
        return accepted
    }

    private func check(_ record: RawRecord) -> CheckedRow {
        var kept = keepsRecords ? record : nil
        // The rejects file writes a row back from its cells or its text, never from the mapped card: the
        // kept record holds none (a card of thousands of metadata entries would weigh many times its input).
        if kept != nil, case .card = record.content { kept!.content = .card(RawCard()) }
        if case .unreadable(let error) = record.content {
            return CheckedRow(line: record.line, record: kept, card: nil, errors: [error])
        }
        // A file loaded again: most rows are stored already, and a stored row needs no rules.
        if keysAreStored.load(ordering: .relaxed), let form = kind.storedForm(record.content, defaultEntity) {
            return CheckedRow(
                line: record.line, record: kept, card: nil, storedForm: form, raw: record.content, errors: [],
                externalID: form.externalID, entityID: form.entityID)
        }
        return Self.checked(record.content, line: record.line, record: kept, kind: kind, context: &context) {
            keysAreStored.load(ordering: .relaxed) ? nil : identifiers.cardID()
        }
    }

    /// `content` checked against the kind's field rules: a card (with a new card id from `newCardID`) or its errors.
    static func checked(
        _ content: RawRecord.Content, line: Int, record: RawRecord?, kind: CardFileKind, context: inout RowCheckContext,
        newCardID: () -> String?
    ) -> CheckedRow {
        switch kind.check(content, &context) {
        case .success(let valid):
            return CheckedRow(
                line: line, record: record, card: valid, newCardID: newCardID(),
                keyHash: CardKey.hash(entityID: valid.entityID, externalID: valid.externalID),
                leadIDHash: valid.leadIDHash, errors: [], externalID: valid.externalID, entityID: valid.entityID)
        case .failure(let errors):
            let (externalID, entityID): (String?, String?) = switch content {
            case .card(let raw): (Self.maskedString(raw.externalID), Self.maskedString(raw.entityID) ?? context.defaultEntity)
            case .lead(let row): (row[.clientCardID].map(CardNumber.mask), row[.entityID].map(CardNumber.mask))
            case .unreadable: (nil, nil)
            }
            return CheckedRow(
                line: line, record: record, card: nil, errors: errors.errors, externalID: externalID, entityID: entityID)
        }
    }

    /// A raw string value for the report, card numbers masked; nil for non-strings.
    private static func maskedString(_ value: RawValue?) -> String? {
        if case .string(let text)? = value { return CardNumber.mask(text) }
        return nil
    }
}
