import CardUploadInput
import CardUploadModel
import Foundation
import Testing

/// Plain files, pipes and opening errors.
@Suite struct ByteSourceTests {
    @Test func plainFileLargerThanOneChunkIsReadWhole() throws {
        let directory = try TemporaryDirectory()
        let bytes = noiseBytes(count: 3 * ByteSource.defaultChunkSize + 12_345)
        let path = try directory.write(bytes, to: "cards.csv")

        let source = try ByteSource.open(path: path)
        #expect(source.size == bytes.count)
        let chunks = try readAllChunks(source)

        #expect(chunks.count >= 4)
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= ByteSource.defaultChunkSize })
        #expect(Array(chunks.joined()) == bytes)
        #expect(source.compression == .none)
        #expect(source.bytesRead == bytes.count)
        #expect(try source.nextChunk() == nil)
    }

    @Test func smallBuffersSplitTheFileWithoutLosingBytes() throws {
        let directory = try TemporaryDirectory()
        let bytes = numberedLines(2_000)
        let path = try directory.write(bytes, to: "cards.csv")
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)

        let source = ByteSource(fileDescriptor: descriptor, closesOnDeinit: true, readSize: 777, chunkSize: 100)
        let chunks = try readAllChunks(source)

        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= 100 })
        #expect(Array(chunks.joined()) == bytes)
        #expect(source.bytesRead == bytes.count)
    }

    @Test func emptyFileHasNoChunks() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write([], to: "empty.csv")

        let source = try ByteSource.open(path: path)
        #expect(try source.nextChunk() == nil)
        #expect(try source.nextChunk() == nil)
        #expect(source.compression == .none)
        #expect(source.bytesRead == 0)
        #expect(source.size == 0)
    }

    @Test(arguments: [[0x1f], [0x1f, 0x00, 0x41], [0x8b, 0x1f, 0x0a]] as [[UInt8]])
    func bytesThatAreNotTheFullMagicAreText(bytes: [UInt8]) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(bytes, to: "short")

        let source = try ByteSource.open(path: path)
        #expect(Array(try readAllChunks(source).joined()) == bytes)
        #expect(source.compression == .none)
    }

    @Test func gzNameWithPlainContentIsReadAsText() throws {
        let directory = try TemporaryDirectory()
        let bytes = Array("external_id,account_id\nx1,a1\n".utf8)
        let path = try directory.write(bytes, to: "cards.csv.gz")

        let source = try ByteSource.open(path: path)
        #expect(Array(try readAllChunks(source).joined()) == bytes)
        #expect(source.compression == .none)
        #expect(source.bytesRead == bytes.count)
    }

    @Test func pipeFromAnotherProcessIsReadWhole() throws {
        let directory = try TemporaryDirectory()
        let bytes = numberedLines(50_000)  // well over the 64 KiB a pipe holds, so reads come short
        let path = try directory.write(bytes, to: "cards.csv")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cat", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()

        let source = ByteSource(fileDescriptor: pipe.fileHandleForReading.fileDescriptor, closesOnDeinit: false)
        let chunks = try readAllChunks(source)
        process.waitUntilExit()

        #expect(source.size == nil)
        #expect(Array(chunks.joined()) == bytes)
        #expect(source.bytesRead == bytes.count)
        #expect(source.compression == .none)
    }

    @Test func gzipThroughAPipeArrivingInPiecesIsInflated() throws {
        let text = numberedLines(3_000)
        let compressed = try gzipped(text) + gzipped(Array("last,line\n".utf8))
        var descriptors: [Int32] = [0, 0]
        try #require(pipe(&descriptors) == 0)
        let writeEnd = descriptors[1]
        let writer = Thread {
            // The magic bytes arrive one at a time, then the rest in uneven pieces.
            var position = 0
            for size in [1, 1, 5, 1_000] + Array(repeating: 4_096, count: compressed.count / 4_096 + 1) {
                let end = min(position + size, compressed.count)
                guard position < end else { break }
                _ = compressed[position..<end].withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                position = end
                usleep(200)
            }
            close(writeEnd)
        }
        writer.start()

        let source = ByteSource(fileDescriptor: descriptors[0], closesOnDeinit: true)
        let decoded = Array(try readAllChunks(source).joined())

        #expect(decoded == text + Array("last,line\n".utf8))
        #expect(source.compression == .gzip)
        #expect(source.bytesRead == compressed.count)
        #expect(source.size == nil)
    }

    @Test func missingFileCannotBeOpened() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/no-such-file.csv"

        let error = #expect(throws: InputOpenError.self) { try ByteSource.open(path: path) }
        #expect(error?.path == path)
        // The reason alone: `describeFailure` names the path once ("cannot open PATH: reason").
        #expect(error?.message == "No such file or directory")
        #expect(error?.isFolder == false)
    }

    @Test func directoryCannotBeOpened() throws {
        let directory = try TemporaryDirectory()

        let error = #expect(throws: InputOpenError.self) { try ByteSource.open(path: directory.path) }
        #expect(error?.path == directory.path)
        #expect(error?.message == "'\(directory.path)' is a folder")
        #expect(error?.isFolder == true)
    }

    @Test func fileDescriptorIsClosedWhenTheSourceGoesAway() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(Array("a\n".utf8), to: "a.csv")
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        var opened = stat()
        try #require(fstat(descriptor, &opened) == 0)

        do {
            let source = ByteSource(fileDescriptor: descriptor, closesOnDeinit: true)
            _ = try source.nextChunk()
        }
        // Tests run in parallel, so the number may already name another file: check it is not ours.
        var now = stat()
        let stillOurs = fstat(descriptor, &now) == 0 && now.st_ino == opened.st_ino && now.st_dev == opened.st_dev
        #expect(!stillOurs)
    }

    @Test func standardInputIsOpenedAndNeverClosed() throws {
        var before = stat()
        try #require(fstat(STDIN_FILENO, &before) == 0, "the test runner has no standard input to check")

        do {
            let source = try ByteSource.open(path: "-")
            _ = source.size
        }
        var after = stat()
        #expect(fstat(STDIN_FILENO, &after) == 0)
        #expect(after.st_ino == before.st_ino)
    }
}
