import LinearAlgebra

/// The measurement operator `A: Sⁿ → Rᵐ`, `A(X)_i = ⟨A_i, X⟩`, for symmetric `A_i`, and its
/// adjoint `A*(r) = Σ_i r_i A_i` (equation (1) of the paper and the gradient `2 A*(r) U` of (2)).
///
/// The operator is stored as the m × n(n+1)/2 matrix `P` whose row i is `svec(A_i)`
/// (see `SymmetricPacking`), so `A(X) = P svec(X)` and `A*(r) = smat(Pᵀ r)`: one `dgemv` each,
/// reading half of what the full n² representation would. Many X at once (`apply(packedColumns:)`)
/// is one `dgemm`.
public struct SymmetricMeasurements: Sendable {
    /// n: the side of X.
    public let dimension: Int
    /// m: the number of measurements.
    public var count: Int { packed.rows }
    /// P: row i is `svec(A_i)`.
    public let packed: Matrix

    /// The operator with packed rows `packed` (m × n(n+1)/2).
    public init(dimension: Int, packed: Matrix) {
        precondition(packed.columns == SymmetricPacking.packedCount(dimension), "packed operator has the wrong width")
        self.dimension = dimension
        self.packed = packed
    }

    /// The operator of the given symmetric matrices (only their upper triangles are read).
    public init(dimension n: Int, matrices: [Matrix]) {
        let width = SymmetricPacking.packedCount(n)
        var p = Matrix(rows: matrices.count, columns: width)
        for (i, a) in matrices.enumerated() {
            let row = SymmetricPacking.pack(a)
            for k in 0..<width { p[i, k] = row[k] }
        }
        self.init(dimension: n, packed: p)
    }

    /// The completion operator that observes entries: `⟨A_k, X⟩ = X_{i_k j_k}`, with
    /// `A_k = E_ii` on the diagonal and `(E_ij + E_ji)/2` off it.
    public init(dimension n: Int, observing entries: [(row: Int, column: Int)]) {
        let matrices = entries.map { entry -> Matrix in
            var a = Matrix(rows: n, columns: n)
            if entry.row == entry.column {
                a[entry.row, entry.row] = 1
            } else {
                a[entry.row, entry.column] = 0.5
                a[entry.column, entry.row] = 0.5
            }
            return a
        }
        self.init(dimension: n, matrices: matrices)
    }

    /// `A_i`, in full.
    public func matrix(_ i: Int) -> Matrix {
        let row = (0..<packed.columns).map { packed[i, $0] }
        return SymmetricPacking.unpack(row, dimension: dimension)
    }

    /// `A(X)` for a symmetric X (only its upper triangle is read).
    public func apply(_ x: Matrix) -> [Double] {
        precondition(x.rows == dimension && x.isSquare, "A(X): X must be \(dimension) × \(dimension)")
        return apply(packedVector: SymmetricPacking.pack(x))
    }

    /// `A(X) = P svec(X)` given `svec(X)`.
    public func apply(packedVector v: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: count)
        Matrix.gemv(1, packed, .none, v, 0, into: &out)
        return out
    }

    /// `A(X_b)` for many X at once: the columns of `columns` are `svec(X_b)`; column b of the
    /// result is `A(X_b)` (one `dgemm`).
    public func apply(packedColumns columns: Matrix) -> Matrix {
        Matrix.product(packed, .none, columns, .none)
    }

    /// `svec(A*(r_b))` for many r at once: the columns of the result are `Pᵀ r_b` (one `dgemm`).
    public func adjoint(packedColumns residuals: Matrix) -> Matrix {
        Matrix.product(packed, .transpose, residuals, .none)
    }

    /// `A*(r) = Σ r_i A_i`, symmetric in full.
    public func adjoint(_ r: [Double]) -> Matrix {
        SymmetricPacking.unpack(adjointPacked(r), dimension: dimension)
    }

    /// `svec(A*(r)) = Pᵀ r`.
    public func adjointPacked(_ r: [Double]) -> [Double] {
        precondition(r.count == count, "A*(r): r must have \(count) entries")
        var out = [Double](repeating: 0, count: packed.columns)
        Matrix.gemv(1, packed, .transpose, r, 0, into: &out)
        return out
    }

    /// `‖A‖_op`, the largest singular value of P (svec is an isometry, so this is the operator
    /// norm from (Sⁿ, ‖·‖_F) to (Rᵐ, ‖·‖₂)).
    public func operatorNorm() throws -> Double {
        try packed.spectralNorm()
    }
}
