import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement — never the bound values,
/// which may be card data.
package struct DatabaseError: Error, Sendable, CustomStringConvertible {
    package var resultCode: Int32
    package var message: String
    package var sql: String?

    package init(resultCode: Int32, message: String, sql: String? = nil) {
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (extended codes carry more bits).
    package var primaryCode: Int32 { resultCode & 0xFF }

    /// True when another connection holds the lock past the busy timeout (exit 75).
    package var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    package var description: String {
        var text = "SQLite error \(resultCode): \(message)"
        if let sql { text += " (in: \(sql.prefix(120)))" }
        return text
    }
}

/// The store refuses a database written by a newer version of card-upload.
package struct NewerSchemaError: Error, Sendable, CustomStringConvertible {
    package var found: Int32
    package var supported: Int32
    package var description: String {
        "the database has schema version \(found); this card-upload supports up to \(supported) — use a newer card-upload"
    }
}

extension DatabaseError {
    /// A failure that leaves the store as it was and may not happen next time: busy or locked, full, out of
    /// memory, an I/O error or a temporary file that cannot be opened (SQLite's primary result codes 5, 6, 7,
    /// 10, 13, 14). The one-time conversion to incremental auto-vacuum waits for a later writer on these.
    package var defersConversion: Bool {
        [5, 6, 7, 10, 13, 14].contains(primaryCode)
    }
}
