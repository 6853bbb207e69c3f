import Foundation
import Testing

/// What a load does to other users of the store: it never holds the write lock while it waits for input,
/// and its final checkpoint never waits for readers. Serialized: these watch other processes.
@Suite(.serialized) struct LockingTests {
    static let header = "external_id,account_id,entity_id,details.last_four\n"

    @Test func aSlowPipeDoesNotHoldTheWriteLock() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        #expect(try CardUploadBinary.run(["process", try folder.write("seed.csv", Self.header), "--db", db], in: folder.url).status == 0)

        let pipe = Pipe()
        let process = Process()
        process.executableURL = CardUploadBinary.url
        process.arguments = ["process", "-", "--format", "csv", "--db", db, "--quiet"]
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        pipe.fileHandleForWriting.write(Data((Self.header + "p1,account_a,entity_e,0001\np2,account_a,entity_e,0002\n").utf8))

        // The rows already read are committed while the run waits for more input.
        var committed = 0
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            committed = (try? StoreInspector(db).count("SELECT count(*) FROM cards")) ?? 0
            if committed == 2 { break }
            usleep(50_000)
        }
        #expect(committed == 2)
        // Another run can write meanwhile.
        let other = try folder.write("other.csv", Self.header + "o1,account_a,entity_e,0003\n")
        let result = try CardUploadBinary.run(["process", other, "--db", db], in: folder.url)
        #expect(result.status == 0, "\(result.stderr)")

        pipe.fileHandleForWriting.write(Data("p3,account_a,entity_e,0004\n".utf8))
        try pipe.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try StoreInspector(db).count("SELECT count(*) FROM cards") == 4)
    }

    @Test func theFinalCheckpointDoesNotWaitForAReader() throws {
        let folder = try TemporaryDirectory()
        let db = folder.path("cards.sqlite")
        #expect(try CardUploadBinary.run(["process", try folder.write("seed.csv", Self.header + "s1,account_a,entity_e,0001\n"), "--db", db], in: folder.url).status == 0)
        // A reader holding a snapshot open, as `cards list | less` would.
        let reader = try StoreInspector(db)
        _ = try reader.rows("BEGIN")
        _ = try reader.rows("SELECT count(*) FROM cards")
        defer { _ = try? reader.rows("COMMIT") }

        let file = try folder.write("a.csv", Self.header + "k1,account_a,entity_e,0002\n")
        let process = try CardUploadBinary.start(["process", file, "--db", db], in: folder.url)
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        let finished = !process.isRunning
        if !finished { process.terminate() }
        process.waitUntilExit()
        #expect(finished, "the load waited for the reader (the busy timeout is 60 s)")
        #expect(process.terminationStatus == 0)
    }
}
