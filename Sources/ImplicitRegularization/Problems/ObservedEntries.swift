import LinearAlgebra

/// The observation operator of rectangular completion, `A(X)_k = X_{i_k j_k}`, kept sparse:
/// the m positions and values in row order (and a column-ordered view), so that for a
/// factored `X = UVᵀ` the residual costs O(m·d) and the products `S V`, `Sᵀ U` with the sparse
/// residual matrix S cost O(m·d) each — never a dense n₁ × n₂ matrix.
public struct ObservedEntries: Sendable {
    public let rows: Int
    public let columns: Int
    /// The positions and values, sorted by row, then column.
    public let row: [Int]
    public let column: [Int]
    public let values: [Double]
    /// Entries `rowStart[i]..<rowStart[i+1]` are row i's.
    public let rowStart: [Int]
    /// The entries in column order: `byColumn[columnStart[j]..<columnStart[j+1]]` index column j's.
    public let byColumn: [Int]
    public let columnStart: [Int]

    public var count: Int { values.count }

    public init(rows: Int, columns: Int, entries: [(row: Int, column: Int, value: Double)]) {
        precondition(entries.allSatisfy { (0..<rows).contains($0.row) && (0..<columns).contains($0.column) }, "an entry is outside the matrix")
        let sorted = entries.sorted { ($0.row, $0.column) < ($1.row, $1.column) }
        self.rows = rows
        self.columns = columns
        row = sorted.map(\.row)
        column = sorted.map(\.column)
        values = sorted.map(\.value)
        var starts = [Int](repeating: 0, count: rows + 1)
        for r in row { starts[r + 1] += 1 }
        for i in 0..<rows { starts[i + 1] += starts[i] }
        rowStart = starts
        let order = sorted.indices.sorted { (sorted[$0].column, $0) < (sorted[$1].column, $1) }
        byColumn = order
        var columnStarts = [Int](repeating: 0, count: columns + 1)
        for c in column { columnStarts[c + 1] += 1 }
        for j in 0..<columns { columnStarts[j + 1] += columnStarts[j] }
        columnStart = columnStarts
    }

    /// Writes `values[k]` at entry k's position in x (rows × columns); the other entries stay.
    public func place(_ values: [Double], into x: inout Matrix) {
        precondition(values.count == count && x.rows == rows && x.columns == columns, "one value per entry, into a rows × columns matrix")
        for k in 0..<count { x[row[k], column[k]] = values[k] }
    }

    /// `P_Ω*(v)`: the dense matrix with `values` on the observed entries and zero elsewhere.
    public func zeroFilled(_ values: [Double]) -> Matrix {
        var x = Matrix(rows: rows, columns: columns)
        place(values, into: &x)
        return x
    }

    /// `‖y‖`.
    public var observationNorm: Double { Vector.norm(values) }
}
