/// How far apart two words are, for "did you mean" (SPEC §10): insertions, deletions, substitutions and
/// swaps of neighbours each count one (the optimal string alignment distance).
package enum EditDistance {
    package static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var rows = [[Int]](repeating: Array(0...b.count), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for i in a.indices {
            for j in b.indices {
                var best = min(rows[i][j + 1] + 1, rows[i + 1][j] + 1, rows[i][j] + (a[i] == b[j] ? 0 : 1))
                if i > 0, j > 0, a[i] == b[j - 1], a[i - 1] == b[j] { best = min(best, rows[i - 1][j - 1] + 1) }
                rows[i + 1][j + 1] = best
            }
        }
        return rows[a.count][b.count]
    }

    /// The nearest of `known` within `limit` (the first on a tie), nil when none is that close.
    package static func nearest(to typed: String, among known: [String], limit: Int = 2) -> String? {
        known.map { (word: $0, distance: between(typed, $0)) }.filter { $0.distance <= limit }
            .min { $0.distance < $1.distance }?.word
    }

    /// The distance between `a` and `b`, or nil when it is more than `limit` (a column's did-you-mean).
    package static func within(_ limit: Int, _ a: some StringProtocol, _ b: some StringProtocol) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        let distance = between(String(a), String(b))
        return distance <= limit ? distance : nil
    }
}
