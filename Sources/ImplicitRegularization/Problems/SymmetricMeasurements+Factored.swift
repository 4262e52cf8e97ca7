import LinearAlgebra

/// A and A* on a factored `X = UUᵀ` (U n × d, column-major, `u[i + c·n]`): the two products of
/// the gradient `∇f(U) = 2 A*(r) U`, `r = A(UUᵀ) − y`, of equation (2), as the gradient flow
/// (``GradientFlow``) evaluates them at every stage.
///
/// - Sensing (dense P): `dsyrk` for X, `svec`, `dgemv` for r; then `dgemv` for `svec(A*(r))`,
///   `smat` and `dsymm`. The ``FactoredWorkspace`` holds X, svec(X), A*(r) and U.
/// - Completion (one nonzero a row, `A_k = (E_{ij} + E_{ji})/2` for the entry (i, j), either triangle):
///
///       A(UUᵀ)_k = ⟨u_i, u_j⟩,    A*(r) U = Σ_k r_k (e_i u_jᵀ + e_j u_iᵀ) / 2
///
///   (a diagonal entry adds `r_k u_iᵀ` to row i), sums over the m entries of length-d rows:
///   O(m·d), which no BLAS routine does. For Figure 4's instances (n = d = 3, m = 4) that is tens
///   of multiply–adds where the dense route's BLAS calls cost microseconds of overhead, and X is
///   never formed.
///
/// Both routes compute the same products; they differ only in rounding.
extension SymmetricMeasurements {
    /// The dense route's buffers, allocated once per (n, d).
    public struct FactoredWorkspace: Sendable {
        var u: Matrix
        var x: Matrix
        var adjoint: Matrix
        var product: Matrix
        var packed: [Double]

        public init(dimension n: Int, rank d: Int) {
            u = Matrix(rows: n, columns: d)
            x = Matrix(rows: n, columns: n)
            adjoint = Matrix(rows: n, columns: n)
            product = Matrix(rows: n, columns: d)
            packed = [Double](repeating: 0, count: SymmetricPacking.packedCount(n))
        }
    }

    /// `r ← A(UUᵀ) − y`.
    public func factoredResidual(
        factor u: UnsafeBufferPointer<Double>, rank d: Int, observations y: [Double], into r: inout [Double],
        workspace: inout FactoredWorkspace
    ) {
        precondition(u.count == dimension * d && y.count == count && r.count == count, "A(UUᵀ) − y: sizes do not conform")
        switch storage {
        case .dense:
            workspace.u.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: u) }
            Matrix.syrk(1, workspace.u, 0, into: &workspace.x)
            workspace.packed.withUnsafeMutableBufferPointer { SymmetricPacking.pack(workspace.x, into: $0) }
            r.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: y) }
            apply(packedVector: workspace.packed, scale: 1, adding: -1, into: &r)
        case .entries(let observed):
            let n = dimension
            observed.entries.row.withUnsafeBufferPointer { row in
                observed.entries.column.withUnsafeBufferPointer { column in
                    y.withUnsafeBufferPointer { y in
                        r.withUnsafeMutableBufferPointer { r in
                            for k in 0..<r.count {
                                let (i, j) = (row[k], column[k])
                                var dot = 0.0
                                for c in 0..<d { dot += u[i + c * n] * u[j + c * n] }
                                r[k] = dot - y[k]
                            }
                        }
                    }
                }
            }
        }
    }

    /// `g ← scale · A*(r) U` (g n × d, column-major; overwritten).
    public func factoredAdjointProduct(
        _ r: [Double], factor u: UnsafeBufferPointer<Double>, rank d: Int, scale: Double,
        into g: UnsafeMutableBufferPointer<Double>, workspace: inout FactoredWorkspace
    ) {
        precondition(r.count == count && u.count == dimension * d && g.count == dimension * d, "A*(r)U: sizes do not conform")
        switch storage {
        case .dense:
            workspace.u.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: u) }
            adjointPacked(r, into: &workspace.packed)
            workspace.packed.withUnsafeBufferPointer { SymmetricPacking.unpack($0, into: &workspace.adjoint) }
            Matrix.symm(scale, workspace.adjoint, workspace.u, 0, into: &workspace.product)
            _ = g.update(fromContentsOf: workspace.product.elements)
        case .entries(let observed):
            let n = dimension
            g.update(repeating: 0)
            observed.entries.row.withUnsafeBufferPointer { row in
                observed.entries.column.withUnsafeBufferPointer { column in
                    r.withUnsafeBufferPointer { r in
                        for k in 0..<r.count {
                            let (i, j) = (row[k], column[k])
                            let w = 0.5 * scale * r[k]
                            for c in 0..<d {
                                g[i + c * n] += w * u[j + c * n]
                                g[j + c * n] += w * u[i + c * n]
                            }
                        }
                    }
                }
            }
        }
    }
}
