import LinearAlgebra

/// The measurement operator `A: Sⁿ → Rᵐ`, `A(X)_i = ⟨A_i, X⟩`, for symmetric `A_i`, and its
/// adjoint `A*(r) = Σ_i r_i A_i` (equation (1) of the paper and the gradient `2 A*(r) U` of (2)).
///
/// The operator is the m × n(n+1)/2 matrix `P` whose row i is `svec(A_i)` (see
/// `SymmetricPacking`), so `A(X) = P svec(X)` and `A*(r) = smat(Pᵀ r)`. Sensing stores P densely:
/// one `dgemv` each way, reading half of what the full n² representation would, and many X at
/// once (`apply(packedColumns:)`) is one `dgemm`. Completion (``init(observing:)``)
/// stores only each row's single nonzero, its column and weight (1 on the diagonal, 1/√2 off
/// it), so that A, A* and their batched forms cost O(m) (O(m·B) for B columns), never the dense
/// m × n(n+1)/2 matrix; ``packed`` builds that matrix only when asked (the SDP's Schur complement).
public struct SymmetricMeasurements: Sendable {
    enum Storage: Sendable {
        case dense(Matrix)
        case entries(PackedEntries)
    }

    /// Completion's P, one nonzero a row: row k is `weight[k]` at column `index[k]`, the packed
    /// index `j(j+1)/2 + i` of observed entry k's position in the upper triangle,
    /// `(i, j) = (min, max)` of `(entries.row[k], entries.column[k])`.
    struct PackedEntries: Sendable {
        let entries: ObservedEntries
        let index: [Int]
        let weight: [Double]
    }

    /// n: the side of X.
    public let dimension: Int
    /// m: the number of measurements.
    public let count: Int
    let storage: Storage

    /// The operator with packed rows `packed` (m × n(n+1)/2).
    public init(dimension: Int, packed: Matrix) {
        precondition(packed.columns == SymmetricPacking.packedCount(dimension), "packed operator has the wrong width")
        self.dimension = dimension
        self.count = packed.rows
        self.storage = .dense(packed)
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

    /// The completion operator that observes the n × n `entries` (their values are not read):
    /// `⟨A_k, X⟩ = X_{i_k j_k}`, with `A_k = E_ii` on the diagonal and `(E_ij + E_ji)/2` off it
    /// (so `svec(A_k)` is 1 or 1/√2 at the entry's packed index, zero elsewhere).
    public init(observing entries: ObservedEntries) {
        precondition(entries.rows == entries.columns, "symmetric completion observes a square matrix")
        self.dimension = entries.rows
        self.count = entries.count
        let upper = zip(entries.row, entries.column).map { (min($0, $1), max($0, $1)) }
        self.storage = .entries(PackedEntries(
            entries: entries,
            index: upper.map { $0.1 * ($0.1 + 1) / 2 + $0.0 },
            weight: upper.map { $0.0 == $0.1 ? 1 : 1 / SymmetricPacking.root2 }))
    }

    /// P: row i is `svec(A_i)` (built on each call for completion).
    public var packed: Matrix {
        switch storage {
        case .dense(let p):
            return p
        case .entries(let observed):
            var p = Matrix(rows: count, columns: SymmetricPacking.packedCount(dimension))
            for k in 0..<count { p[k, observed.index[k]] = observed.weight[k] }
            return p
        }
    }

    /// `A_i`, in full.
    public func matrix(_ i: Int) -> Matrix {
        let row: [Double]
        switch storage {
        case .dense(let p):
            row = (0..<p.columns).map { p[i, $0] }
        case .entries(let observed):
            var sparse = [Double](repeating: 0, count: SymmetricPacking.packedCount(dimension))
            sparse[observed.index[i]] = observed.weight[i]
            row = sparse
        }
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
        apply(packedVector: v, scale: 1, adding: 0, into: &out)
        return out
    }

    /// `out ← α P v + β out` (`dgemv`, or O(m) for completion).
    public func apply(packedVector v: [Double], scale alpha: Double, adding beta: Double, into out: inout [Double]) {
        precondition(v.count == SymmetricPacking.packedCount(dimension) && out.count == count, "A(X): sizes do not conform")
        switch storage {
        case .dense(let p):
            Matrix.gemv(alpha, p, .none, v, beta, into: &out)
        case .entries(let observed):
            for k in 0..<count { out[k] = alpha * observed.weight[k] * v[observed.index[k]] + (beta == 0 ? 0 : beta * out[k]) }
        }
    }

    /// `A(X_b)` for many X at once: the columns of `columns` are `svec(X_b)`; column b of the
    /// result is `A(X_b)` (one `dgemm`, or O(m·B) for completion).
    public func apply(packedColumns columns: Matrix) -> Matrix {
        switch storage {
        case .dense(let p):
            return Matrix.product(p, .none, columns, .none)
        case .entries(let observed):
            var out = Matrix(rows: count, columns: columns.columns)
            for b in 0..<columns.columns { for k in 0..<count { out[k, b] = observed.weight[k] * columns[observed.index[k], b] } }
            return out
        }
    }

    /// `svec(A*(r_b))` for many r at once: the columns of the result are `Pᵀ r_b` (one `dgemm`, or
    /// O(m·B) for completion).
    public func adjoint(packedColumns residuals: Matrix) -> Matrix {
        switch storage {
        case .dense(let p):
            return Matrix.product(p, .transpose, residuals, .none)
        case .entries(let observed):
            var out = Matrix(rows: SymmetricPacking.packedCount(dimension), columns: residuals.columns)
            for b in 0..<residuals.columns { for k in 0..<count { out[observed.index[k], b] += observed.weight[k] * residuals[k, b] } }
            return out
        }
    }

    /// `A*(r) = Σ r_i A_i`, symmetric in full.
    public func adjoint(_ r: [Double]) -> Matrix {
        SymmetricPacking.unpack(adjointPacked(r), dimension: dimension)
    }

    /// `svec(A*(r)) = Pᵀ r`.
    public func adjointPacked(_ r: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: SymmetricPacking.packedCount(dimension))
        adjointPacked(r, into: &out)
        return out
    }

    /// `out ← Pᵀ r` (`dgemv`, or O(m) for completion).
    public func adjointPacked(_ r: [Double], into out: inout [Double]) {
        precondition(r.count == count && out.count == SymmetricPacking.packedCount(dimension), "A*(r): r must have \(count) entries")
        switch storage {
        case .dense(let p):
            Matrix.gemv(1, p, .transpose, r, 0, into: &out)
        case .entries(let observed):
            for c in out.indices { out[c] = 0 }
            for k in 0..<count { out[observed.index[k]] += observed.weight[k] * r[k] }
        }
    }

    /// `‖A‖_op`, the largest singular value of P (svec is an isometry, so this is the operator
    /// norm from (Sⁿ, ‖·‖_F) to (Rᵐ, ‖·‖₂)). For completion PᵀP is diagonal (one nonzero per row),
    /// so it is `max_c (Σ_{k: index_k = c} weight_k²)^{1/2}`, exactly.
    public func operatorNorm() throws -> Double {
        switch storage {
        case .dense(let p):
            return try p.spectralNorm()
        case .entries(let observed):
            var columnSquares = [Int: Double]()
            for k in 0..<count { columnSquares[observed.index[k], default: 0] += observed.weight[k] * observed.weight[k] }
            return (columnSquares.values.max() ?? 0).squareRoot()
        }
    }
}
