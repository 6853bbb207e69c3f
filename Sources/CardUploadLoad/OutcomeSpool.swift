import CardUploadModel
import CardUploadStore
import Foundation

/// The outcomes of an `--atomic` upload that commits nothing (a rejected row), copied to disk off its
/// open transaction just before it is rolled back, so that the upload and every row's outcome can still be
/// recorded afterwards. (A file-level error or a stop records no row: nothing is copied then.) Copying
/// them at the end, from the rows the transaction recorded and the cards it created, costs the clean file,
/// which commits, nothing.
///
/// The rows go to an unlinked temporary file in a binary form of the spool's own, written and read
/// through 64 KiB buffers, so memory stays flat whatever the file's size. Integers are little-endian;
/// a text is its UTF-8 length (`UInt32`, `UInt32.max` for nil) and bytes. A row is its line (`Int64`),
/// its outcome (one byte: the index in `RowOutcomeKind.allCases`), external_id, entity_id and card_id, then
/// its errors: a byte 0 and their count (`UInt32`), each as field, code and message; or a byte 1 and the
/// stored text of unreadable ones.
final class OutcomeSpool {
    static let bufferSize = 1 << 16
    private static let noText = UInt32.max

    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("card-upload-spool-\(getpid())-\(UUID().uuidString)").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        unlink(path)
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        buffer.reserveCapacity(Self.bufferSize)
    }

    /// A spool of every row outcome the upload `uploadID` has in the open transaction, in line order.
    convenience init(rowsOf uploadID: String, log: UploadLog) throws {
        try self.init()
        try log.forEachRow(uploadID: uploadID) { row in try append(row) }
    }

    /// Appends one row's outcome, its errors masked.
    func append(line: Int, externalID: String?, entityID: String?, outcome: RowOutcome) throws {
        try append(UploadRowRecord(line: line, externalID: externalID, entityID: entityID, outcome: outcome))
    }

    /// Appends one row as it is.
    func append(_ row: UploadRowRecord) throws {
        put(UInt64(bitPattern: Int64(row.line)), bytes: 8)
        buffer.append(UInt8(RowOutcomeKind.allCases.firstIndex(of: row.outcome)!))
        try put(row.externalID)
        try put(row.entityID)
        try put(row.cardID)
        switch row.errors {
        case .errors(let errors):
            buffer.append(0)
            put(UInt64(errors.count), bytes: 4)
            for error in errors {
                try put(error.field)
                try put(error.code.rawValue)
                try put(error.message)
            }
        case .unreadable(let text):
            buffer.append(1)
            try put(text)
        }
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private func put(_ value: UInt64, bytes: Int) {
        for shift in stride(from: 0, to: bytes * 8, by: 8) { buffer.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// A text as its length and bytes; one longer than the buffer goes to the file directly.
    private func put(_ text: String?) throws {
        guard let text else { return put(UInt64(Self.noText), bytes: 4) }
        let count = text.utf8.count
        guard count < Self.noText else { throw CocoaError(.fileWriteUnknown) }
        put(UInt64(count), bytes: 4)
        if buffer.count + count <= Self.bufferSize {
            buffer.append(contentsOf: text.utf8)
            return
        }
        try flush()
        if count < Self.bufferSize {
            buffer.append(contentsOf: text.utf8)
        } else {
            try handle.write(contentsOf: Array(text.utf8))
        }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads every outcome back, in the order appended.
    func forEach(_ body: (UploadRowRecord) throws -> Void) throws {
        try flush()
        try handle.seek(toOffset: 0)
        var reader = Reader(handle: handle)
        while try reader.hasMore() {
            try body(reader.row())
        }
    }

    /// Reads the spool's rows through one 64 KiB buffer (a longer text is read into its own).
    private struct Reader {
        let handle: FileHandle
        var buffer: [UInt8] = []
        var position = 0

        init(handle: FileHandle) {
            self.handle = handle
            buffer.reserveCapacity(OutcomeSpool.bufferSize)
        }

        mutating func hasMore() throws -> Bool {
            if position == buffer.count { try refill() }
            return position < buffer.count
        }

        mutating func row() throws -> UploadRowRecord {
            let line = Int(Int64(bitPattern: try integer(bytes: 8)))
            let kinds = RowOutcomeKind.allCases
            let kind = Int(try integer(bytes: 1))
            guard kind < kinds.count else { throw CocoaError(.fileReadCorruptFile) }
            var row = UploadRowRecord(
                line: line, externalID: try text(), entityID: try text(), outcome: kinds[kind], cardID: try text())
            switch try integer(bytes: 1) {
            case 0:
                let count = Int(try integer(bytes: 4))
                var errors: [RowError] = []
                for _ in 0..<count {
                    let field = try text()
                    guard let code = try text().flatMap(ErrorCode.init(rawValue:)), let message = try text() else {
                        throw CocoaError(.fileReadCorruptFile)
                    }
                    errors.append(RowError(field: field, code: code, message: message))
                }
                row.errors = .errors(errors)
            case 1:
                guard let stored = try text() else { throw CocoaError(.fileReadCorruptFile) }
                row.errors = .unreadable(stored)
            default:
                throw CocoaError(.fileReadCorruptFile)
            }
            return row
        }

        private mutating func integer(bytes count: Int) throws -> UInt64 {
            try need(count)
            var value: UInt64 = 0
            for offset in 0..<count { value |= UInt64(buffer[position + offset]) << UInt64(offset * 8) }
            position += count
            return value
        }

        private mutating func text() throws -> String? {
            let count = try integer(bytes: 4)
            guard count != UInt64(OutcomeSpool.noText) else { return nil }
            let length = Int(count)
            if length <= OutcomeSpool.bufferSize {
                try need(length)
                defer { position += length }
                return String(decoding: buffer[position..<position + length], as: UTF8.self)
            }
            // Longer than the buffer: what is buffered, then the rest straight from the file.
            var bytes = Array(buffer[position...])
            buffer.removeAll(keepingCapacity: true)
            position = 0
            bytes.reserveCapacity(length)
            while bytes.count < length {
                guard let chunk = try handle.read(upToCount: length - bytes.count), !chunk.isEmpty else {
                    throw CocoaError(.fileReadCorruptFile)
                }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// Makes `count` (at most the buffer's size) bytes available from `position`.
        private mutating func need(_ count: Int) throws {
            while buffer.count - position < count {
                guard try refill() else { throw CocoaError(.fileReadCorruptFile) }
            }
        }

        /// Drops the bytes already read and reads the next chunk after the rest; false at the end of the file.
        @discardableResult
        private mutating func refill() throws -> Bool {
            buffer.removeSubrange(0..<position)
            position = 0
            guard let chunk = try handle.read(upToCount: OutcomeSpool.bufferSize - buffer.count), !chunk.isEmpty else {
                return false
            }
            buffer += chunk
            return true
        }
    }
}
