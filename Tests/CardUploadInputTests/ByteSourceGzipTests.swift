import CardUploadInput
import CardUploadModel
import Foundation
import Testing

/// Gzip streams made by the real `gzip` tool: one member, several, and broken ones.
@Suite struct ByteSourceGzipTests {
    @Test func singleMemberIsInflated() throws {
        let directory = try TemporaryDirectory()
        let text = numberedLines(1_000)
        let compressed = try gzipped(text)
        let path = try directory.write(compressed, to: "cards.csv.gz")

        let source = try ByteSource.open(path: path)
        let chunks = try readAllChunks(source)

        #expect(Array(chunks.joined()) == text)
        #expect(source.compression == .gzip)
        #expect(source.bytesRead == compressed.count)
        #expect(source.size == compressed.count)
        #expect(compressed.count < text.count)
    }

    @Test func largeMemberComesOutInBoundedChunks() throws {
        let directory = try TemporaryDirectory()
        let text = numberedLines(120_000)  // several MiB inflated
        try #require(text.count > 3 * ByteSource.defaultChunkSize)
        let path = try directory.write(try gzipped(text), to: "big.gz")

        let source = try ByteSource.open(path: path)
        let chunks = try readAllChunks(source)

        #expect(chunks.count > 3)
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= ByteSource.defaultChunkSize })
        #expect(Array(chunks.joined()) == text)
    }

    @Test func nameWithoutGzSuffixIsStillInflated() throws {
        let directory = try TemporaryDirectory()
        let text = Array("{\"external_id\":\"x\"}\n".utf8)
        let path = try directory.write(try gzipped(text), to: "cards.jsonl")

        let source = try ByteSource.open(path: path)
        #expect(Array(try readAllChunks(source).joined()) == text)
        #expect(source.compression == .gzip)
    }

    @Test func concatenatedMembersAreAllRead() throws {
        let directory = try TemporaryDirectory()
        let first = numberedLines(500, prefix: "first")
        let second = numberedLines(700, prefix: "second")
        let firstMember = try gzipped(first)
        let secondMember = try gzipped(second, keepName: true)
        try #require(secondMember[3] & 0x08 != 0, "the second header carries a file name (FNAME)")
        let compressed = firstMember + secondMember
        let path = try directory.write(compressed, to: "both.csv.gz")

        let source = try ByteSource.open(path: path)
        let decoded = Array(try readAllChunks(source).joined())

        #expect(decoded == first + second)
        #expect(source.bytesRead == compressed.count)
    }

    @Test func hugeStreamIsInflatedInBoundedMemory() throws {
        // 1 GiB of zeros compress to about 1 MiB; holding the output would add 1 GiB to the peak.
        let inflatedSize = 1 << 30
        let compressed = try runCapturingOutput("/bin/sh", ["-c", "head -c \(inflatedSize) /dev/zero | gzip -c -n"])
        let directory = try TemporaryDirectory()
        let path = try directory.write(compressed, to: "zeros.csv.gz")
        let peakBefore = peakResidentBytes()

        let source = try ByteSource.open(path: path)
        var total = 0
        var largestChunk = 0
        var sawNonZero = false
        while let chunk = try source.nextChunk() {
            total += chunk.count
            largestChunk = max(largestChunk, chunk.count)
            sawNonZero = sawNonZero || chunk.first != 0 || chunk.last != 0
        }

        #expect(total == inflatedSize)
        #expect(!sawNonZero)
        #expect(largestChunk <= ByteSource.defaultChunkSize)
        #expect(source.bytesRead == compressed.count)
        // The peak is the whole test process's, and other tests run in parallel (under load one added
        // 200 MiB while a 256 MiB stream was read): half the stream's size leaves room for them and still
        // catches a reader that holds the output.
        #expect(peakResidentBytes() - peakBefore < 512 << 20)
    }

    @Test(arguments: [(2, 1), (3, 7), (5, 64), (4_096, 1_000)])
    func membersAreReadAcrossEveryBufferBoundary(readSize: Int, chunkSize: Int) throws {
        let directory = try TemporaryDirectory()
        let parts = [numberedLines(40, prefix: "a"), [], Array("b\n".utf8), numberedLines(60, prefix: "c")]
        var compressed: [UInt8] = []
        for part in parts {
            compressed += try gzipped(part)
        }
        let path = try directory.write(compressed, to: "parts.gz")
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)

        let source = ByteSource(fileDescriptor: descriptor, closesOnDeinit: true, readSize: readSize, chunkSize: chunkSize)
        let chunks = try readAllChunks(source)

        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= chunkSize })
        #expect(Array(chunks.joined()) == Array(parts.joined()))
        #expect(source.bytesRead == compressed.count)
    }

    @Test func gzipOfAnEmptyFileHasNoChunks() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(try gzipped([]), to: "empty.csv.gz")

        let source = try ByteSource.open(path: path)
        #expect(try source.nextChunk() == nil)
        #expect(source.compression == .gzip)
    }

    @Test(arguments: [2, 10, 30, 1_000, -8, -4, -1])
    func truncatedStreamIsCorrupt(cut: Int) throws {
        let directory = try TemporaryDirectory()
        let text = numberedLines(2_000)
        let compressed = try gzipped(text)
        let keep = cut > 0 ? cut : compressed.count + cut
        let path = try directory.write(Array(compressed[..<keep]), to: "cut.csv.gz")
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)

        let source = ByteSource(fileDescriptor: descriptor, closesOnDeinit: true, readSize: 512, chunkSize: 4_096)
        let (decoded, error) = readUntilError(source)

        let failure = try #require(error)
        #expect(failure.code == .corruptGzip)
        #expect(failure.offset == keep, "a cut-short stream is detected at the end of the file")
        #expect(failure.message.contains("cut short"))
        #expect(decoded == Array(text.prefix(decoded.count)), "what came before the cut is the true text")
        if keep >= 1_000 {
            #expect(!decoded.isEmpty, "the bytes inflated before the cut are handed out before the error")
        }
        if cut < 0 {
            #expect(decoded.count == text.count, "only the trailer is missing: all the data came out first")
        }
        // Later calls keep failing rather than pretending the file ended.
        #expect(throws: FileError.self) { try source.nextChunk() }
    }

    @Test func flippedCRCIsCorrupt() throws {
        let text = numberedLines(300)
        var compressed = try gzipped(text)
        compressed[compressed.count - 8] ^= 0x01  // first byte of the CRC-32 trailer

        let failure = try readFailure(compressed)
        #expect(failure.code == .corruptGzip)
        #expect(failure.message.contains("incorrect data check"))
        let offset = try #require(failure.offset)
        #expect((compressed.count - 8)...compressed.count ~= offset)
    }

    @Test func wrongLengthTrailerIsCorrupt() throws {
        var compressed = try gzipped(numberedLines(300))
        compressed[compressed.count - 1] ^= 0x80  // high byte of ISIZE

        let failure = try readFailure(compressed)
        #expect(failure.code == .corruptGzip)
        #expect(failure.message.contains("incorrect length check"))
        let offset = try #require(failure.offset)
        #expect((compressed.count - 4)...compressed.count ~= offset)
    }

    @Test func corruptDeflateDataIsCorrupt() throws {
        var compressed = try gzipped(noiseBytes(count: 20_000))
        for index in 20..<60 { compressed[index] = 0xff }

        let failure = try readFailure(compressed)
        #expect(failure.code == .corruptGzip)
        let offset = try #require(failure.offset)
        #expect(0...compressed.count ~= offset)
    }

    @Test(arguments: ["hello, world\n", "x", "\u{1f}"])
    func garbageAfterAMemberIsCorrupt(garbage: String) throws {
        let text = numberedLines(100)
        let member = try gzipped(text)
        let compressed = member + Array(garbage.utf8)

        let (decoded, error) = try readWithFailure(compressed)
        let failure = try #require(error)
        #expect(failure.code == .corruptGzip)
        #expect(failure.offset == member.count, "the offset is the first byte after the member")
        #expect(decoded == text)
    }

    @Test func trailingZerosAfterAMemberAreCorrupt() throws {
        // gzip(1) tolerates zero padding with a warning; we do not: every byte must be accounted for.
        let member = try gzipped(Array("a\n".utf8))
        let failure = try readFailure(member + [0, 0, 0, 0])
        #expect(failure.code == .corruptGzip)
        #expect(failure.offset == member.count)
    }

    // MARK: - Helpers

    /// The process's peak resident set size so far (Linux reports kilobytes).
    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1_024
    }

    private func readWithFailure(_ compressed: [UInt8]) throws -> (decoded: [UInt8], error: FileError?) {
        let directory = try TemporaryDirectory()
        let path = try directory.write(compressed, to: "broken.gz")
        let source = try ByteSource.open(path: path)
        let result = readUntilError(source)
        #expect(source.compression == .gzip)
        return result
    }

    private func readFailure(_ compressed: [UInt8]) throws -> FileError {
        try #require(try readWithFailure(compressed).error)
    }
}
