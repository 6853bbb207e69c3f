import CardUploadRules
import Foundation
import Testing

@Suite struct LeadDateTimeTests {
    @Test(arguments: [
        // Zones: Z, an offset either way, -00:00, none (UTC).
        ("2026-12-05T10:00:00Z", "2026-12-05T10:00:00.000Z"),
        ("2026-12-05T10:00:00+02:00", "2026-12-05T08:00:00.000Z"),
        ("2026-12-05T10:00:00-05:30", "2026-12-05T15:30:00.000Z"),
        ("2026-12-05T10:00:00+00:00", "2026-12-05T10:00:00.000Z"),
        ("2026-12-05T10:00:00-00:00", "2026-12-05T10:00:00.000Z"),
        ("2026-12-05T10:00:00", "2026-12-05T10:00:00.000Z"),
        // `T` or one space; seconds optional.
        ("2026-12-05 10:00:00Z", "2026-12-05T10:00:00.000Z"),
        ("2026-12-05 10:07", "2026-12-05T10:07:00.000Z"),
        ("2026-12-05T10:07Z", "2026-12-05T10:07:00.000Z"),
        ("2026-12-05T10:07+01:00", "2026-12-05T09:07:00.000Z"),
        // Fractions: padded to milliseconds, truncated (never rounded) past them.
        ("2026-12-05T10:00:00.5Z", "2026-12-05T10:00:00.500Z"),
        ("2026-12-05T10:00:00.12Z", "2026-12-05T10:00:00.120Z"),
        ("2026-12-05T10:00:00.123Z", "2026-12-05T10:00:00.123Z"),
        ("2026-12-05T10:00:00.1239Z", "2026-12-05T10:00:00.123Z"),
        ("2026-12-05T23:59:59.999999999Z", "2026-12-05T23:59:59.999Z"),
        ("2026-12-05T10:00:00.0009+01:00", "2026-12-05T09:00:00.000Z"),
        ("2026-12-05 10:00:00.5", "2026-12-05T10:00:00.500Z"),
        // Offsets that move the day, the month, the year — both ways.
        ("2026-12-05T00:30:00+01:00", "2026-12-04T23:30:00.000Z"),
        ("2026-12-05T23:30:00-01:00", "2026-12-06T00:30:00.000Z"),
        ("2026-02-01T01:00:00+02:00", "2026-01-31T23:00:00.000Z"),
        ("2026-01-31T23:00:00-02:00", "2026-02-01T01:00:00.000Z"),
        ("2027-01-01T00:30:00+01:00", "2026-12-31T23:30:00.000Z"),
        ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000Z"),
        ("2026-12-31T12:00:00-23:59", "2027-01-01T11:59:00.000Z"),
        ("2027-01-01T11:58:59.999+23:59", "2026-12-31T11:59:59.999Z"),
        // Leap days: into 29 February of a leap year, into 28 February of another.
        ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"),
        ("2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00.000Z"),
        ("2026-03-01T00:30+01:00", "2026-02-28T23:30:00.000Z"),
        ("2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00.000Z"),
        ("2000-02-29T00:00Z", "2000-02-29T00:00:00.000Z"),
        // The ends of the range.
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z"),
        ("0001-01-01T00:30:00-01:00", "0001-01-01T01:30:00.000Z"),
        ("9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999Z"),
    ])
    func aDateTimeIsNormalisedToUTCMilliseconds(_ text: String, _ expected: String) {
        #expect(LeadDateTime.normalized(text) == expected)
    }

    @Test(arguments: [
        // Not a real date.
        "2026-02-29T10:00:00Z", "1900-02-29T10:00Z", "2100-02-29T10:00Z", "2026-04-31T10:00Z", "2026-13-01T10:00Z",
        "2026-00-10T10:00Z", "2026-12-00T10:00Z", "2026-12-32T10:00Z", "0000-01-01T10:00Z",
        // Time of day out of range.
        "2026-12-05T24:00:00Z", "2026-12-05T24:00", "2026-12-05T23:60Z", "2026-12-05T23:59:60Z", "2026-12-05T99:00Z",
        // Zones.
        "2026-12-05T10:00:00+24:00", "2026-12-05T10:00:00+02:60", "2026-12-05T10:00:00+0200", "2026-12-05T10:00:00+02",
        "2026-12-05T10:00:00+2:00", "2026-12-05T10:00:00+02:00:00", "2026-12-05T10:00:00 Z", "2026-12-05T10:00:00z",
        "2026-12-05T10:00:00ZZ", "2026-12-05T10:00:00\u{2212}02:00", "2026-12-05T10:00:00 +02:00", "2026-12-05T10:00:00UTC",
        // Fractions: digits required, after seconds only, `.` only.
        "2026-12-05T10:00:00.Z", "2026-12-05T10:00:00.", "2026-12-05T10:00.5Z", "2026-12-05T10:00:00,5Z",
        "2026-12-05T10:00:00.5.5Z",
        // Shape.
        "", "2026-12-05", "2026-12-05T", "2026-12-05T10", "2026-12-05T10:0", "2026-12-05T1:00", "2026-12-05t10:00Z",
        "2026-12-05  10:00", "2026-12-05\t10:00", " 2026-12-05T10:00Z", "2026-12-05T10:00Z ", "2026-12-05T10:00Z\n",
        "26-12-05T10:00Z", "+2026-12-05T10:00Z", "2026/12/05T10:00Z", "20261205T100000Z", "2026-12-05T10:00:0Z",
        "2026-12-05T10:00:00:00Z",
        // Digits of other scripts are not digits.
        "\u{FF12}\u{FF10}\u{FF12}\u{FF16}-12-05T10:00Z", "2026-12-05T\u{0661}\u{0660}:00Z",
        // Instants outside 0001–9999.
        "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
    ])
    func anythingElseIsNotADateTime(_ text: String) {
        #expect(LeadDateTime.normalized(text) == nil)
        #expect(!LeadDateTime.hasNoZone(text))
    }

