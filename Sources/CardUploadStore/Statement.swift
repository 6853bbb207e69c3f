import CSQLite
import Foundation

/// SQLite's `SQLITE_TRANSIENT`: the string is copied at bind time.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A prepared statement, prepared once and reused: bind, step, reset.
package final class Statement {
    let sqliteStatement: OpaquePointer
    private unowned let database: Database
    package let sql: String
    /// Texts staged by `bind(_:_:)`: their bytes, copied once into this buffer, bound in place
    /// (SQLITE_STATIC) when the statement steps, so SQLite neither copies nor allocates per value. Plain
    /// memory touched only by this statement's owner: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var arena: UnsafeMutableRawPointer
    @exclusivity(unchecked) private var arenaCapacity = 1024
    @exclusivity(unchecked) private var arenaUsed = 0
    @exclusivity(unchecked) private var staged: [(index: Int32, offset: Int, count: Int)] = []
    /// Whether texts in the arena are bound (since a step): only `rewind` may come next.
    @exclusivity(unchecked) private var arenaBound = false

    init(database: Database, sql: String) throws(DatabaseError) {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(database.sqliteConnection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw database.error(code, sql: sql)
        }
        self.sqliteStatement = handle
        self.database = database
        self.sql = sql
        self.arena = .allocate(byteCount: 1024, alignment: 1)
    }

    deinit {
        sqlite3_finalize(sqliteStatement)
        arena.deallocate()
    }

    /// Binds values to the parameters 1…n in order (nil binds NULL) after resetting the statement.
    package func bind(_ values: [SQLValue?]) throws(DatabaseError) {
        rewind()
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case nil:
                code = sqlite3_bind_null(sqliteStatement, index)
            case .text(let text)?:
                code = bindText(text, at: index)
            case .integer(let number)?:
                code = sqlite3_bind_int64(sqliteStatement, index, number)
            }
            guard code == SQLITE_OK else { throw database.error(code, sql: sql) }
        }
    }

    // MARK: One parameter at a time (the load's per-row statements: no array per row)

    /// Resets the statement and clears its bindings for its next run (bound texts point into the arena,
    /// which the next values overwrite).
    package func rewind() {
        sqlite3_reset(sqliteStatement)
        sqlite3_clear_bindings(sqliteStatement)
        arenaUsed = 0
        arenaBound = false
        staged.removeAll(keepingCapacity: true)
    }

    /// Binds parameter `index` (1-based) to `text`, or NULL: the bytes are staged in the arena and bound
    /// when the statement steps. Call after `rewind`.
    package func bind(_ index: Int32, _ text: String?) throws(DatabaseError) {
        // The arena may move below: no text may be bound into it from an earlier run.
        precondition(!arenaBound, "Statement.bind after a step without rewind: \(sql)")
        guard var text else { return try check(sqlite3_bind_null(sqliteStatement, index)) }
        text.withUTF8 { bytes in
            if arenaUsed + bytes.count > arenaCapacity {
                // Nothing is bound into the arena yet (binding happens at the step): it may move.
                let capacity = max(arenaCapacity * 2, arenaUsed + bytes.count)
                let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
                grown.copyMemory(from: arena, byteCount: arenaUsed)
                arena.deallocate()
                arena = grown
                arenaCapacity = capacity
            }
            if let base = bytes.baseAddress { (arena + arenaUsed).copyMemory(from: base, byteCount: bytes.count) }
            staged.append((index, arenaUsed, bytes.count))
            arenaUsed += bytes.count
        }
    }

    /// Binds the staged texts in place (SQLITE_STATIC: valid until `rewind`, which clears them).
    private func bindStaged() throws(DatabaseError) {
        arenaBound = true
        defer { staged.removeAll(keepingCapacity: true) }
        for (index, offset, count) in staged {
            try check(sqlite3_bind_text(
                sqliteStatement, index, (arena + offset).assumingMemoryBound(to: CChar.self), Int32(count), nil))
        }
    }

    /// Binds parameter `index` (1-based) to `number`, or NULL.
    package func bind(_ index: Int32, _ number: Int64?) throws(DatabaseError) {
        try check(number.map { sqlite3_bind_int64(sqliteStatement, index, $0) } ?? sqlite3_bind_null(sqliteStatement, index))
    }

    /// Runs the bound statement to completion and resets it; for statements that return no rows.
    package func run() throws(DatabaseError) {
        while try step() {}
        sqlite3_reset(sqliteStatement)
    }

    private func check(_ code: Int32) throws(DatabaseError) {
        guard code == SQLITE_OK else { throw database.error(code, sql: sql) }
    }

    /// Binds `text` by its UTF-8 bytes (no C-string copy for native strings).
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                return sqlite3_bind_text(sqliteStatement, index, "", 0, sqliteTransient)
            }
            return UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(sqliteStatement, index, $0, Int32(bytes.count), sqliteTransient)
            }
        }
    }

    /// Steps once: true when a row is available.
    @discardableResult
    package func step() throws(DatabaseError) -> Bool {
        if !staged.isEmpty { try bindStaged() }
        let code = sqlite3_step(sqliteStatement)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(code, sql: sql)
            sqlite3_reset(sqliteStatement)
            throw error
        }
    }

    /// Binds, runs to completion and resets; for statements that return no rows.
    package func execute(_ values: [SQLValue?] = []) throws(DatabaseError) {
        try bind(values)
        while try step() {}
        sqlite3_reset(sqliteStatement)
    }

    /// Binds, steps once and hands the row (if any) to `read`; the statement is reset afterwards.
    package func queryOne<T>(_ values: [SQLValue?], _ read: (Statement) -> T) throws(DatabaseError) -> T? {
        try bind(values)
        defer { sqlite3_reset(sqliteStatement) }
        guard try step() else { return nil }
        return read(self)
    }

    /// Binds, then hands every row to `body`; the statement is reset afterwards.
    package func forEachRow(_ values: [SQLValue?], _ body: (Statement) throws -> Void) throws {
        try bind(values)
        defer { sqlite3_reset(sqliteStatement) }
        while try step() { try body(self) }
    }

    /// Releases the statement's read lock without finalizing it.
    package func reset() { sqlite3_reset(sqliteStatement) }

    /// The text of column `index` (0-based), nil for NULL.
    package func text(_ index: Int32) -> String? {
        guard let pointer = sqlite3_column_text(sqliteStatement, index) else { return nil }
        let count = Int(sqlite3_column_bytes(sqliteStatement, index))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    /// Whether column `index` holds exactly `text`'s UTF-8 bytes (both NULL counts as equal), compared
    /// with `memcmp`, without making a String.
    package func textEquals(_ index: Int32, _ text: String?) -> Bool {
        let pointer = sqlite3_column_text(sqliteStatement, index)
        guard let text else { return pointer == nil }
        guard let pointer else { return false }
        let count = Int(sqlite3_column_bytes(sqliteStatement, index))
        let utf8 = text.utf8
        guard utf8.count == count else { return false }
        if let equal = utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, pointer, count) == 0 }) {
            return equal
        }
        return UnsafeBufferPointer(start: pointer, count: count).elementsEqual(utf8)
    }

    /// The bytes of text column `index` without making a String (for byte-for-byte comparisons).
    package func withTextBytes<T>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let pointer = sqlite3_column_text(sqliteStatement, index)
        let count = Int(sqlite3_column_bytes(sqliteStatement, index))
        return body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
    }

    /// The integer of column `index`, nil for NULL.
    package func integer(_ index: Int32) -> Int64? {
        sqlite3_column_type(sqliteStatement, index) == SQLITE_NULL ? nil : sqlite3_column_int64(sqliteStatement, index)
    }
}

/// A value bound to a statement parameter.
package enum SQLValue: Sendable {
    case text(String)
    case integer(Int64)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
}

extension Optional where Wrapped == SQLValue {
    /// `.text(value)` or NULL.
    package static func text(_ value: String?) -> SQLValue? { value.map(SQLValue.text) }
    /// `.integer(value)` or NULL.
    package static func integer(_ value: Int?) -> SQLValue? { value.map { SQLValue.integer(Int64($0)) } }
}
