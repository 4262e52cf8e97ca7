/// A dense matrix of `Double`, stored column-major (the layout BLAS and LAPACK use natively).
///
/// `Matrix` is a value type: copies share storage until one is written (copy on write, through
/// `Array`). Every product, factorisation and decomposition goes through OpenBLAS or LAPACKE, or,
/// when small, through ``SmallMatrixKernels`` (the same contract, the same bits on every CPU); see
/// `Matrix+Products.swift`, `SymmetricEigendecomposition.swift` and `SingularValues.swift`.
public struct Matrix: Equatable, Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The entries, column-major: entry (i, j) is `elements[i + j * rows]`.
    public var elements: [Double]

    /// A `rows × columns` matrix with every entry equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over the given column-major entries.
    public init(rows: Int, columns: Int, columnMajor elements: [Double]) {
        precondition(elements.count == rows * columns, "expected \(rows * columns) entries, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix over the given row-major entries (the layout of the JSON problem files).
    public init(rows: Int, columns: Int, rowMajor values: [Double]) {
        precondition(values.count == rows * columns, "expected \(rows * columns) entries, got \(values.count)")
        var elements = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                elements[i + j * rows] = values[i * columns + j]
            }
        }
        self.init(rows: rows, columns: columns, columnMajor: elements)
    }

    /// A matrix whose (i, j) entry is `entry(i, j)`.
    public init(rows: Int, columns: Int, entry: (Int, Int) -> Double) {
        var elements = [Double](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for i in 0..<rows {
                elements[i + j * rows] = entry(i, j)
            }
        }
        self.init(rows: rows, columns: columns, columnMajor: elements)
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        diagonal(Array(repeating: 1, count: n))
    }

    /// The square matrix with `values` on its diagonal.
    public static func diagonal(_ values: [Double]) -> Matrix {
        var m = Matrix(rows: values.count, columns: values.count)
        for (i, v) in values.enumerated() { m.elements[i * (values.count + 1)] = v }
        return m
    }

    /// Entry (i, j).
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    /// Whether the matrix is square.
    public var isSquare: Bool { rows == columns }

    /// The entries, row-major.
    public var rowMajorElements: [Double] {
        var values = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                values[i * columns + j] = elements[i + j * rows]
            }
        }
        return values
    }

    /// The transpose.
    public var transposed: Matrix {
        Matrix(rows: columns, columns: rows, columnMajor: rowMajorElements)
    }

    /// The diagonal entries of a square matrix.
    public var diagonalEntries: [Double] {
        (0..<Swift.min(rows, columns)).map { self[$0, $0] }
    }

    /// The trace `Σ X_ii`.
    public var trace: Double { diagonalEntries.reduce(0, +) }

    /// Whether every entry is finite.
    public var isFinite: Bool { elements.allSatisfy(\.isFinite) }

    /// Columns `range` of this matrix.
    public func columns(_ range: Range<Int>) -> Matrix {
        Matrix(rows: rows, columns: range.count, columnMajor: Array(elements[(range.lowerBound * rows)..<(range.upperBound * rows)]))
    }

    /// The largest asymmetry `max |X_ij − X_ji|` of a square matrix.
    public var asymmetry: Double {
        precondition(isSquare)
        var worst = 0.0
        for j in 0..<columns {
            for i in 0..<j { worst = Swift.max(worst, abs(self[i, j] - self[j, i])) }
        }
        return worst
    }

    /// Copies the upper triangle onto the lower one, making the matrix exactly symmetric.
    public mutating func symmetrizeFromUpper() {
        precondition(isSquare)
        let n = rows
        elements.withUnsafeMutableBufferPointer { x in
            for j in 0..<n {
                for i in 0..<j { x[j + i * n] = x[i + j * n] }
            }
        }
    }

    /// `(X + Xᵀ) / 2`.
    public var symmetricPart: Matrix {
        precondition(isSquare)
        var s = self
        for j in 0..<columns {
            for i in 0..<j {
                let mean = 0.5 * (self[i, j] + self[j, i])
                s[i, j] = mean
                s[j, i] = mean
            }
        }
        return s
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        (0..<rows).map { i in
            (0..<columns).map { j in "\(self[i, j])" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
