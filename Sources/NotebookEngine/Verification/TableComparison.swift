import Foundation
import NotebookRuntime

/// One table of a new render set against the same table of a reference render, column by column
/// (``VerificationTolerances`` says how close a column must be).
public struct TableComparison: Sendable {
    public enum Outcome: String, Sendable, Comparable {
        /// Every cell the same text.
        case identical
        /// Numbers differ, each within the column's tolerance.
        case withinTolerance = "within tolerance"
        /// A cell beyond the tolerance, a text that differs, a column or row missing.
        case beyond

        public static func < (a: Outcome, b: Outcome) -> Bool {
            let order: [Outcome] = [.identical, .withinTolerance, .beyond]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    /// A column's comparison: its outcome, the largest difference relative to the column's scale
    /// (numeric columns), where it is, and the tolerance applied.
    public struct Column: Sendable {
        public var name: String
        public var outcome: Outcome
        public var tolerance: VerificationTolerances.Tolerance
        /// max |a − b| / s over the rows compared (s the reference column's largest |a|); nil for
        /// text, or when nothing differs.
        public var largestDifference: Double?
        /// The row (1-based, after the header) of the largest or first difference, and the two cells.
        public var row: Int?
        public var reference: String?
        public var candidate: String?
        /// How many rows differ at all.
        public var differingRows: Int
        /// Why it is beyond, in words, when it is.
        public var note: String?
    }

    public var table: String
    public var columns: [Column]
    /// Problems of the table as a whole: a missing table, columns or rows that differ in number.
    public var notes: [String]

    public var outcome: Outcome {
        (columns.map(\.outcome) + (notes.isEmpty ? [] : [.beyond])).max() ?? .identical
    }

    /// Compares `candidate` with `reference` (nil: the table is missing from that render).
    public init(table: String, reference: Table?, candidate: Table?, tolerances: VerificationTolerances) {
        self.table = table
        self.columns = []
        self.notes = []
        guard let reference else {
            notes.append("not in the reference render (a new table)")
            return
        }
        guard let candidate else {
            notes.append("missing from the new render")
            return
        }
        if candidate.rows.count != reference.rows.count {
            notes.append("\(candidate.rows.count) rows where the reference has \(reference.rows.count)")
        }
        let missing = reference.columns.filter { !candidate.columns.contains($0) }
        let added = candidate.columns.filter { !reference.columns.contains($0) }
        if !missing.isEmpty { notes.append("columns missing: \(missing.joined(separator: ", "))") }
        if !added.isEmpty { notes.append("columns not in the reference: \(added.joined(separator: ", "))") }
        let rowCount = min(candidate.rows.count, reference.rows.count)
        for (r, name) in reference.columns.enumerated() {
            guard let c = candidate.columns.firstIndex(of: name) else { continue }
            let tolerance = tolerances.tolerance(table: table, column: name)
            // Rows the tolerance's condition leaves out are compared as equal (their cells skipped).
            var referenceCells = Array(reference.column(r).prefix(rowCount))
            var candidateCells = Array(candidate.column(c).prefix(rowCount))
            if let condition = tolerance.condition {
                let keep = reference.columns.firstIndex(of: condition.column).map { k in reference.rows.prefix(rowCount).map { $0[k] == condition.value } }
                    ?? Array(repeating: false, count: rowCount)
                for row in 0..<rowCount where !keep[row] { (referenceCells[row], candidateCells[row]) = ("", "") }
            }
            columns.append(Self.compare(name: name, reference: referenceCells, candidate: candidateCells, tolerance: tolerance))
        }
    }

    /// A cell as a number, when it is one (`nan`, `inf` and `-inf` included, as the runtime writes them).
    static func number(_ cell: String) -> Double? {
        let text = cell.trimmingCharacters(in: .whitespaces)
        switch text.lowercased() {
        case "nan": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return Double(text)
        }
    }

    static func compare(name: String, reference: [String], candidate: [String], tolerance: VerificationTolerances.Tolerance) -> Column {
        var column = Column(name: name, outcome: .identical, tolerance: tolerance, differingRows: 0)
        let differing = reference.indices.filter { reference[$0] != candidate[$0] }
        column.differingRows = differing.count
        guard let first = differing.first else { return column }
        let numbers = reference.map(number)
        let scale = numbers.compactMap { $0 }.filter(\.isFinite).map(abs).max() ?? 0
        var largest = -1.0
        var largestRow = first
        var textDiffers = false
        var outside = false
        for row in differing {
            guard let a = numbers[row], let b = number(candidate[row]) else {
                textDiffers = true
                largestRow = row
                break
            }
            // The same non-finite value written two ways is no difference; a finite one against a
            // non-finite one, or NaN against a number, is infinitely far.
            let difference: Double
            if a.isNaN || b.isNaN { difference = a.isNaN && b.isNaN ? 0 : .infinity }
            else if !a.isFinite || !b.isFinite { difference = a == b ? 0 : .infinity }
            else { difference = scale > 0 ? abs(a - b) / scale : (a == b ? 0 : .infinity) }
            // Against the tolerance: |a − b| ≤ τ·s + α, i.e. the excess over τ·s within α.
            if a.isFinite && b.isFinite && abs(a - b) > tolerance.value * scale + tolerance.absolute { outside = true }
            if !(a.isFinite && b.isFinite) && difference > 0 && tolerance.value != .infinity { outside = true }
            if difference > largest { (largest, largestRow) = (difference, row) }
        }
        column.row = largestRow + 1
        column.reference = reference[largestRow]
        column.candidate = candidate[largestRow]
        if textDiffers {
            column.outcome = .beyond
            column.note = "text differs in \(differing.count) row\(differing.count == 1 ? "" : "s")"
            return column
        }
        column.largestDifference = largest
        if !outside {
            column.outcome = .withinTolerance
        } else {
            column.outcome = .beyond
            column.note = tolerance.value == 0 && tolerance.absolute == 0
                ? "differs in \(differing.count) row\(differing.count == 1 ? "" : "s") where the same numbers are asked"
                : "largest difference \(Self.shown(largest)) of the column's scale, beyond its tolerance \(Self.describe(tolerance))"
        }
        return column
    }

    /// `τ`, `τ + α absolute` or `any`.
    static func describe(_ tolerance: VerificationTolerances.Tolerance) -> String {
        if tolerance.value == .infinity { return "any" }
        return shown(tolerance.value) + (tolerance.absolute > 0 ? " + \(shown(tolerance.absolute)) absolute" : "")
            + (tolerance.condition.map { " where \($0.column) = \($0.value)" } ?? "")
    }

    static func shown(_ value: Double) -> String {
        value.isFinite ? String(format: "%.2g", value) : "\(value)"
    }
}
