import Foundation
import LinearAlgebra

/// Gradient descent on the factors of a rectangular `X = UVᵀ` (U n₁ × d, V n₂ × d) for
/// completion, the asymmetric form of the paper's equation (2) used for MovieLens (Figure 3 iv):
///
///     f(U, V) = ‖P_Ω(UVᵀ) − y‖² / (2c),   ∇_U f = S V / c,   ∇_V f = Sᵀ U / c,
///     (U, V) ← (U − η ∇_U f, V − η ∇_V f),
///
/// where S is the sparse residual matrix (`r_k = ⟨u_{i_k}, v_{j_k}⟩ − y_k` at `(i_k, j_k)`) and c
/// is the loss scale. The residual and both products cost O(m·d) (``ObservedEntries``), spread
/// over `workers` threads by rows (for the residual and `S V`) and by columns (for `Sᵀ U`). The
/// factors are kept transposed, so each row of U and of V is contiguous for BLAS `ddot`/`daxpy`.
///
/// **Loss scale.** With raw 1–5 ratings, the unscaled loss (c = 1) makes η = 1e-2 unstable (its
/// curvature grows like the top singular value of X, hundreds here). ``defaultLossScale(for:)``
/// divides by `σ₁(P_Ω(Y))/50`, which keeps ηL well below 2 for η = 1e-2 on MovieLens and fits
/// in a few thousand iterations; the scale is reported with every run.
public struct AsymmetricGradientDescent: Sendable {
    public struct Result: Sendable, SolverResult {
        public var u: Matrix
        public var v: Matrix
        public var iterations: Int
        /// `‖P_Ω(UVᵀ) − y‖ / ‖y‖`.
        public var relativeResidual: Double
        public var status: SolverStatus
        public var message: String
        /// `UVᵀ`, dense.
        public var x: Matrix { Matrix.product(u, .none, v, .transpose) }
    }

    public let entries: ObservedEntries
    public var step: Double
    public var lossScale: Double
    public var stopping: StoppingRule
    public var workers = 2

    public init(entries: ObservedEntries, step: Double, lossScale: Double, stopping: StoppingRule) {
        self.entries = entries
        self.step = step
        self.lossScale = lossScale
        self.stopping = stopping
    }

    /// `σ₁(P_Ω(Y)) / 50`: see the type's documentation.
    public static func defaultLossScale(for entries: ObservedEntries) throws -> Double {
        try entries.zeroFilled(entries.values).spectralNorm() / 50
    }

    /// `U0 = α G/‖(G_U, G_V)‖_F`, `V0` likewise, so `‖(U0, V0)‖_F = α` (G with N(0, 1) entries from
    /// `RandomSource(seed, stream: 3)`, U's rows first).
    public static func initialFactors(rows: Int, columns: Int, rank d: Int, norm alpha: Double, seed: UInt64) -> (Matrix, Matrix) {
        var random = RandomSource(seed: seed, stream: 3)
        var u = Matrix(rows: rows, columns: d, rowMajor: random.normals(rows * d))
        var v = Matrix(rows: columns, columns: d, rowMajor: random.normals(columns * d))
        let scale = alpha / (u.frobeniusNorm * u.frobeniusNorm + v.frobeniusNorm * v.frobeniusNorm).squareRoot()
        u.scale(by: scale)
        v.scale(by: scale)
        return (u, v)
    }

    /// Runs from (U0, V0); `progress(iteration, relativeResidual)` every 100 iterations.
    public func run(u0: Matrix, v0: Matrix, progress: ((Int, Double) -> Void)? = nil) -> Result {
        precondition(u0.rows == entries.rows && v0.rows == entries.columns && u0.columns == v0.columns, "U0 is n₁ × d, V0 n₂ × d")
        let d = u0.columns
        let m = entries.count
        let ut = SharedBuffer(u0.transposed.elements)
        let vt = SharedBuffer(v0.transposed.elements)
        let gu = SharedBuffer([Double](repeating: 0, count: entries.rows * d))
        let gv = SharedBuffer([Double](repeating: 0, count: entries.columns * d))
        let residual = SharedBuffer([Double](repeating: 0, count: m))
        // The buffers free themselves; they are used through their pointers, so keep them to the end.
        defer { withExtendedLifetime((ut, vt, gu, gv, residual)) {} }
        let observationNorm = entries.observationNorm
        let entries = self.entries
        // Threads pay off from about a million multiply-adds per product.
        let threads = entries.count * d >= 1_000_000 ? workers : 1
        var tracker = StoppingRule.Tracker(rule: stopping, observationNorm: observationNorm)
        while true {
            // r = P_Ω(UVᵀ) − y, and S V, by rows.
            let residualNorm = entries.values.withUnsafeBufferPointer { y in
                entries.residualAndProduct(
                    ut.pointer, vt.pointer, rank: d, target: y.baseAddress!, residual: residual.pointer, product: gu.pointer, threads: threads)
            }.squareRoot()
            guard tracker.observe(residualNorm: residualNorm) else { break }
            if let progress, tracker.iterations % 100 == 0 { progress(tracker.iterations, tracker.relativeResidual) }
            // Sᵀ U, by columns (with the U of this iteration).
            entries.transposedProduct(residual.pointer, ut.pointer, rank: d, into: gv.pointer, threads: threads)
            let rate = -step / lossScale
            Vector.axpy(rate, UnsafeBufferPointer(start: gu.pointer, count: gu.count), UnsafeMutableBufferPointer(start: ut.pointer, count: ut.count))
            Vector.axpy(rate, UnsafeBufferPointer(start: gv.pointer, count: gv.count), UnsafeMutableBufferPointer(start: vt.pointer, count: vt.count))
            tracker.countUpdate()
        }
        let u = Matrix(rows: d, columns: entries.rows, columnMajor: ut.array).transposed
        let v = Matrix(rows: d, columns: entries.columns, columnMajor: vt.array).transposed
        return Result(
            u: u, v: v, iterations: tracker.iterations, relativeResidual: tracker.relativeResidual, status: tracker.status ?? .iterationLimit,
            message: tracker.message)
    }
}
