import Foundation
import Testing

/// Where outputs may be written (SPEC §6, README "Guarantees"): never through a symbolic link that leads
/// outside the output's folder, never through a link planted at the temporary name, never over an input;
/// a link inside the folder is followed and kept; the process's own descriptors are written directly.
@Suite struct OutputPathTests {
    static let csv = "external_id,account_id,entity_id,details.last_four\nk1,account_a,entity_e,0001\nk2,account_a,entity_e,bad\n"

    /// A folder with `a.csv`, `out/` for the outputs and `outside/target.txt` holding "secret".
    static func prepare() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        try folder.write("a.csv", csv)
        for name in ["out", "outside"] {
            try FileManager.default.createDirectory(atPath: folder.path(name), withIntermediateDirectories: true)
        }
        try folder.write("outside/target.txt", "secret")
        return folder
    }

    static func isLink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    @Test(arguments: ["--report", "--rejects", "--results", "--html", "reconcile --report"])
    func aLinkThatLeadsOutsideItsFolderIsRefusedAndNothingIsWrittenThroughIt(option: String) throws {
        let folder = try Self.prepare()
        let words = option.split(separator: " ").map(String.init)
        let command = words.count == 2 ? words[0] : "process"
        if command == "reconcile" {
            #expect(try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite"], in: folder.url).status == 1)
        }
        // A link to an existing file, one to a name that does not exist yet, one to a device.
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/existing"), withDestinationPath: "../outside/target.txt")
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/new"), withDestinationPath: folder.path("outside/new.txt"))
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/device"), withDestinationPath: "/dev/null")
        let uploadsBefore = FileManager.default.fileExists(atPath: folder.path("cards.sqlite"))
            ? try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM uploads") : 0
        for link in ["out/existing", "out/new", "out/device"] {
            let result = try CardUploadBinary.run(
                [command, "a.csv", "--db", "cards.sqlite", words.last!, link], in: folder.url)
            #expect(result.status == 73, "\(option) \(link): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("symbolic link") && result.stderr.contains("outside its folder"), "\(result.stderr)")
            #expect(Self.isLink(folder.path(link)), "\(link) is left as it was")
        }
        #expect(try String(contentsOfFile: folder.path("outside/target.txt"), encoding: .utf8) == "secret")
        #expect(!FileManager.default.fileExists(atPath: folder.path("outside/new.txt")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path("out")).sorted() == ["device", "existing", "new"])
        // Refused before the first row is read: nothing loaded, no upload recorded.
        if FileManager.default.fileExists(atPath: folder.path("cards.sqlite")) {
            #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM uploads") == uploadsBefore)
        }
    }

    @Test func aLinkInsideItsFolderIsFollowedAndKept() throws {
        let folder = try Self.prepare()
        try FileManager.default.createDirectory(atPath: folder.path("out/2026"), withIntermediateDirectories: true)
        try folder.write("out/old.json", "old")
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/latest.json"), withDestinationPath: "old.json")
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/rejects.csv"), withDestinationPath: "2026/rejects.csv")
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/chain.csv"), withDestinationPath: "results-link.csv")
        try FileManager.default.createSymbolicLink(
            atPath: folder.path("out/results-link.csv"), withDestinationPath: folder.path("out/2026/results.csv"))
        let result = try CardUploadBinary.run(
            ["process", "a.csv", "--db", "cards.sqlite", "--report", "out/latest.json", "--rejects", "out/rejects.csv",
             "--results", "out/chain.csv"],
            in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        for link in ["out/latest.json", "out/rejects.csv", "out/chain.csv", "out/results-link.csv"] {
            #expect(Self.isLink(folder.path(link)), "\(link) is still a link")
        }
        #expect(try readJSON(folder.path("out/old.json"))["counts"] as? [String: Int] == ["rows": 2, "created": 1, "replayed": 0, "updated": 0, "rejected": 1])
        #expect(try String(contentsOfFile: folder.path("out/2026/rejects.csv"), encoding: .utf8).contains("k2,account_a,entity_e,bad,3,"))
        #expect(try String(contentsOfFile: folder.path("out/2026/results.csv"), encoding: .utf8).hasPrefix("line,external_id"))
        for file in ["out/old.json", "out/2026/rejects.csv", "out/2026/results.csv"] {
            #expect(try FileManager.default.attributesOfItem(atPath: folder.path(file))[.posixPermissions] as? Int == 0o600, "\(file)")
        }
        // No temporary file left behind anywhere.
        let left = try FileManager.default.subpathsOfDirectory(atPath: folder.path("out")).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aLinkPlantedAtTheTemporaryNameIsNeitherFollowedNorMovedIntoPlace() throws {
        let folder = try Self.prepare()
        // The shell's pid is the binary's after `exec`: the link sits exactly where the temporary file goes.
        let result = try CardUploadBinary.run(
            ["-c", "ln -s ../outside/target.txt out/.r.json.$$.tmp && ln -s ../outside/target.txt out/.rejects.csv.$$.tmp"
                + " && exec \"$0\" process a.csv --db cards.sqlite --report out/r.json --rejects out/rejects.csv",
             CardUploadBinary.url.path],
            in: folder.url, executable: "/bin/sh")
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try String(contentsOfFile: folder.path("outside/target.txt"), encoding: .utf8) == "secret")
        #expect(!Self.isLink(folder.path("out/r.json")) && !Self.isLink(folder.path("out/rejects.csv")))
        #expect(try readJSON(folder.path("out/r.json"))["status"] as? String == "completed_with_errors")
        #expect(try String(contentsOfFile: folder.path("out/rejects.csv"), encoding: .utf8).contains(",3,"))
        // The planted links are left where they were (not the run's to remove).
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path("out"))
        #expect(names.filter { $0.hasSuffix(".tmp") }.count == 2, "\(names)")
        #expect(names.filter { $0.hasSuffix(".tmp") }.allSatisfy { Self.isLink(folder.path("out/\($0)")) })
    }

    @Test func theProcessOwnDescriptorsAreWrittenDirectlyWhateverTheyAreOpenOn() throws {
        let folder = try Self.prepare()
        // Standard output here is a regular file: the path must not be treated as a file to replace
        // (that used to mean a temporary file in /proc/self/fd, 73 — or, for /dev/stdout as root, /dev/stdout replaced).
        for path in ["/dev/fd/1", "/proc/self/fd/1"] {
            let result = try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite", "--report", path], in: folder.url)
            try #require(result.status == 1, "\(path): \(result.stderr)")
            #expect(try parseJSON(result.stdout)["status"] as? String == "completed_with_errors", "\(path)")
        }
        let devStdout = try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite", "--report", "/dev/stdout"], in: folder.url)
        #expect(devStdout.status == 1, "\(devStdout.stderr)")
        #expect(try parseJSON(devStdout.stdout)["status"] as? String == "completed_with_errors")
        #expect(Self.isLink("/dev/stdout"), "/dev/stdout is still a link")
        // A descriptor open for reading only (standard input) cannot take a report: 73, nothing loaded.
        let readOnly = try CardUploadBinary.run(
            ["process", "a.csv", "--db", "cards.sqlite", "--report", "/dev/fd/0"], in: folder.url, stdin: Data())
        #expect(readOnly.status == 73, "\(readOnly.stderr)")
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM uploads") == 3)
    }

    @Test func processDirNeverWritesThroughALinkPlantedInItsFolders() throws {
        let folder = try Self.prepare()
        for name in ["in", "in/reports", "in/done"] {
            try FileManager.default.createDirectory(atPath: folder.path(name), withIntermediateDirectories: true)
        }
        try folder.write("in/b.csv", Self.csv)
        // Links at the names the run would use for the report, the rejects and the moved file.
        for name in ["reports/b.csv.report.json", "reports/b.csv.rejects.csv", "done/b.csv"] {
            try FileManager.default.createSymbolicLink(atPath: folder.path("in/" + name), withDestinationPath: folder.path("outside/target.txt"))
        }
        let result = try CardUploadBinary.run(["process-dir", "in", "--db", "cards.sqlite"], in: folder.url)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try String(contentsOfFile: folder.path("outside/target.txt"), encoding: .utf8) == "secret")
        for name in ["reports/b.csv.report.json", "reports/b.csv.rejects.csv", "done/b.csv"] {
            #expect(Self.isLink(folder.path("in/" + name)), "\(name) is left as it was")
        }
        // The names taken, the upload id goes before the suffix (SPEC §1).
        let reports = try FileManager.default.contentsOfDirectory(atPath: folder.path("in/reports")).sorted()
        #expect(reports.count == 4 && reports.filter { $0.hasPrefix("b.upload_") || $0.hasPrefix("b.csv.upload_") }.count == 2, "\(reports)")
        let done = try FileManager.default.contentsOfDirectory(atPath: folder.path("in/done"))
        #expect(done.count == 2 && done.contains { $0.hasPrefix("b.upload_") && $0.hasSuffix(".csv") }, "\(done)")
    }

    @Test func anOutputThatIsTheInputIsRefusedHoweverItIsSpelled() throws {
        let folder = try Self.prepare()
        try FileManager.default.createSymbolicLink(atPath: folder.path("same-folder.csv"), withDestinationPath: "a.csv")
        try FileManager.default.createSymbolicLink(atPath: folder.path("out/other-folder.csv"), withDestinationPath: folder.path("a.csv"))
        try FileManager.default.linkItem(atPath: folder.path("a.csv"), toPath: folder.path("out/hard.csv"))
        let spellings = ["./a.csv", "out/../a.csv", folder.path("a.csv"), "same-folder.csv", "out/other-folder.csv", "out/hard.csv"]
        for option in ["--report", "--rejects", "--results", "--html"] {
            for spelling in spellings {
                let result = try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite", option, spelling], in: folder.url)
                #expect(result.status == 64, "\(option) \(spelling): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("is the input file"), "\(result.stderr)")
            }
        }
        #expect(try CardUploadBinary.run(["process", "a.csv", "--db", "cards.sqlite"], in: folder.url).status == 1)
        for spelling in spellings {
            let result = try CardUploadBinary.run(["reconcile", "a.csv", "--db", "cards.sqlite", "--report", spelling], in: folder.url)
            #expect(result.status == 64, "reconcile \(spelling): \(result.status) \(result.stderr)")
        }
        #expect(try String(contentsOfFile: folder.path("a.csv"), encoding: .utf8) == Self.csv)
        #expect(try StoreInspector(folder.path("cards.sqlite")).count("SELECT count(*) FROM uploads") == 1)
    }
}
