import LinearAlgebra

/// The products of rectangular completion on factors `X = ABᵀ`, kept sparse: O(m·d) each, never the
/// dense n₁ × n₂ matrix. The factors are stored by rows (row i of A is `a[i·d ..< (i+1)·d]`, the
/// transpose of the column-major `Matrix`), so each row is contiguous for BLAS `ddot`/`daxpy`.
/// With `threads` > 1 the work is split by rows (or by columns for `Sᵀ A`) over that many threads;
/// each thread writes disjoint rows, so the results do not depend on the split.
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
            for k in entries.rowStart[i]..<entries.rowStart[i + 1] {
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
        _ = ConcurrentWork.map(Self.shares(columns, threads)) { range in
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
            for k in entries.rowStart[i]..<entries.rowStart[i + 1] {
                out.base[k] = Vector.dot(ai, UnsafeBufferPointer(start: b.base + entries.column[k] * d, count: d))
            }
            return 0
        }
    }

    /// `Σ_i body(i)` over the rows, split into `threads` contiguous shares.
    @discardableResult
    private func byRows(threads: Int, _ body: @escaping @Sendable (Int) -> Double) -> Double {
        ConcurrentWork.map(Self.shares(rows, threads)) { range in range.reduce(0) { $0 + body($1) } }.reduce(0, +)
    }

    /// `count` indices cut into `parts` contiguous ranges.
    static func shares(_ count: Int, _ parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        return (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
    }
}

/// A pointer the worker threads read, or write in disjoint parts.
struct SendablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { base = pointer }
    init(_ pointer: UnsafePointer<Double>) { base = UnsafeMutablePointer(mutating: pointer) }
}

/// A buffer the worker threads read and write in disjoint parts.
final class SharedBuffer: @unchecked Sendable {
    convenience init(count: Int) { self.init([Double](repeating: 0, count: count)) }
    let pointer: UnsafeMutablePointer<Double>
    let count: Int
    init(_ values: [Double]) {
        count = values.count
        pointer = .allocate(capacity: count)
        pointer.initialize(from: values, count: count)
    }
    var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// The whole buffer, to write.
    var mutable: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    /// The whole buffer, to read.
    var readable: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: pointer, count: count) }
    func free() { pointer.deallocate() }
}
