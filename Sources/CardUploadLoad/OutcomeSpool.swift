import CardUploadModel
import CardUploadParsing
import CardUploadStore
import Foundation

/// The outcomes of an `--atomic` upload kept on disk while its one transaction is open, so that when it
/// commits nothing (a rejected row, a file-level error, a stop) the upload and every row's outcome can
/// still be recorded afterwards. One JSON object per line in an unlinked temporary file: memory stays flat.
final class OutcomeSpool {
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
        buffer.reserveCapacity(1 << 16)
    }

    /// Appends one row's outcome.
    func append(line: Int, externalID: String?, entityID: String?, outcome: RowOutcome) throws {
        buffer += Array("{\"line\":\(line),\"external_id\":".utf8)
        buffer += Array(JSONString.quotedOrNull(externalID).utf8)
        buffer += Array(",\"entity_id\":\(JSONString.quotedOrNull(entityID)),\"outcome\":\"\(outcome.kind.rawValue)\",\"card_id\":".utf8)
        buffer += Array(JSONString.quotedOrNull(outcome.cardID).utf8)
        if case .rejected(let errors) = outcome {
            buffer += Array(",\"errors\":\(errors.map(\.masked).json)".utf8)
        }
        buffer += Array("}\n".utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads every outcome back, in the order appended.
    func forEach(_ body: (UploadRowRecord) throws -> Void) throws {
        try flush()
        try handle.seek(toOffset: 0)
        var pending: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            pending += chunk
            var start = 0
            while let end = pending[start...].firstIndex(of: 0x0A) {
                try body(Self.decode(pending[start..<end]))
                start = end + 1
            }
            pending.removeFirst(start)
        }
    }

    private static func decode(_ line: ArraySlice<UInt8>) throws -> UploadRowRecord {
        guard case .object(let members) = try JSONDocumentParser.parse(line) else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var record = UploadRowRecord(line: 0, externalID: nil, entityID: nil, outcome: .rejected, cardID: nil)
        for member in members {
            switch (member.key, member.value) {
            case ("line", .number(let text)): record.line = Int(text) ?? 0
            case ("external_id", .string(let text)): record.externalID = text
            case ("entity_id", .string(let text)): record.entityID = text
            case ("outcome", .string(let text)): record.outcome = RowOutcomeKind(rawValue: text) ?? .rejected
            case ("card_id", .string(let text)): record.cardID = text
            case ("errors", .array): record.errors = .errors(errors(member.value))
            default: break
            }
        }
        return record
    }

    /// The errors array back.
    private static func errors(_ value: JSONValue) -> [RowError] {
        guard case .array(let items) = value else { return [] }
        var errors: [RowError] = []
        for case .object(let members) in items {
            var field: String?
            var code = ErrorCode.malformedRecord
            var message = ""
            for member in members {
                switch (member.key, member.value) {
                case ("field", .string(let text)): field = text
                case ("code", .string(let text)): code = ErrorCode(rawValue: text) ?? code
                case ("message", .string(let text)): message = text
                default: break
                }
            }
            errors.append(RowError(field: field, code: code, message: message))
        }
        return errors
    }
}
