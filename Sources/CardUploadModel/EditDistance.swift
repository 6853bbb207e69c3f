/// The Levenshtein distance of two names (insertions, deletions and substitutions of bytes), for
/// "did you mean" suggestions: a column a spreadsheet user mistyped, an option on the command line.
package enum EditDistance {
    /// The distance between `a` and `b`, or nil when it is more than `limit` (computed only as far as needed).
    package static func within(_ limit: Int, _ a: some StringProtocol, _ b: some StringProtocol) -> Int? {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard abs(a.count - b.count) <= limit else { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return nil }
            swap(&previous, &current)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
