import CardUploadModel

/// The dates and date-times of a Lead card file (SPEC §9), read from their UTF-8 bytes: no `DateFormatter`,
/// no locale, no calendar but the proleptic Gregorian one.
///
/// A date is `YYYY-MM-DD`, a real calendar date of the years 0001–9999. A date-time is a date, `T` or one
/// space, `hh:mm` (00–23, 00–59), optionally `:ss` (00–59, no leap second) and then optionally a fraction
/// of a second (`.` and one or more digits), then `Z`, `+hh:mm` or `-hh:mm` (00–23, 00–59), or nothing:
/// no zone is UTC. Letters are upper case (`T`, `Z`) and nothing may come before or after.
///
/// A date-time is normalised to its UTC instant truncated to milliseconds, `YYYY-MM-DDTHH:MM:SS.mmmZ`:
/// fixed width, so normalised values sort as strings in time order.
package enum LeadDateTime {
    /// The UTC instant of `text` truncated to milliseconds, `YYYY-MM-DDTHH:MM:SS.mmmZ`; nil when `text` is not a
    /// date-time as SPEC §9 accepts it, or when its instant falls outside the years 0001–9999.
    /// `2026-12-05T10:00:00+02:00` → `2026-12-05T08:00:00.000Z`.
    package static func normalized(_ text: String) -> String? {
        parse(text)?.utcText
    }

    /// True when `text` is a date-time as `normalized` accepts it and has no zone (read as UTC), so a caller
    /// can give a hint; false for an invalid one and for one with `Z` or an offset.
    package static func hasNoZone(_ text: String) -> Bool {
        guard let dateTime = parse(text) else { return false }
        return !dateTime.hadZone
    }

    /// True when `text` is exactly `YYYY-MM-DD`, a real calendar date of the years 0001–9999
    /// (`2024-02-29` is one, `2026-02-29` is not).
    package static func isCalendarDate(_ text: String) -> Bool {
        withBytes(text) { bytes in bytes.count == dateLength && date(bytes) != nil }
    }

    // MARK: - Parsing

    private static let dateLength = 10
    private static let minutesPerDay = 24 * 60

    /// A calendar date, each part in range.
    private struct CalendarDate {
        var year: Int
        var month: Int
        var day: Int
    }

    /// A parsed date-time, already moved to UTC.
    private struct UTCDateTime {
        var date: CalendarDate
        var minuteOfDay: Int
        var second: Int
        var millisecond: Int
        var hadZone: Bool

        /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
        var utcText: String {
            // Written straight into the string's storage (three of these per Lead row).
            String(unsafeUninitializedCapacity: 24) { bytes in
                var position = 0
                func put(_ value: Int, width: Int) {
                    var rest = value
                    for index in stride(from: position + width - 1, through: position, by: -1) {
                        bytes[index] = ASCII.zero + UInt8(rest % 10)
                        rest /= 10
                    }
                    position += width
                }
                func put(_ byte: UInt8) {
                    bytes[position] = byte
                    position += 1
                }
                put(date.year, width: 4)
                put(ASCII.dash)
                put(date.month, width: 2)
                put(ASCII.dash)
                put(date.day, width: 2)
                put(ASCIIByte.upperT)
                put(minuteOfDay / 60, width: 2)
                put(ASCIIByte.colon)
                put(minuteOfDay % 60, width: 2)
                put(ASCIIByte.colon)
                put(second, width: 2)
                put(ASCIIByte.dot)
                put(millisecond, width: 3)
                put(ASCIIByte.upperZ)
                return position
            }
        }
    }

    /// The bytes a date-time holds that `ASCII` does not name.
    private enum ASCIIByte {
        static let plus: UInt8 = 0x2B // +
        static let colon: UInt8 = 0x3A // :
        static let dot: UInt8 = 0x2E // .
        static let upperT: UInt8 = 0x54 // T
        static let upperZ: UInt8 = 0x5A // Z
    }

    /// Calls `body` with the UTF-8 bytes of `text`, without copying when the string is native.
    private static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    private static func parse(_ text: String) -> UTCDateTime? {
        withBytes(text, dateTime)
    }

    /// The date-time in `bytes`, moved to UTC; nil when it is not one or leaves the years 0001–9999.
    private static func dateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> UTCDateTime? {
        // The shortest form: `YYYY-MM-DDThh:mm`.
        guard bytes.count >= 16, let date = date(bytes) else { return nil }
        guard bytes[10] == ASCIIByte.upperT || bytes[10] == ASCII.space else { return nil }
        guard let hour = twoDigits(bytes, at: 11), hour <= 23, bytes[13] == ASCIIByte.colon,
              let minute = twoDigits(bytes, at: 14), minute <= 59 else { return nil }
        var position = 16
        var second = 0
        var millisecond = 0
        if position < bytes.count, bytes[position] == ASCIIByte.colon {
            guard let value = twoDigits(bytes, at: position + 1), value <= 59 else { return nil }
            second = value
            position += 3
            if position < bytes.count, bytes[position] == ASCIIByte.dot {
                position += 1
                let fractionStart = position
                while position < bytes.count, let digit = digit(bytes[position]) {
                    // Truncated, not rounded: digits past the third are read and dropped.
                    if position - fractionStart < 3 { millisecond = millisecond * 10 + digit }
                    position += 1
                }
                let digits = position - fractionStart
                guard digits >= 1 else { return nil }
                for _ in digits..<max(digits, 3) { millisecond *= 10 }
            }
        }
        guard let offset = zoneOffsetMinutes(bytes, from: position) else { return nil }
        return utc(date: date, minuteOfDay: hour * 60 + minute - (offset ?? 0), second: second,
                   millisecond: millisecond, hadZone: offset != nil)
    }

    /// The zone that ends `bytes` from `start`: `.some(nil)` for none, the offset in minutes east of UTC for
    /// `Z` (0) or `±hh:mm`; nil when the rest is anything else.
    private static func zoneOffsetMinutes(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int?? {
        let rest = bytes.count - start
        if rest == 0 { return .some(nil) }
        if rest == 1, bytes[start] == ASCIIByte.upperZ { return .some(0) }
        guard rest == 6, bytes[start] == ASCIIByte.plus || bytes[start] == ASCII.dash,
              let hours = twoDigits(bytes, at: start + 1), hours <= 23, bytes[start + 3] == ASCIIByte.colon,
              let minutes = twoDigits(bytes, at: start + 4), minutes <= 59 else { return nil }
        let offset = hours * 60 + minutes
        return .some(bytes[start] == ASCIIByte.plus ? offset : -offset)
    }

    /// The instant at `minuteOfDay` of `date` — which may be off by up to a day either way after a zone
    /// offset is taken off — with the date moved to match; nil outside the years 0001–9999.
    private static func utc(date: CalendarDate, minuteOfDay: Int, second: Int, millisecond: Int, hadZone: Bool) -> UTCDateTime? {
        var date = date
        var minuteOfDay = minuteOfDay
        if minuteOfDay < 0 {
            minuteOfDay += minutesPerDay
            date.day -= 1
            if date.day == 0 {
                date.month -= 1
                if date.month == 0 {
                    date.month = 12
                    date.year -= 1
                }
                date.day = daysIn(month: date.month, year: date.year)
            }
        } else if minuteOfDay >= minutesPerDay {
            minuteOfDay -= minutesPerDay
            date.day += 1
            if date.day > daysIn(month: date.month, year: date.year) {
                date.day = 1
                date.month += 1
                if date.month == 13 {
                    date.month = 1
                    date.year += 1
                }
            }
        }
        guard (1...9999).contains(date.year) else { return nil }
        return UTCDateTime(date: date, minuteOfDay: minuteOfDay, second: second, millisecond: millisecond, hadZone: hadZone)
    }

    /// The real calendar date `YYYY-MM-DD` that `bytes` starts with, or nil.
    private static func date(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        guard bytes.count >= dateLength,
              let high = twoDigits(bytes, at: 0), let low = twoDigits(bytes, at: 2), bytes[4] == ASCII.dash,
              let month = twoDigits(bytes, at: 5), bytes[7] == ASCII.dash,
              let day = twoDigits(bytes, at: 8) else { return nil }
        let year = high * 100 + low
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// The days of `month` in `year` of the proleptic Gregorian calendar.
    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number written by the two ASCII digits at `index`, or nil.
    private static func twoDigits(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        guard index + 1 < bytes.count, let tens = digit(bytes[index]), let units = digit(bytes[index + 1]) else { return nil }
        return tens * 10 + units
    }

    /// The value of an ASCII digit `0`–`9` (never another script's digit), or nil.
    private static func digit(_ byte: UInt8) -> Int? {
        ASCII.isDigit(byte) ? Int(byte &- ASCII.zero) : nil
    }
}
