import Foundation
import Testing

@testable import CardUploadParsing

/// The JSONTestSuite corpus (nst/JSONTestSuite, test_parsing/) fed file by file to the document parser.
@Suite struct JSONTestSuiteTests {
    /// `y_` files the SPEC makes us reject: it forbids duplicate keys, which RFC 8259 only discourages.
    static let rejectedByPolicy: Set<String> = [
        "y_object_duplicated_key.json",
        "y_object_duplicated_key_and_value.json",
    ]

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let folder = try #require(Bundle.module.resourceURL)
            .appendingPathComponent("Fixtures/JSONTestSuite/test_parsing", isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        return try names.filter { $0.hasSuffix(".json") }.map { name in
            (name, Array(try Data(contentsOf: folder.appendingPathComponent(name))))
        }
    }

    static func outcome(_ bytes: [UInt8]) -> Result<JSONValue, JSONSyntaxError> {
        Result { () throws(JSONSyntaxError) -> JSONValue in try JSONDocumentParser.parse(bytes) }
    }

    @Test func everyFileIsSeen() throws {
        let names = try Self.corpus().map(\.name)
        #expect(names.count == 318)
        #expect(names.filter { $0.hasPrefix("y_") }.count == 95)
        #expect(names.filter { $0.hasPrefix("n_") }.count == 188)
        #expect(names.filter { $0.hasPrefix("i_") }.count == 35)
    }

    @Test func mustAcceptFilesAreAccepted() throws {
        var accepted = 0
        for (name, bytes) in try Self.corpus() where name.hasPrefix("y_") && !Self.rejectedByPolicy.contains(name) {
            if case .failure(let error) = Self.outcome(bytes) {
                Issue.record("\(name) rejected: \(error.message) at \(error.offset)")
            } else {
                accepted += 1
            }
        }
        #expect(accepted == 93)
    }

    @Test func duplicateKeyFilesAreRejectedAsDuplicates() throws {
        let files = try Self.corpus().filter { Self.rejectedByPolicy.contains($0.name) }
        #expect(files.count == 2)
        for (name, bytes) in files {
            guard case .failure(let error) = Self.outcome(bytes) else {
                Issue.record("\(name) accepted")
                continue
            }
            #expect(error == JSONSyntaxError(message: "a duplicate key", offset: 9), "\(name)")
        }
    }

    @Test func mustRejectFilesAreRejected() throws {
        var rejected = 0
        for (name, bytes) in try Self.corpus() where name.hasPrefix("n_") {
            if case .success = Self.outcome(bytes) {
                Issue.record("\(name) accepted")
            } else {
                rejected += 1
            }
        }
        #expect(rejected == 188)
    }

    /// Implementation-defined files: huge numbers are kept as literals; every lone surrogate, invalid
    /// UTF-8, UTF-16 or BOM-prefixed text and 500-deep nesting is rejected. None may crash or hang.
    @Test func implementationDefinedFilesFollowOurPolicy() throws {
        var seen = 0
        for (name, bytes) in try Self.corpus() where name.hasPrefix("i_") {
            seen += 1
            let accepted = if case .success = Self.outcome(bytes) { true } else { false }
            #expect(accepted == name.hasPrefix("i_number_"), "\(name)")
        }
        #expect(seen == 35)
    }
}
