import LinearAlgebra

/// The symmetric completion operator on a factored `X = UUᵀ`, kept sparse (issue #5: O(m·d), never
/// the dense m × n(n+1)/2 operator). The entries are positions `(i_k, j_k)` of an n × n matrix with
/// `i_k ≤ j_k`, and the measurement matrices are `A_k = (E_{i_k j_k} + E_{j_k i_k}) / 2`, the
/// convention of ``SymmetricMeasurements/init(dimension:observing:)``, so that
///
///     A(UUᵀ)_k = ⟨u_{i_k}, u_{j_k}⟩,    A*(r) U = Σ_k r_k (e_{i_k} u_{j_k}ᵀ + e_{j_k} u_{i_k}ᵀ) / 2
///
/// (a diagonal entry, `i_k = j_k`, adds `r_k u_{i_k}ᵀ` to row `i_k`). Both are sums over the m
/// entries of length-d rows: a sampled Gram product and a sparse-times-dense product, which no
/// BLAS routine does; for the tiny problems of Figure 4 (n = d = 3, m = 4) they cost tens of
/// multiply-adds where the dense route's BLAS calls cost microseconds of overhead.
extension ObservedEntries {
    /// `residual_k = ⟨u_{i_k}, u_{j_k}⟩ − values_k` for U (n × d, column-major, `u[i + c·n]`);
    /// returns `‖residual‖²`.
    @discardableResult
    public func symmetricResidual(
        factor u: UnsafeBufferPointer<Double>, rank d: Int, into residual: UnsafeMutableBufferPointer<Double>
    ) -> Double {
        let n = rows
        var sum = 0.0
        row.withUnsafeBufferPointer { row in
            column.withUnsafeBufferPointer { column in
                values.withUnsafeBufferPointer { values in
                    for k in 0..<values.count {
                        let (i, j) = (row[k], column[k])
                        var dot = 0.0
                        for c in 0..<d { dot += u[i + c * n] * u[j + c * n] }
                        let r = dot - values[k]
                        residual[k] = r
                        sum += r * r
                    }
                }
            }
        }
        return sum
    }

    /// `g = scale · A*(r) U` (g n × d, column-major; overwritten).
    public func symmetricAdjointProduct(
        _ residual: UnsafeBufferPointer<Double>, factor u: UnsafeBufferPointer<Double>, rank d: Int,
        scale: Double, into g: UnsafeMutableBufferPointer<Double>
    ) {
        let n = rows
        g.update(repeating: 0)
        row.withUnsafeBufferPointer { row in
            column.withUnsafeBufferPointer { column in
                for k in 0..<residual.count {
                    let (i, j) = (row[k], column[k])
                    let w = 0.5 * scale * residual[k]
                    for c in 0..<d {
                        g[i + c * n] += w * u[j + c * n]
                        g[j + c * n] += w * u[i + c * n]
                    }
                }
            }
        }
    }
}
