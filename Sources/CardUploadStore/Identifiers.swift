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

    private mutating func make(prefix: StaticString) -> String {
        var time = UInt64(Date().timeIntervalSince1970 * 1000)
        let length = prefix.utf8CodeUnitCount + 20
        return String(unsafeUninitializedCapacity: length) { buffer in
            prefix.withUTF8Buffer { _ = buffer.initialize(from: $0) }
            let start = prefix.utf8CodeUnitCount
            for index in stride(from: start + 7, through: start, by: -1) {
                buffer[index] = Self.alphabet[Int(time % 36)]
                time /= 36
            }
            for index in (start + 8)..<length {
                buffer[index] = Self.alphabet[Int(nextRandomByte() % 36)]
            }
            return length
        }
    }

    /// A random byte below 252 (a multiple of 36), so `% 36` is unbiased.
    private mutating func nextRandomByte() -> UInt8 {
        while true {
            if randomIndex == randomBuffer.count {
                // One call to the C library's ChaCha20 generator (seeded by getrandom) per 4 KiB.
                randomBuffer = [UInt8](repeating: 0, count: 4096)
                randomBuffer.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
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
        var clock = TimestampClock()
        return clock.now()
    }

    /// The current time less `days` days, to the millisecond (`uploads prune --keep-days`).
    package static func daysAgo(_ days: Int) -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec - days * 86_400
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(spec.tv_nsec / 1_000_000))
    }
}

/// Makes timestamps for many rows: the date and time up to the second is formatted once per second, and
/// the rows of one millisecond share one string.
package struct TimestampClock {
    private var second: Int = -1
    private var prefix: [UInt8] = []
    private var lastMillisecond = -1
    private var last = ""

    package init() {}

    /// The current time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    package mutating func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let millisecond = Int(spec.tv_sec) &* 1000 &+ Int(spec.tv_nsec / 1_000_000)
        if millisecond == lastMillisecond { return last }
        lastMillisecond = millisecond
        if spec.tv_sec != second {
            second = spec.tv_sec
            var seconds = spec.tv_sec
            var parts = tm()
            gmtime_r(&seconds, &parts)
            prefix = []
            append(Int(parts.tm_year) + 1900, width: 4)
            prefix.append(UInt8(ascii: "-"))
            append(Int(parts.tm_mon) + 1, width: 2)
            prefix.append(UInt8(ascii: "-"))
            append(Int(parts.tm_mday), width: 2)
            prefix.append(UInt8(ascii: "T"))
            append(Int(parts.tm_hour), width: 2)
            prefix.append(UInt8(ascii: ":"))
            append(Int(parts.tm_min), width: 2)
            prefix.append(UInt8(ascii: ":"))
            append(Int(parts.tm_sec), width: 2)
            prefix.append(UInt8(ascii: "."))
        }
        let milliseconds = Int(spec.tv_nsec / 1_000_000)
        var bytes = prefix
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 100))
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds / 10 % 10))
        bytes.append(UInt8(ascii: "0") + UInt8(milliseconds % 10))
        bytes.append(UInt8(ascii: "Z"))
        last = String(decoding: bytes, as: UTF8.self)
        return last
    }

    private mutating func append(_ value: Int, width: Int) {
        var digits: [UInt8] = []
        var rest = value
        for _ in 0..<width {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        prefix += digits.reversed()
    }
}
