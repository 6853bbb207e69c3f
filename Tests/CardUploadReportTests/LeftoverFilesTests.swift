import CardUploadReport
import Foundation
import Testing

/// Temporary files a killed run left behind (SPEC §6): recognised by name, removed only when their process
/// is gone and they are this user's plain files that nobody holds.
@Suite struct LeftoverFilesTests {
    /// A pid no process has now: a child that has exited and been reaped.
    static func deadPID() throws -> pid_t {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let pid = child.processIdentifier
        try #require(kill(pid, 0) != 0 && errno == ESRCH, "pid \(pid) was reused already")
        return pid
    }

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("leftovers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theNamesOfOurTemporaryFilesCarryTheirPID() {
        func pid(_ name: String) -> pid_t? { LeftoverFiles.pid(inName: Array(name.utf8)) }
        #expect(pid(".r.json.123.tmp") == 123)
        #expect(pid(".a.csv.report.json.4194304-3735928559.tmp") == 4_194_304)
        #expect(pid(".card-upload-77.report.staged") == 77)
        #expect(pid(".card-upload-78.rejects.staged") == 78)
        #expect(pid(".a.csv.99.part") == 99)
        for other in [
            "r.json.123.tmp", ".123.tmp", "..123.tmp", ".r.json.tmp", ".r.json.12a.tmp", ".r.json.0.tmp", ".r.json.-1.tmp",
            ".r.json.123-.tmp", ".r.json.123-x.tmp", ".r.json.123-4.part", ".r.json.99999999999.tmp", ".card-upload-.report.staged",
            ".card-upload-1x.report.staged", ".other-5.report.staged", ".a.csv.part", ".card-upload.lock", ".r.json.123.tmp.keep",
        ] {
            #expect(pid(other) == nil, "\(other)")
        }
    }

    @Test func theTemporaryNameOfALongOutputNameStaysWithin255Bytes() {
        for name in ["r.json", String(repeating: "r", count: 255), String(repeating: "é", count: 127)] {
            let temporary = LeftoverFiles.temporaryName(for: name, random: .max)
            #expect(temporary.utf8.count <= 255 && temporary.hasPrefix(".") && temporary.hasSuffix(".\(getpid())-\(UInt32.max).tmp"))
            #expect(LeftoverFiles.pid(inName: Array(temporary.utf8)) == getpid())
            #expect(!temporary.unicodeScalars.contains("\u{FFFD}"))
        }
        #expect(LeftoverFiles.temporaryName(for: "r.json") == ".r.json.\(getpid()).tmp")
        let copy = LeftoverFiles.temporaryName(for: String(repeating: "c", count: 245) + ".csv", ending: ".part")
        #expect(copy.utf8.count == 255 && copy.hasSuffix(".\(getpid()).part"))
        #expect(LeftoverFiles.pid(inName: Array(copy.utf8)) == getpid())
    }

    /// An output whose name leaves no room for `.<pid>.tmp` after it is still written (its temporary name is cut).
    @Test(arguments: [250, 255])
    func anOutputWithALongNameIsWritten(bytes: Int) throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/" + String(repeating: "é", count: (bytes - 5) / 2) + String(repeating: "r", count: (bytes - 5) % 2) + ".json"
        try #require(path.utf8.count - root.utf8.count - 1 == bytes)
        let output = try OutputFile(path: path)
        try output.write("report")
        try output.commit()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "report")
    }

    /// The first output made in a folder clears that folder's leftovers, and its own temporary file is locked
    /// while it is written, so another run never takes it for one.
    @Test func anOutputClearsItsFolderAndHoldsItsOwnTemporaryFile() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dead = try Self.deadPID()
        #expect(FileManager.default.createFile(atPath: root + "/.old.json.\(dead).tmp", contents: Data("card data".utf8)))
        let output = try OutputFile(path: root + "/r.json")
        #expect(!FileManager.default.fileExists(atPath: root + "/.old.json.\(dead).tmp"))
        let temporary = root + "/" + LeftoverFiles.temporaryName(for: "r.json")
        let probe = open(temporary, O_RDONLY)
        try #require(probe >= 0)
        defer { close(probe) }
        #expect(flock(probe, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        try output.commit()
    }

    @Test func onlyOurOwnUnheldFilesOfAGoneProcessAreRemoved() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dead = try Self.deadPID()
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["60"]
        try sleeper.run()
        defer { sleeper.terminate() }
        let live = sleeper.processIdentifier

        let gone = [".r.json.\(dead).tmp", ".s.json.\(dead)-42.tmp", ".card-upload-\(dead).report.staged", ".a.csv.\(dead).part"]
        let kept = [
            ".r.json.\(live).tmp", ".r.json.\(getpid()).tmp", ".card-upload-\(live).rejects.staged",  // running processes
            "r.json.\(dead).tmp", ".notes.tmp", ".card-upload.lock",  // not our names
            ".held.json.\(dead).tmp", ".linked.json.\(dead).tmp", "linked-too",  // locked; two links
        ]
        for name in gone + kept where name != "linked-too" {
            #expect(FileManager.default.createFile(atPath: root + "/" + name, contents: Data("card data".utf8)))
        }
        try FileManager.default.linkItem(atPath: root + "/.linked.json.\(dead).tmp", toPath: root + "/linked-too")
        try FileManager.default.createSymbolicLink(atPath: root + "/.link.json.\(dead).tmp", withDestinationPath: root + "/linked-too")
        try FileManager.default.createDirectory(atPath: root + "/.dir.json.\(dead).tmp", withIntermediateDirectories: false)
        let held = open(root + "/.held.json.\(dead).tmp", O_RDONLY)
        try #require(held >= 0 && flock(held, LOCK_EX) == 0)
        defer { close(held) }

        let removed = LeftoverFiles.remove(in: root)
        #expect(Set(removed) == Set(gone))
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: root))
        #expect(left == Set(kept + [".link.json.\(dead).tmp", ".dir.json.\(dead).tmp"]), "\(left.sorted())")
    }
}