    @Test func twoSpellingsOfOneInstantNormaliseAlike() {
        let spellings = ["2026-12-05T08:00:00Z", "2026-12-05T10:00:00+02:00", "2026-12-05 03:30:00.000-04:30",
                         "2026-12-05T08:00", "2026-12-06T07:59:00.0000+23:59"]
        #expect(Set(spellings.map { LeadDateTime.normalized($0) }) == ["2026-12-05T08:00:00.000Z"])
    }

    @Test func normalisedValuesSortAsTheirInstants() throws {
        // In time order, written in different zones: their normalised strings sort the same way.
        let texts = ["0999-12-31T23:00-01:00", "1000-01-01T00:30Z", "2026-12-05T10:00:00+02:00", "2026-12-05T08:00:00.001Z",
                     "2026-12-05T09:00:00.5+01:00", "2026-12-05T08:01:00.5Z", "2026-12-05T03:00-05:02", "9999-12-31T23:59Z"]
        let normalised = try texts.map { try #require(LeadDateTime.normalized($0)) }
        #expect(normalised == normalised.sorted())
        #expect(Set(normalised).count == normalised.count)
    }

    @Test(arguments: [
        ("2026-12-05T10:00", true), ("2026-12-05 10:00:00.5", true), ("2026-12-05T10:00:00", true),
        ("2026-12-05T10:00Z", false), ("2026-12-05T10:00:00+02:00", false), ("2026-12-05T10:00:00-00:00", false),
        ("2026-02-29T10:00", false), ("not a date", false), ("", false),
    ])
    func aDateTimeWithoutAZoneIsToldApart(_ text: String, _ hasNoZone: Bool) {
        #expect(LeadDateTime.hasNoZone(text) == hasNoZone)
    }

    @Test(arguments: [
        ("2024-02-29", true), ("2000-02-29", true), ("2026-02-28", true), ("2026-01-31", true), ("2026-04-30", true),
        ("2026-12-31", true), ("0001-01-01", true), ("9999-12-31", true),
        ("2026-02-29", false), ("1900-02-29", false), ("2100-02-29", false), ("2026-04-31", false), ("2026-06-31", false),
        ("2026-13-01", false), ("2026-00-01", false), ("2026-01-00", false), ("0000-01-01", false), ("2026-1-01", false),
        ("2026-01-1", false), ("20260101", false), ("2026/01/01", false), ("2026-01-01T00:00Z", false),
        (" 2026-01-01", false), ("2026-01-01 ", false), ("", false), ("+2026-01-01", false), ("12026-01-01", false),
        ("\u{FF12}\u{FF10}\u{FF12}\u{FF16}-01-01", false),
    ])
    func aCalendarDateIsRealAndExactlyYYYYMMDD(_ text: String, _ valid: Bool) {
        #expect(LeadDateTime.isCalendarDate(text) == valid)
    }

    /// Random date-times in random zones, against Foundation's calendar arithmetic as an independent oracle.
    @Test func offsetsAgreeWithFoundationOnRandomInstants() throws {
        var random = SplitMix64(seed: 0x1EAD_CA4D)  // CardNumberIDsTests' generator
        var utcCalendar = Calendar(identifier: .gregorian)
        utcCalendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        var checked = 0
        var crossedDays = 0
        for _ in 0..<5_000 {
            // 1700–2300: Foundation's Gregorian calendar is Julian before October 1582.
            let year = Int(random.next() % 601) + 1700
            let month = Int(random.next() % 12) + 1
            let daysInMonth = utcCalendar.range(of: .day, in: .month,
                                                for: utcCalendar.date(from: DateComponents(year: year, month: month, day: 1))!)!.count
            let day = Int(random.next() % UInt64(daysInMonth)) + 1
            let hour = Int(random.next() % 24), minute = Int(random.next() % 60), second = Int(random.next() % 60)
            let millisecond = Int(random.next() % 1000)
            let offset = (Int(random.next() % 24) * 60 + Int(random.next() % 60)) * (random.next() % 2 == 0 ? 1 : -1)

            let text = "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(millisecond, 3))"
                + "\(offset < 0 ? "-" : "+")\(pad(abs(offset) / 60)):\(pad(abs(offset) % 60))"
            let local = try #require(utcCalendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour,
                                                                           minute: minute, second: second)))
            let instant = local.addingTimeInterval(TimeInterval(-offset * 60))
            let parts = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            let expected = "\(pad(parts.year!, 4))-\(pad(parts.month!))-\(pad(parts.day!))"
                + "T\(pad(parts.hour!)):\(pad(parts.minute!)):\(pad(parts.second!)).\(pad(millisecond, 3))Z"
            #expect(LeadDateTime.normalized(text) == expected, "\(text)")
            if parts.day != day { crossedDays += 1 }
            checked += 1
        }
        #expect(checked == 5_000)
        #expect(crossedDays > 1_000)  // the offsets really moved many instants across a day
    }
}

/// `value` in decimal, zero-padded to `width` digits.
private func pad(_ value: Int, _ width: Int = 2) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}
