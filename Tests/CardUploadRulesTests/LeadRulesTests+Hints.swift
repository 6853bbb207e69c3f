import CardUploadModel
import CardUploadRules
import Testing

/// SPEC §9: a date-time without a zone is read as UTC, with a hint (SPEC §10).
@Suite struct LeadRulesHintTests {
    @Test func theFirstDateTimeWithoutAZoneIsNamed() throws {
        // The base row: created_at in Z, activated_at without a zone.
        let hint = try #require(LeadRules.noZoneHint(LeadRulesTests.row()))
        #expect(hint.kind == .leadTimeZone)
        #expect(hint.text.hasPrefix(#"activated_at "2026-01-11 10:00" has no time zone: date-times without one are read as UTC"#))
        let created = LeadRules.noZoneHint(LeadRulesTests.row { $0[.createdAt] = "2026-01-10 09:30:00.5" })
        #expect(created?.text.hasPrefix("created_at") == true)
    }

    @Test func zonedOrInvalidDateTimesGetNone() {
        #expect(LeadRules.noZoneHint(LeadRulesTests.row { $0[.activatedAt] = "2026-01-11T10:00:00+02:00" }) == nil)
        #expect(LeadRules.noZoneHint(LeadRulesTests.row { $0[.activatedAt] = "2026-01-11T10:00Z" }) == nil)
        #expect(LeadRules.noZoneHint(LeadRulesTests.row { $0[.activatedAt] = "yesterday" }) == nil)
    }
}
