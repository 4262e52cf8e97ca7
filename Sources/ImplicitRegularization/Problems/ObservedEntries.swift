import LinearAlgebra

/// Entries `(i_k, j_k)` of a rows × columns matrix observed with values `y_k`, k = 0 ..< m, in the
/// order given (measurement k observes entry k): the observation operator of completion,
/// `A(X)_k = X_{i_k j_k}`, with its observations. Symmetric completion (`MeasurementProblem`,
/// `SymmetricMeasurements`, n × n, positions in either triangle, each counted once per entry) and
/// rectangular completion (MovieLens, users × movies) both hold their entries here.
///
/// Besides the order given, the entries are indexed in row order (by row, then column, then k) and
/// in column order (by column, then row, then k), so that for a factored `X = UVᵀ` the residual and
/// the products `S V`, `Sᵀ U` with the sparse residual matrix S cost O(m·d) each (`+Products`) —
/// never a dense n₁ × n₂ matrix.
public struct ObservedEntries: Sendable, Equatable, RandomAccessCollection {
    /// One observed entry: its position and value.
    public struct Entry: Sendable, Equatable {
        public var row: Int
        public var column: Int
        public var value: Double
        public init(row: Int, column: Int, value: Double) {
            (self.row, self.column, self.value) = (row, column, value)
        }
    }

    public let rows: Int
    public let columns: Int
    /// The positions and values, in the order given.
    public let row: [Int]
    public let column: [Int]
    public let values: [Double]
    /// The entries in row order: `byRow[rowStart[i] ..< rowStart[i+1]]` index row i's, by column.
    public let byRow: [Int]
    public let rowStart: [Int]
    /// The entries in column order: `byColumn[columnStart[j] ..< columnStart[j+1]]` index column j's, by row.
    public let byColumn: [Int]
    public let columnStart: [Int]

    public init(rows: Int, columns: Int, entries: [Entry]) {
        precondition(entries.allSatisfy { (0..<rows).contains($0.row) && (0..<columns).contains($0.column) }, "an entry is outside the matrix")
        self.init(rows: rows, columns: columns, row: entries.map(\.row), column: entries.map(\.column), values: entries.map(\.value))
    }

    private init(rows: Int, columns: Int, row: [Int], column: [Int], values: [Double]) {
        (self.rows, self.columns, self.row, self.column, self.values) = (rows, columns, row, column, values)
        byRow = row.indices.sorted { (row[$0], column[$0], $0) < (row[$1], column[$1], $1) }
        rowStart = Self.starts(of: row, count: rows)
        byColumn = column.indices.sorted { (column[$0], row[$0], $0) < (column[$1], row[$1], $1) }
        columnStart = Self.starts(of: column, count: columns)
    }

    private init(positions: ObservedEntries, values: [Double]) {
        (rows, columns, row, column, self.values) = (positions.rows, positions.columns, positions.row, positions.column, values)
        (byRow, rowStart, byColumn, columnStart) = (positions.byRow, positions.rowStart, positions.byColumn, positions.columnStart)
    }

    /// `starts[i] ..< starts[i+1]` is the range of the i-th group when `keys` are sorted.
    private static func starts(of keys: [Int], count: Int) -> [Int] {
        var starts = [Int](repeating: 0, count: count + 1)
        for key in keys { starts[key + 1] += 1 }
        for i in 0..<count { starts[i + 1] += starts[i] }
        return starts
    }

    /// m.
    public var count: Int { values.count }
    public var startIndex: Int { 0 }
    public var endIndex: Int { values.count }
    /// Entry k.
    public subscript(k: Int) -> Entry { Entry(row: row[k], column: column[k], value: values[k]) }

    /// The same positions observed with `transform(y_k)`.
    public func mapValues(_ transform: (Double) -> Double) -> ObservedEntries {
        ObservedEntries(positions: self, values: values.map(transform))
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

    /// `‖P_Ω(X) − y‖ / ‖y‖` with X given entrywise, `entry(i, j) = X_ij`, both sums of squares
    /// accumulated in the order given.
    public func relativeError(_ entry: (Int, Int) -> Double) -> Double {
        var residual = 0.0, norm = 0.0
        for k in 0..<count {
            let difference = entry(row[k], column[k]) - values[k]
            residual += difference * difference
            norm += values[k] * values[k]
        }
        return (residual / norm).squareRoot()
    }
}
