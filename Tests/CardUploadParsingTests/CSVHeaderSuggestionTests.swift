import CardUploadModel
import Testing

@testable import CardUploadParsing

/// What a header problem says to do (SPEC §10): the column a mistyped name may mean, `--entity`.
@Suite("CSV header suggestions")
struct CSVHeaderSuggestionTests {
    private func suggestion(_ name: String) -> String {
        CSVHeader.suggestion(for: CSVHeader.Problem(code: .unknownColumn, name: name, position: 1))
    }

    @Test func aKnownColumnsLastPartOrANearName() {
        #expect(suggestion("last_four") == "did you mean 'details.last_four'?")
        #expect(suggestion("replacement_for") == "did you mean 'details.replacement_for'?")
        #expect(suggestion("details.lastfour") == "did you mean 'details.last_four'?")
        #expect(suggestion("lastfour") == "did you mean 'details.last_four'?")
        #expect(suggestion("External_ID") == "did you mean 'external_id'?")
        #expect(suggestion("acount_id") == "did you mean 'account_id'?")
        #expect(suggestion("entityid") == "did you mean 'entity_id'?")
    }

    @Test func anyOtherNameWithoutADotMayBeMetadata() {
        #expect(suggestion("cost_center") == "did you mean 'metadata.cost_center'? (metadata columns are named metadata.<key>)")
        #expect(suggestion("details.colour") == "", "a dotted name that is near nothing gets no guess")
        #expect(suggestion("") == "")
    }

    @Test func aMissingEntityColumnPointsToTheOption() throws {
        let error = try #require(fileError { () throws(FileError) in
            _ = try CSVHeader(names: ["external_id", "account_id", "details.last_four"], hasDefaultEntity: false, line: 1, offset: 0)
        })
        #expect(error.message == #"header has 1 problem: required column "entity_id" is missing (missing_column); or give --entity ENTITY_ID"#)
        #expect(error.hints.map(\.kind) == [.missingEntity])
        let other = fileError { () throws(FileError) in
            _ = try CSVHeader(names: ["external_id", "entity_id", "details.last_four"], hasDefaultEntity: false, line: 1, offset: 0)
        }
        #expect(other?.message.contains("--entity") == false && other?.hints.isEmpty == true)
    }

    @Test func theFileErrorCarriesOneHintPerSuggestedColumn() throws {
        let names = uploadHeader.split(separator: ",").map(String.init) + ["last_four", "cost_center", "a.b"]
        let error = try #require(fileError { () throws(FileError) in
            _ = try CSVHeader(names: names, hasDefaultEntity: false, line: 1, offset: 0)
        })
        #expect(error.code == .unknownColumn)
        #expect(error.hints.map(\.text) == [
            "column \"last_four\": did you mean 'details.last_four'?",
            "column \"cost_center\": did you mean 'metadata.cost_center'? (metadata columns are named metadata.<key>)",
        ])
        #expect(error.message.hasSuffix(#"column 7 "a.b" is not an upload column (unknown_column)"#))
    }

    @Test func editDistance() {
        #expect(EditDistance.within(2, "kitten", "sitten") == 1)
        #expect(EditDistance.within(2, "kitten", "sitting") == nil)
        #expect(EditDistance.within(3, "kitten", "sitting") == 3)
        #expect(EditDistance.within(2, "", "ab") == 2)
        #expect(EditDistance.within(2, "abc", "abc") == 0)
        #expect(EditDistance.within(2, "a", "abcd") == nil)
    }
}
