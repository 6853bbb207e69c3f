import CardUploadReport
import Foundation
import Testing

/// Where an output path leads: the process's own descriptors, devices, files, and links inside or outside
/// the output's folder.
@Suite struct OutputTargetTests {
    /// A fresh folder with `out/` and `outside/` in it; removed afterwards by the caller's `defer`.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("output-target-\(UUID().uuidString)").path
        for name in ["out", "outside"] {
            try FileManager.default.createDirectory(atPath: path + "/" + name, withIntermediateDirectories: true)
        }
        // Compared with resolved paths: resolve the temporary folder itself too.
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    @Test func standardStreamsAndDescriptorsAreTheProcessOwn() throws {
        #expect(try OutputTarget.resolve("-") == .standardOutput)
        #expect(try OutputTarget.resolve("/dev/stdout") == .descriptor(1))
        #expect(try OutputTarget.resolve("/dev/stderr") == .descriptor(2))
        #expect(try OutputTarget.resolve("/dev/fd/1") == .descriptor(1))
        #expect(try OutputTarget.resolve("/proc/self/fd/2") == .descriptor(2))
        #expect(try OutputTarget.resolve("/proc/\(getpid())/fd/1") == .descriptor(1))
        #expect(try OutputTarget.resolve("/dev/null") == .special(path: "/dev/null"))
    }

    @Test func filesAndNewNamesAreFilesAsSpelled() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/out/r.json", contents: Data("x".utf8))
        #expect(try OutputTarget.resolve(root + "/out/r.json") == .file(path: root + "/out/r.json"))
        #expect(try OutputTarget.resolve(root + "/out/new.json") == .file(path: root + "/out/new.json"))
    }

    @Test func aLinkInsideTheFolderLeadsToItsTarget() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/out/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: root + "/out/real.json", contents: nil)
        try FileManager.default.createSymbolicLink(atPath: root + "/out/link.json", withDestinationPath: "real.json")
        try FileManager.default.createSymbolicLink(atPath: root + "/out/deeper.json", withDestinationPath: "sub/new.json")
        try FileManager.default.createSymbolicLink(atPath: root + "/out/chain.json", withDestinationPath: "link.json")
        #expect(try OutputTarget.resolve(root + "/out/link.json") == .file(path: root + "/out/real.json"))
        #expect(try OutputTarget.resolve(root + "/out/deeper.json") == .file(path: root + "/out/sub/new.json"))
        #expect(try OutputTarget.resolve(root + "/out/chain.json") == .file(path: root + "/out/real.json"))
    }

    @Test func aLinkLeadingOutsideTheFolderOrALoopIsRefused() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/outside/target", contents: nil)
        let links = [
            "existing": "../outside/target", "dangling": root + "/outside/none", "device": "/dev/null",
            "stdout": "/dev/stdout", "descriptor": "/proc/self/fd/1", "up": "../out-sibling.json", "loop1": "loop2", "loop2": "loop1",
        ]
        for (name, target) in links {
            try FileManager.default.createSymbolicLink(atPath: root + "/out/" + name, withDestinationPath: target)
        }
        for name in links.keys {
            #expect(throws: OutputError.self, "\(name)") { try OutputTarget.resolve(root + "/out/" + name) }
        }
        do {
            _ = try OutputTarget.resolve(root + "/out/existing")
        } catch {
            #expect(error.reason.contains("symbolic link to \(root)/outside/target, outside its folder \(root)/out"), "\(error.reason)")
        }
    }

    @Test func theTemporaryFileNeverOpensWhatIsAtItsName() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = FileManager.default.createFile(atPath: root + "/outside/target", contents: Data("secret".utf8))
        // A link planted at the first temporary name, and a stale file at the same name for another output.
        try FileManager.default.createSymbolicLink(atPath: root + "/out/.r.json.\(getpid()).tmp", withDestinationPath: root + "/outside/target")
        _ = FileManager.default.createFile(atPath: root + "/out/.s.json.\(getpid()).tmp", contents: Data("stale".utf8))
        for name in ["r.json", "s.json"] {
            let output = try OutputFile(path: root + "/out/" + name)
            try output.write("report \(name)")
            try output.commit()
            #expect(try String(contentsOfFile: root + "/out/" + name, encoding: .utf8) == "report \(name)")
            let type = try FileManager.default.attributesOfItem(atPath: root + "/out/" + name)[.type] as? FileAttributeType
            #expect(type == .typeRegular)
        }
        #expect(try String(contentsOfFile: root + "/outside/target", encoding: .utf8) == "secret")
        #expect(try String(contentsOfFile: root + "/out/.s.json.\(getpid()).tmp", encoding: .utf8) == "stale")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/out/.r.json.\(getpid()).tmp") == root + "/outside/target")
    }
}
