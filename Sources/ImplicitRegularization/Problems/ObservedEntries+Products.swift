import LinearAlgebra

/// The products of completion on factors `X = ABᵀ`, kept sparse: O(m·d) each, never the
/// dense n₁ × n₂ matrix. The factors are stored by rows (row i of A is `a[i·d ..< (i+1)·d]`, the
/// transpose of the column-major `Matrix`), so each row is contiguous for BLAS `ddot`/`daxpy`.
/// With `threads` > 1 the work is split by rows (or by columns for `Sᵀ A`) over that many threads;
/// each thread writes disjoint rows, so the results do not depend on the split. Vectors over the
/// entries (target, residual, weights, outputs) are indexed by k in the order given; each row's (or
/// column's) entries are visited in the row (column) order of ``ObservedEntries``.
extension ObservedEntries {
    /// `residual_k = ⟨a_{i_k}, b_{j_k}⟩ − target_k` and `g = S B` (g n₁ × d by rows, overwritten), with
    /// S the sparse matrix holding `residual_k` at `(i_k, j_k)`, in one pass; returns `‖residual‖²`.
    @discardableResult
    public func residualAndProduct(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, rank d: Int, target: UnsafePointer<Double>,
        residual: UnsafeMutablePointer<Double>, product g: UnsafeMutablePointer<Double>, threads: Int = 1
    ) -> Double {
        let (a, b, target, residual, g) = (SendablePointer(a), SendablePointer(b), SendablePointer(target), SendablePointer(residual), SendablePointer(g))
        let entries = self
        return byRows(threads: threads) { i in
            var sum = 0.0
            let ai = UnsafeBufferPointer(start: a.base + i * d, count: d)
            let gi = UnsafeMutableBufferPointer(start: g.base + i * d, count: d)
            gi.update(repeating: 0)
            for position in entries.rowStart[i]..<entries.rowStart[i + 1] {
                let k = entries.byRow[position]
                let bj = UnsafeBufferPointer(start: b.base + entries.column[k] * d, count: d)
                let r = Vector.dot(ai, bj) - target.base[k]
                residual.base[k] = r
                sum += r * r
                Vector.axpy(r, bj, gi)
            }
            return sum
        }
    }

    /// `g = Sᵀ A` (g n₂ × d by rows, overwritten), S holding `weights_k` at `(i_k, j_k)`.
    public func transposedProduct(
        _ weights: UnsafePointer<Double>, _ a: UnsafePointer<Double>, rank d: Int,
        into g: UnsafeMutablePointer<Double>, threads: Int = 1
    ) {
        let (weights, a, g) = (SendablePointer(weights), SendablePointer(a), SendablePointer(g))
        let entries = self
        _ = ConcurrentWork.map(ConcurrentWork.shares(columns, threads)) { range in
            for j in range {
                let gj = UnsafeMutableBufferPointer(start: g.base + j * d, count: d)
                gj.update(repeating: 0)
                for position in entries.columnStart[j]..<entries.columnStart[j + 1] {
                    let k = entries.byColumn[position]
                    Vector.axpy(weights.base[k], UnsafeBufferPointer(start: a.base + entries.row[k] * d, count: d), gj)
                }
            }
        }
    }

    /// `out_k = ⟨a_{i_k}, b_{j_k}⟩`: the observed entries of `ABᵀ`.
    public func sampledProducts(
        _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, rank d: Int,
        into out: UnsafeMutablePointer<Double>, threads: Int = 1
    ) {
        let (a, b, out) = (SendablePointer(a), SendablePointer(b), SendablePointer(out))
        let entries = self
        byRows(threads: threads) { i in
            let ai = UnsafeBufferPointer(start: a.base + i * d, count: d)
            for position in entries.rowStart[i]..<entries.rowStart[i + 1] {
                let k = entries.byRow[position]
                out.base[k] = Vector.dot(ai, UnsafeBufferPointer(start: b.base + entries.column[k] * d, count: d))
            }
            return 0
        }
    }

    /// Along a direction (D_A, D_B) from (A, B): `first_k = ⟨(D_A)_{i_k}, b_{j_k}⟩ + ⟨a_{i_k}, (D_B)_{j_k}⟩`
    /// and `second_k = ⟨(D_A)_{i_k}, (D_B)_{j_k}⟩`, the observed entries of `D_A Bᵀ + A D_Bᵀ` and
    /// `D_A D_Bᵀ`, in one pass (each row of B and D_B is read once per entry, not twice).
    public func sampledProducts(
        along da: UnsafePointer<Double>, _ db: UnsafePointer<Double>, from a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
        rank d: Int, first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>, threads: Int = 1
    ) {
        let (da, db, a, b) = (SendablePointer(da), SendablePointer(db), SendablePointer(a), SendablePointer(b))
        let (first, second) = (SendablePointer(first), SendablePointer(second))
        let entries = self
        byRows(threads: threads) { i in
            let ai = UnsafeBufferPointer(start: a.base + i * d, count: d)
            let dai = UnsafeBufferPointer(start: da.base + i * d, count: d)
            for position in entries.rowStart[i]..<entries.rowStart[i + 1] {
                let k = entries.byRow[position]
                let j = entries.column[k]
                let bj = UnsafeBufferPointer(start: b.base + j * d, count: d)
                let dbj = UnsafeBufferPointer(start: db.base + j * d, count: d)
                first.base[k] = Vector.dot(dai, bj) + Vector.dot(ai, dbj)
                second.base[k] = Vector.dot(dai, dbj)
            }
            return 0
        }
    }

    /// `Σ_i body(i)` over the rows, split into `threads` contiguous shares.
    @discardableResult
    private func byRows(threads: Int, _ body: @escaping @Sendable (Int) -> Double) -> Double {
        ConcurrentWork.map(ConcurrentWork.shares(rows, threads)) { range in range.reduce(0) { $0 + body($1) } }.reduce(0, +)
    }
}
