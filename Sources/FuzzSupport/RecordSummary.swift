import CardUploadModel

/// What a reader made of one record, comparable across chunk sizes: texts compared by their bytes
/// (Swift's `==` would merge canonically equivalent texts).
package struct RecordSummary: Equatable {
    package var line: Int
    package var offset: Int
    package var card: RawCard?
    /// A Lead card file's record (a header holding client_card_id).
    package var lead: LeadRawRow?
    package var error: RowError?
    package var cells: [[UInt8]]?
    package var source: [UInt8]?

    package init(_ record: RawRecord) {
        line = record.line
        offset = record.offset
        switch record.content {
        case .card(let card): self.card = card
        case .lead(let row): lead = row
        case .unreadable(let error): self.error = error
        }
        cells = record.cells.map { $0.map { Array($0.utf8) } }
        source = record.source.map { Array($0.utf8) }
    }
}
