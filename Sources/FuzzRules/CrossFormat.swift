import CardUploadInput
import CardUploadModel
import CardUploadParsing
import CardUploadRules
import FuzzSupport

/// SPEC §4: the same card written as CSV or as JSON lines is the same request. A row of strings is written
/// both ways, read back by the real readers, and validated: the three results must be equal.
enum CrossFormat {
    static func check(_ card: RawCard, defaultEntity: String?) {
        let direct = outcome(card, defaultEntity: defaultEntity)

        let fromJSON = readJSONLine(jsonLine(card))
        RulesCheck.check(fromJSON, defaultEntity: defaultEntity)
        Invariant.require(outcome(fromJSON, defaultEntity: defaultEntity) == direct, "the JSON line validates differently")

        let fromCSV = readCSVRecord(csvFile(card))
        RulesCheck.check(fromCSV, defaultEntity: defaultEntity)
        Invariant.require(outcome(fromCSV, defaultEntity: defaultEntity) == direct, "the CSV record validates differently")
    }

    /// The errors, or the canonical body, of a row.
    private enum Outcome: Equatable {
        case errors([RowError])
        case body([UInt8])
    }

    private static func outcome(_ card: RawCard, defaultEntity: String?) -> Outcome {
        switch CardRules.validate(card, defaultEntity: defaultEntity) {
        case .success(let request): .body(request.canonicalBodyBytes)
        case .failure(let errors): .errors(errors.errors)
        }
    }

    private static func text(_ value: RawValue?) -> String? {
        if case .string(let text)? = value { return text }
        return nil
    }

    private static func jsonLine(_ card: RawCard) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = []
        func add(_ key: String, _ value: RawValue?) {
            if let text = text(value) { members.append((key: key, value: .string(text))) }
        }
        add("external_id", card.externalID)
        add("account_id", card.accountID)
        add("entity_id", card.entityID)
        add("type", card.type)
        var details: [(key: String, value: JSONValue)] = []
        if let lastFour = text(card.lastFour) { details.append((key: "last_four", value: .string(lastFour))) }
        if let replacementFor = text(card.replacementFor) { details.append((key: "replacement_for", value: .string(replacementFor))) }
        if !details.isEmpty { members.append((key: "details", value: .object(details))) }
        if !card.metadata.isEmpty {
            members.append((key: "metadata", value: .object(card.metadata.map { (key: $0.key, value: .string(text($0.value) ?? "")) })))
        }
        return JSONCheck.serialize(.object(members)) + [0x0A]
    }

    private static func readJSONLine(_ line: [UInt8]) -> RawCard {
        let reader = JSONLinesRecordReader(source: ArrayChunkSource(line))
        return readOne("a JSON line", line) { () throws(FileError) in try reader.next() }
    }

    /// The one card a written row reads back as (`what` names the form in a failed invariant).
    private static func readOne(_ what: String, _ bytes: [UInt8], _ next: () throws(FileError) -> RawRecord?) -> RawCard {
        do {
            guard let record = try next(), case .card(let card) = record.content else {
                Invariant.fail("\(what) written from a row did not read back as a card: \(bytes)")
            }
            Invariant.require(try next() == nil, "\(what) made two records")
            return card
        } catch {
            Invariant.fail("\(what) written from a row did not read back: \(error)")
        }
    }

    /// `text` as a quoted CSV cell, its quotes doubled byte by byte (not by Characters: a `"` before a
    /// combining mark is not the Character `"`).
    private static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = [0x22]
        for byte in text.utf8 {
            bytes.append(byte)
            if byte == 0x22 { bytes.append(0x22) }
        }
        bytes.append(0x22)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func csvFile(_ card: RawCard) -> [UInt8] {
        var names = ["external_id", "account_id", "entity_id", "type", "details.last_four", "details.replacement_for"]
        var cells = [card.externalID, card.accountID, card.entityID, card.type, card.lastFour, card.replacementFor].map { text($0) ?? "" }
        for entry in card.metadata {
            names.append("metadata." + entry.key)
            cells.append(text(entry.value) ?? "")
        }
        let header = names.map(quoted).joined(separator: ",")
        let row = cells.map(quoted).joined(separator: ",")
        return Array((header + "\n" + row + "\n").utf8)
    }

    private static func readCSVRecord(_ file: [UInt8]) -> RawCard {
        let reader: CSVRecordReader
        do {
            reader = try CSVRecordReader(source: ArrayChunkSource(file), options: CSVOptions(delimiter: UInt8(ascii: ",")))
        } catch {
            Invariant.fail("a CSV record written from a row did not read back: \(error)")
        }
        return readOne("a CSV record", file) { () throws(FileError) in try reader.next() }
    }
}
