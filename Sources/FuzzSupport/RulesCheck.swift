import CardUploadModel
import CardUploadParsing
import CardUploadRules

/// Runs `CardRules.validate` on one row and checks it against `ReferenceCardRules` and SPEC §3/§4:
/// the same (field, code) pairs; no card number in a message or field name; a valid row's request holds
/// the row's values and a canonical body that parses back to them.
package enum RulesCheck {
    package static func check(_ raw: RawCard, defaultEntity: String?) {
        checkStoredForm(raw, defaultEntity: defaultEntity)
        let expected = ReferenceCardRules.expectedErrors(raw, defaultEntity: defaultEntity)
        switch CardRules.validate(raw, defaultEntity: defaultEntity) {
        case .failure(let rowErrors):
            let errors = rowErrors.errors
            let got = errors.map { ReferenceCardRules.FieldCode(field: $0.field, code: $0.code) }
            Invariant.require(got == expected, "validate gave \(got), the reference \(expected) for \(raw)")
            for error in errors {
                Invariant.require(
                    !ReferenceCardNumber.holdsCardNumber(error.message), "a card number in the message \(error.message)")
                Invariant.require(
                    !ReferenceCardNumber.holdsCardNumber(error.field ?? ""), "a card number in the field \(error.field ?? "")")
            }
            checkErrorsJSON(errors)
        case .success(let request):
            Invariant.require(expected.isEmpty, "validate accepted a row the reference rejects with \(expected): \(raw)")
            checkRequest(request, raw: raw, defaultEntity: defaultEntity)
        }
    }

    /// The replay fast path's soundness (`StoredForm`): a row the rules accept has a form equal to its
    /// request's stored columns; and a row whose form a valid card could have (the form written back as a
    /// plain row passes the rules) is accepted by the rules itself, so matching a stored card never
    /// replays a row the rules would reject.
    private static func checkStoredForm(_ raw: RawCard, defaultEntity: String?) {
        let form = CardRules.storedForm(raw, defaultEntity: defaultEntity)
        let accepted = try? CardRules.validate(raw, defaultEntity: defaultEntity).get()
        if let request = accepted {
            guard let form else { Invariant.fail("a valid row has no stored form: \(raw)") }
            Invariant.require(
                same(form.externalID, request.externalID) && same(form.entityID, request.entityID)
                    && same(form.accountID, request.accountID) && same(form.type, request.type.rawValue)
                    && same(form.lastFour, request.lastFour) && same(form.replacementFor, request.replacementFor)
                    && same(form.metadataJSON, request.metadataJSON),
                "the stored form \(form) differs from the request \(request)")
            return
        }
        guard let form else { return }
        var entries: [(key: String, value: RawValue)] = []
        for (key, value) in raw.metadata {
            if case .string(let text) = value, !text.utf8.isEmpty { entries.append((key, .string(text))) }
        }
        let plain = RawCard(
            externalID: .string(form.externalID), accountID: .string(form.accountID), entityID: .string(form.entityID),
            type: .string(form.type), lastFour: .string(form.lastFour), replacementFor: form.replacementFor.map(RawValue.string),
            metadata: entries)
        if let card = try? CardRules.validate(plain, defaultEntity: nil).get(), same(card.metadataJSON, form.metadataJSON) {
            Invariant.fail("the rules reject a row whose stored form a valid card has: \(raw)")
        }
    }

    /// The report's form of the errors, `[{"field":…,"code":…,"message":…}]`, parses back to them.
    private static func checkErrorsJSON(_ errors: [RowError]) {
        let parsed: JSONValue
        do {
            parsed = try JSONDocumentParser.parse(Array(errors.json.utf8))
        } catch {
            Invariant.fail("the errors' JSON does not parse: \(error.message): \(errors.json)")
        }
        let expected = JSONValue.array(errors.map { error in
            .object([
                (key: "field", value: error.field.map(JSONValue.string) ?? .null),
                (key: "code", value: .string(error.code.rawValue)),
                (key: "message", value: .string(error.message)),
            ])
        })
        Invariant.require(parsed == expected, "the errors' JSON parses as \(parsed)")
    }

    private static func string(_ value: RawValue?) -> String? {
        if case .string(let text)? = value, !text.utf8.isEmpty { return text }
        return nil
    }

    private static func same(_ left: String?, _ right: String?) -> Bool {
        switch (left, right) {
        case (nil, nil): true
        case let (left?, right?): left.utf8.elementsEqual(right.utf8)
        default: false
        }
    }

    private static func checkRequest(_ request: CardRequest, raw: RawCard, defaultEntity: String?) {
        Invariant.require(same(request.externalID, string(raw.externalID)), "external_id changed")
        Invariant.require(same(request.accountID, string(raw.accountID)), "account_id changed")
        Invariant.require(same(request.entityID, string(raw.entityID) ?? defaultEntity), "entity_id changed")
        Invariant.require(same(request.lastFour, string(raw.lastFour)), "last_four changed")
        Invariant.require(same(request.replacementFor, string(raw.replacementFor)), "replacement_for changed")
        Invariant.require(request.type == .virtual, "a request that is not virtual")

        // Metadata: the non-empty entries, sorted by key bytes, the last of equal keys kept.
        var byKey: [[UInt8]: (index: Int, value: String)] = [:]
        for (index, entry) in raw.metadata.enumerated() {
            guard case .string(let value) = entry.value, !value.utf8.isEmpty else { continue }
            byKey[Array(entry.key.utf8)] = (index, value)
        }
        let expected = byKey.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        Invariant.require(
            request.metadata.count == expected.count
                && zip(request.metadata, expected).allSatisfy {
                    $0.key.utf8.elementsEqual($1.key) && $0.value.utf8.elementsEqual($1.value.value.utf8)
                },
            "metadata \(request.metadata) is not the row's \(raw.metadata) sorted")

        let body = request.canonicalBody
        Invariant.require(!ReferenceCardNumber.holdsCardNumber(body), "a card number in the canonical body \(body)")
        let parsed: JSONValue
        do {
            parsed = try JSONDocumentParser.parse(Array(body.utf8))
        } catch {
            Invariant.fail("the canonical body does not parse: \(error.message): \(body)")
        }
        var details: [(key: String, value: JSONValue)] = [(key: "last_four", value: .string(request.lastFour))]
        if let replacementFor = request.replacementFor { details.append((key: "replacement_for", value: .string(replacementFor))) }
        let expectedBody = JSONValue.object([
            (key: "account_id", value: .string(request.accountID)),
            (key: "details", value: .object(details)),
            (key: "entity_id", value: .string(request.entityID)),
            (key: "metadata", value: .object(request.metadata.map { (key: $0.key, value: JSONValue.string($0.value)) })),
            (key: "type", value: .string("virtual")),
        ])
        Invariant.require(parsed == expectedBody, "the canonical body \(body) is not the request's")
    }
}

extension RulesCheck {
    /// A Lead card file's row (SPEC §9): the rules never crash, and a valid row keeps its client_card_id
    /// and entity_id byte for byte.
    package static func check(_ lead: LeadRawRow) {
        var fileGeneratedAt: String?
        guard case .success(let checked) = LeadRules.check(lead, fileGeneratedAt: &fileGeneratedAt) else { return }
        Invariant.require(
            lead[.clientCardID].map { Array($0.utf8) } == Array(checked.clientCardID.utf8)
                && lead[.entityID].map { Array($0.utf8) } == Array(checked.entityID.utf8),
            "a valid Lead row's key is not its cells")
    }
}
