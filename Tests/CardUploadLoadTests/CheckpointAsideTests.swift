@testable import CardUploadStore
import Foundation
import Testing

/// A file loaded in one transaction commits, then merges its keys while its pages are copied from the WAL into
/// the database file on a connection and thread of their own (`Database.commitCheckpointingAside`).
@Suite struct CheckpointAsideTests {
    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("aside-\(UUID().uuidString).sqlite").path
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
    }

    private func count(_ database: Database) throws -> Int64 {
        try database.prepare("SELECT count(*) FROM t").queryOne([]) { $0.integer(0) ?? -1 } ?? -1
    }

    @Test func aCommitIsCopiedIntoTheDatabaseFileWhileTheConnectionWritesOn() throws {
        let path = temporaryPath()
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let database = try Database(path: path, mode: .readWriteCreate)
        try database.execute("CREATE TABLE t (x BLOB NOT NULL)")
        database.checkpoint()
        let empty = size(path)
        #expect(database.autoCheckpoint == 1_000)
        // About 2 MB, 500 pages: fewer than SQLite's automatic checkpoint copies back (1,000), so a plain commit
        // would leave them in the WAL.
        try database.beginWrite()
        let insert = try database.prepare("INSERT INTO t (x) VALUES (randomblob(1000))")
        for _ in 0..<2_000 { try insert.execute([]) }
        try database.commitCheckpointingAside()
        // The connection goes on writing while the copy runs; it makes no checkpoint of its own meanwhile.
        #expect(database.autoCheckpoint == 0)
        try database.writeTransaction { for _ in 0..<100 { try insert.execute([]) } }
        database.joinCheckpointAside()
        #expect(database.autoCheckpoint == 1_000)
        #expect(size(path) >= empty + 2_000_000, "the first transaction's pages are in the database file")
        #expect(size(path + "-wal") > 0, "the WAL is kept until the connection's own checkpoint")
        let reader = try Database(path: path, mode: .readOnly)
        #expect(try count(reader) == 2_100)
        database.checkpoint()
        #expect(size(path + "-wal") == 0, "the last checkpoint empties the WAL")
        #expect(try count(reader) == 2_100)
    }
}
