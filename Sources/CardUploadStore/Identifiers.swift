import Foundation

/// Store identifiers: a prefix, then 20 characters `[a-z0-9]` — 8 from the clock (so new ids sort
/// after old ones and B-tree inserts stay at the right edge), 12 from the system's random source.
package struct IdentifierGenerator {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)
    private var randomBuffer: [UInt8] = []
    private var randomIndex = 0

    package init() {}

    /// A new `card_…` id.
    package mutating func cardID() -> String { make(prefix: "card_") }

    /// A new `upload_…` id.
    package mutating func uploadID() -> String { make(prefix: "upload_") }

    private mutating func make(prefix: String) -> String {
        var bytes = Array(prefix.utf8)
        bytes.reserveCapacity(bytes.count + 20)
        var time = UInt64(Date().timeIntervalSince1970 * 1000)
        var timeDigits = [UInt8](repeating: 0, count: 8)
        for index in stride(from: 7, through: 0, by: -1) {
            timeDigits[index] = Self.alphabet[Int(time % 36)]
            time /= 36
        }
        bytes += timeDigits
        for _ in 0..<12 {
            bytes.append(Self.alphabet[Int(nextRandomByte() % 36)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A random byte below 252 (a multiple of 36), so `% 36` is unbiased.
    private mutating func nextRandomByte() -> UInt8 {
        while true {
            if randomIndex == randomBuffer.count {
                // Eight bytes per call to the system's source (getrandom), 4 KiB at a time.
                var generator = SystemRandomNumberGenerator()
                randomBuffer.removeAll(keepingCapacity: true)
                for _ in 0..<512 {
                    withUnsafeBytes(of: generator.next() as UInt64) { randomBuffer.append(contentsOf: $0) }
                }
                randomIndex = 0
            }
            let byte = randomBuffer[randomIndex]
            randomIndex += 1
            if byte < 252 { return byte }
        }
    }
}

/// RFC 3339 UTC timestamps with milliseconds (`2026-11-23T15:04:05.123Z`).
package enum Timestamp {
    package static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let milliseconds = Int(spec.tv_nsec / 1_000_000)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(milliseconds, 3))Z"
    }
}
