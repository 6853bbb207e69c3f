import CardUploadModel
import Testing

@testable import CardUploadParsing

/// The hand-written UTF-8 validator (the reader's hot path) against the standard library's.
@Suite("CSV cell decoding")
struct CSVTextDecodingTests {
    @Test func utf8ValidatorAgreesWithTheStandardLibrary() {
        var rng = CSVSplitMix64(state: 42)
        // Bytes around every boundary of RFC 3629's table, plus ASCII.
        let interesting: [UInt8] = [
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
            0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
        ]
        var checked = 0
        var valid = 0
        for _ in 0..<200_000 {
            let count = Int.random(in: 0...6, using: &rng)
            let bytes = (0..<count).map { _ in interesting.randomElement(using: &rng)! }
            bytes.withUnsafeBufferPointer { buffer in
                let expected = String(validating: buffer, as: UTF8.self)
                #expect(TextDecoding.isValidUTF8(buffer) == (expected != nil), "\(bytes)")
                #expect(TextDecoding.decode(buffer, as: .utf8) == expected, "\(bytes)")
                if expected != nil { valid += 1 }
            }
            checked += 1
        }
        #expect(valid > 1000 && valid < checked - 1000)
        // Every scalar boundary, encoded by the standard library, is accepted.
        for scalar: UInt32 in [0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF] {
            let bytes = Array(String(Unicode.Scalar(scalar)!).utf8)
            #expect(bytes.withUnsafeBufferPointer { TextDecoding.isValidUTF8($0) }, "U+\(String(scalar, radix: 16))")
        }
    }
}
