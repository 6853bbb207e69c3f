import CardUploadModel

/// SPEC §3's field rules written a second way (Unicode properties from the standard library, no shared
/// code with `CardRules`): the (field, code) pairs a row must get, in `CardRules`' field order.
package enum ReferenceCardRules {
    /// A field name and an error code.
    package struct FieldCode: Equatable, CustomStringConvertible {
        package var field: String?
        package var code: ErrorCode
        package var description: String { "\(field ?? "nil"): \(code.rawValue)" }
    }

    private enum Text {
        case absent, text(String), wrongType
    }

    private static func text(_ value: RawValue?) -> Text {
        switch value {
        case nil: .absent
        case .string(let text): text.utf8.isEmpty ? .absent : .text(text)
        case _?: .wrongType
        }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x5F
    }

    /// `^prefix\w+$`, ASCII word characters.
    private static func isPrefixedWord(_ text: String, _ prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        let prefixBytes = Array(prefix.utf8)
        return bytes.count > prefixBytes.count && bytes.starts(with: prefixBytes)
            && bytes.dropFirst(prefixBytes.count).allSatisfy(isWordByte)
    }

    private static func scalarCount(_ text: String) -> Int { text.unicodeScalars.count }

    /// The errors `raw` must get (empty when it is valid).
    package static func expectedErrors(_ raw: RawCard, defaultEntity: String?) -> [FieldCode] {
        var errors: [FieldCode] = []
        func add(_ field: String?, _ code: ErrorCode) { errors.append(FieldCode(field: field, code: code)) }

        // external_id: type, length, format (control, white space at the ends, card_ prefix), card number.
        switch text(raw.externalID) {
        case .absent: add("external_id", .missingField)
        case .wrongType: add("external_id", .invalidType)
        case .text(let value):
            let scalars = Array(value.unicodeScalars)
            if scalars.count > 255 {
                add("external_id", .tooLong)
            } else if scalars.contains(where: { $0.properties.generalCategory == .control })
                || scalars.first!.properties.isWhitespace || scalars.last!.properties.isWhitespace
                || value.utf8.starts(with: "card_".utf8)
            {
                add("external_id", .invalidFormat)
            } else if ReferenceCardNumber.contains(value) {
                add("external_id", .panDetected)
            }
        }

        // account_id (required) and details.replacement_for (optional): a prefixed word, no card number.
        func prefixedWord(_ field: String, _ value: RawValue?, prefix: String, required: Bool) {
            switch text(value) {
            case .absent: if required { add(field, .missingField) }
            case .wrongType: add(field, .invalidType)
            case .text(let value):
                if !isPrefixedWord(value, prefix) {
                    add(field, .invalidFormat)
                } else if ReferenceCardNumber.contains(value) {
                    add(field, .panDetected)
                }
            }
        }
        prefixedWord("account_id", raw.accountID, prefix: "account_", required: true)

        var entity = text(raw.entityID)
        if case .absent = entity, let defaultEntity { entity = .text(defaultEntity) }
        switch entity {
        case .absent: add("entity_id", .missingField)
        case .wrongType: add("entity_id", .invalidType)
        case .text(let value):
            let suffix = value.utf8.starts(with: "entity_".utf8)
                ? Array(String(decoding: Array(value.utf8.dropFirst(7)), as: UTF8.self).unicodeScalars) : nil
            if let suffix, (1...33).contains(suffix.count), !suffix.contains(where: { $0.properties.isWhitespace }) {
                if ReferenceCardNumber.contains(value) { add("entity_id", .panDetected) }
            } else {
                add("entity_id", .invalidFormat)
            }
        }

        switch text(raw.type) {
        case .absent: break
        case .wrongType: add("type", .invalidType)
        case .text(let value):
            if Array(value.utf8) == Array("physical".utf8) {
                add("type", .unsupportedCardType)
            } else if Array(value.utf8) != Array("virtual".utf8) {
                add("type", .invalidEnum)
            }
        }

        if raw.detailsNotObject != nil { add("details", .invalidType) }
        if raw.detailsNotObject == nil || raw.lastFour != nil {
            switch text(raw.lastFour) {
            case .absent: add("details.last_four", .missingField)
            case .wrongType: add("details.last_four", .invalidType)
            case .text(let value):
                let bytes = Array(value.utf8)
                if bytes.count != 4 || !bytes.allSatisfy({ (0x30...0x39).contains($0) }) {
                    add("details.last_four", .invalidFormat)
                }
            }
        }

        prefixedWord("details.replacement_for", raw.replacementFor, prefix: "card_", required: false)

        if raw.metadataNotObject != nil { add("metadata", .invalidType) }
        let entries = raw.metadata.filter { entry in
            if case .string(let value) = entry.value { return !value.utf8.isEmpty }
            return true
        }
        if entries.count > 50 { add("metadata", .metadataLimit) }
        for (key, value) in entries {
            let field = "metadata." + ReferenceCardNumber.mask(key)
            guard case .string(let text) = value else {
                add(field, .invalidType)
                continue
            }
            if key.isEmpty || scalarCount(key) > 40 || scalarCount(text) > 500 {
                add(field, .metadataLimit)
            } else if key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                add(field, .invalidFormat)
            } else if ReferenceCardNumber.contains(key) || ReferenceCardNumber.contains(text) {
                add(field, .panDetected)
            }
        }

        for (field, code) in raw.extraFields { add(ReferenceCardNumber.mask(field), code) }
        return errors
    }
}
