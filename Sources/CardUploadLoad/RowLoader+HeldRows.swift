import CardUploadModel
import CardUploadStore

extension RowLoader {
    /// Applies the rows held back because they named a card not stored yet (SPEC §9: a Lead `replaced_by`
    /// may name a card later in the file), in line order, once the rest of the file is applied: passes
    /// while one applies a row (held rows may name each other in a chain), then a last pass. With `--partial`
    /// the last pass rejects what still names no stored card (`invalid_card_reference`). A file in one
    /// transaction checks its references only once the whole file is applied (SPEC §9), so there the last
    /// pass applies a row naming a held card without its link, and links it once every row is applied (cards
    /// that name each other in a cycle); a row whose card never came is rejected then.
    mutating func applyHeldRows() throws {
        var forward = LeadCardStore.ForwardReferences.holdWhenHeld
        // Rows of the last pass whose link waits for the end of the pass, with their outcome.
        var awaitingLinks: [(row: CheckedRow, outcome: RowOutcome)] = []
        while writers.lead.heldCount > 0 {
            var progressed = false
            var line = 0
            while let held = try writers.lead.nextHeld(after: line) {
                try stop.check()
                line = held.line
                try beginBatchIfNeeded()
                let kept = held.cells.map { RawRecord(line: held.line, offset: 0, content: .lead(LeadRawRow()), cells: $0) }
                let row = CheckedRow(
                    line: held.line, record: kept, card: .lead(held.card), errors: [],
                    externalID: held.card.clientCardID, entityID: held.card.entityID)
                guard let outcome = try applied(row, outcome: .rejected([]), forward: forward) else { continue }
                try writers.lead.release(line: held.line)
                progressed = true
                if writers.lead.awaitsLink(line: held.line) {
                    awaitingLinks.append((row, outcome))
                } else {
                    try record(row, outcome: outcome, heldRow: true)
                }
            }
            if !progressed { forward = options.wholeFile ? .linkAfterFile : .reject }
        }
        guard !awaitingLinks.isEmpty else { return }
        let failed = try writers.lead.linkAwaiting()
        for (row, outcome) in awaitingLinks {
            try record(row, outcome: failed[row.line].map { .rejected([$0]) } ?? outcome, heldRow: true)
        }
    }
}
