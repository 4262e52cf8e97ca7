/// An independent decision of Figure 4's feasibility: does the 3 × 3 symmetric partial matrix with
/// four of the six upper entries given have a PSD completion? Exact, in integers: the grid's
/// values (2k − 9)/9 are scaled by 9 to the odd integers 2k − 9, which never vanish.
///
/// Necessary: every given diagonal entry is ≥ 0, and every fully given 2 × 2 principal minor is
/// ≥ 0 (`x_ij² ≤ x_ii x_jj`). With no given entry zero these suffice: two free off-diagonal entries
/// can be 0 (a block-diagonal PSD matrix); a free diagonal entry can be taken as large as needed
/// (its Schur complement then tends to the PSD rest, or, when the given 2 × 2 block is singular,
/// the free off-diagonal entry puts the column in its range); two free diagonal entries likewise.
public enum PSDCompletion3 {
    public static let upper = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    /// The 15 four-entry masks in lexicographic order, as ``ExhaustiveSearch`` documents them.
    public static let masks: [[Int]] = (0..<6).flatMap { a in ((a + 1)..<6).flatMap { b in ((b + 1)..<6).flatMap { c in ((c + 1)..<6).map { d in [a, b, c, d] } } } }

    /// Instance `index`: mask `index / 10⁴`, the p-th given entry from the p-th decimal digit.
    public static func isFeasible(instance index: Int) -> Bool {
        var given: [Int: Int] = [:]  // 3i + j (i ≤ j) → 9 x_ij
        var digits = index % 10_000
        for position in masks[index / 10_000] {
            let (i, j) = upper[position]
            given[3 * i + j] = 2 * (digits % 10) - 9
            digits /= 10
        }
        for i in 0..<3 { if let d = given[4 * i], d < 0 { return false } }
        for (i, j) in [(0, 1), (0, 2), (1, 2)] {
            if let x = given[3 * i + j], let a = given[4 * i], let b = given[4 * j], x * x > a * b { return false }
        }
        return true
    }
}
