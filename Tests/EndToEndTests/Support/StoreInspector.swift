import CSQLite
import Foundation

/// Reads a card store directly with SQLite, to check what the binary wrote.
final class StoreInspector {
    private let connection: OpaquePointer

    init(_ path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let handle else {
            sqlite3_close_v2(handle)  // SQLite allocates the connection even when the open fails
            throw TestFailure("cannot open \(path)")
        }
        connection = handle
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit { sqlite3_close_v2(connection) }

    /// Every row of `sql` as text cells (NULL → nil).
    func rows(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw TestFailure("cannot prepare \(sql): \(String(cString: sqlite3_errmsg(connection)))")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (index, argument) in arguments.enumerated() {
            sqlite3_bind_text(statement, Int32(index + 1), argument, -1, transient)
        }
        var result: [[String?]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            let count = sqlite3_column_count(statement)
            result.append((0..<count).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) }
            })
        }
        return result
    }

    /// The single value of `sql`.
    func value(_ sql: String, _ arguments: [String] = []) throws -> String? {
        try rows(sql, arguments).first?.first ?? nil
    }

    /// The single integer of `sql`.
    func count(_ sql: String, _ arguments: [String] = []) throws -> Int {
        Int(try value(sql, arguments) ?? "0") ?? 0
    }
}
