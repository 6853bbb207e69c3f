import CardUploadModel

/// Invariants the fuzz targets check: a broken one prints what broke and traps, so libFuzzer keeps the input.
package enum Invariant {
    /// Traps with `message` when `condition` is false.
    @inline(__always)
    package static func require(
        _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
    ) {
        if !condition { fail(message(), file: file, line: line) }
    }

    /// Prints `message` on stderr and traps (a release build's `precondition` would drop the message).
    package static func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
        _ = SystemCall.writeAll(2, "INVARIANT BROKEN at \(file):\(line): \(message)\n")
        fatalError("invariant broken", file: file, line: line)
    }
}

/// Fuzz input read front to back: control bytes first, then the rest as data. Reads past the end give 0.
package struct FuzzBytes {
    package let bytes: [UInt8]
    package private(set) var position = 0

    package init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        if let data, size > 0 {
            bytes = Array(UnsafeBufferPointer(start: data, count: size))
        } else {
            bytes = []
        }
    }

    /// The next byte, or 0 past the end.
    package mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// The bytes not read yet.
    package var rest: [UInt8] { Array(bytes[min(position, bytes.count)...]) }
}
