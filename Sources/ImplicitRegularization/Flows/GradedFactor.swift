import Foundation
import LinearAlgebra

/// A factor U (n × d) held in a graded basis: `U = W diag(e^{l})`, unit columns `w_j` and
/// log-norms `l_j`, so that `X = UUᵀ = Σ_j e^{2l_j} w_j w_jᵀ`. Each column keeps its direction to
/// relative round-off whatever its size: a column of norm e^{−230} (1e-100) beside one of norm 1 is
/// as precise as the large one, where in a dense U the two would share columns and the small
/// direction would sit below the large one's round-off. A term whose `e^{2l}` underflows is
/// negligible in X to working precision (below 1e-308 of the largest), so nothing is lost by
/// forming X or U densely for what only reads X (residuals, nuclear norms, stationarity).
///
/// **Re-grading** (``regrade(tolerance:maxSweeps:)``): X = UUᵀ is invariant under U → UQ, Q orthogonal.
/// One-sided Jacobi rotations of column pairs (Hestenes) make the columns mutually orthogonal,
/// so that the graded U is X's eigendecomposition, each direction in its own column at its own scale. For
/// columns `a = e^{l_i}w_i`, `b = e^{l_j}w_j` with `l_i ≥ l_j`, `ρ = e^{l_j−l_i} ≤ 1`, `c = w_i·w_j`:
///
///     ζ = (ρ − 1/ρ)/(2c),   t = sign(ζ)/(|ζ| + √(1 + ζ²)),   cos φ = 1/√(1 + t²),
///     a' = cos φ · e^{l_i} (w_i − tρ w_j),   b' = cos φ · e^{l_j} (w_j + (t/ρ) w_i),
///     t/ρ = sign(ζ)/(|ρζ| + √(ρ² + (ρζ)²)),   ρζ = (ρ² − 1)/(2c),
///
/// the rotation that makes `a'·b' = 0`, written so that nothing over- or underflows: ρ may underflow to
/// 0 (then t = 0 and t/ρ = −c, which removes w_i's share from the small column exactly). The new
/// columns are renormalised into (w, l). Sweeps over all pairs run until `max |w_i·w_j| ≤ tolerance`
/// (default 1e-14), at most `maxSweeps` (default 30) sweeps; then the columns are ordered by
/// decreasing l (a permutation, also orthogonal).
public struct GradedFactor: Sendable, Equatable {
    /// W, n × d, with unit columns.
    public var directions: Matrix
    /// l, one per column: column j of U is `e^{l_j} w_j`.
    public var logNorms: [Double]

    /// The factor `diag`-scaled as given: columns of `directions` are normalised, their norms moved into `logNorms`.
    public init(directions: Matrix, logNorms: [Double]) {
        precondition(directions.columns == logNorms.count, "GradedFactor: one log-norm per column")
        self.directions = directions
        self.logNorms = logNorms
        normalizeColumns()
    }

    /// `U = e^{logScale} · factor` (so a start `ᾱ G/‖G‖_F` with ᾱ below Float64's range is `logScale = log ᾱ`),
    /// re-graded.
    public init(factor: Matrix, logScale: Double = 0) {
        self.init(directions: factor, logNorms: [Double](repeating: logScale, count: factor.columns))
        regrade()
    }

    public var dimension: Int { directions.rows }
    public var rank: Int { directions.columns }

    /// The dense U (columns `e^{l_j} w_j`; those below Float64's range are 0).
    public var factor: Matrix {
        var u = directions
        let n = directions.rows
        for j in 0..<rank {
            let scale = exp(logNorms[j])
            for i in 0..<n { u[i, j] *= scale }
        }
        return u
    }

    /// X = UUᵀ.
    public var gram: Matrix { Matrix.gram(factor) }

    /// `max_{i<j} |w_i·w_j|`: 0 for orthogonal columns.
    public var largestCosine: Double {
        var largest = 0.0
        for i in 0..<rank {
            for j in (i + 1)..<max(rank, i + 1) { largest = max(largest, abs(cosine(i, j))) }
        }
        return largest
    }

    func cosine(_ i: Int, _ j: Int) -> Double {
        let n = directions.rows
        return directions.elements.withUnsafeBufferPointer { w in
            Vector.dot(UnsafeBufferPointer(rebasing: w[(i * n)..<(i * n + n)]), UnsafeBufferPointer(rebasing: w[(j * n)..<(j * n + n)]))
        }
    }

    /// Moves each column's norm into its log-norm (a column of zeros gets l = −∞ and is left as it is).
    mutating func normalizeColumns() {
        let n = directions.rows
        for j in 0..<rank {
            let norm = directions.elements.withUnsafeBufferPointer { Vector.norm(UnsafeBufferPointer(rebasing: $0[(j * n)..<(j * n + n)])) }
            guard norm > 0, norm.isFinite else {
                if norm == 0 { logNorms[j] = -.infinity }
                continue
            }
            for i in 0..<n { directions[i, j] /= norm }
            logNorms[j] += log(norm)
        }
    }

    /// Rotates columns i and j (``GradedFactor``'s formulas) so that they are orthogonal; X is unchanged.
    mutating func rotate(_ i: Int, _ j: Int) {
        let c = cosine(i, j)
        guard c != 0, logNorms[i].isFinite, logNorms[j].isFinite else { return }
        let (p, q) = logNorms[i] >= logNorms[j] ? (i, j) : (j, i)
        let rho = exp(logNorms[q] - logNorms[p])
        let rhoZeta = (rho * rho - 1) / (2 * c)
        let zeta = rhoZeta / rho  // ±∞ when ρ underflows: then t = 0
        let sign: Double = zeta >= 0 ? 1 : -1
        let t = sign / (abs(zeta) + Foundation.hypot(1, zeta))
        let tOverRho = sign / (abs(rhoZeta) + Foundation.hypot(rho, rhoZeta))
        let cosPhi = 1 / (1 + t * t).squareRoot()
        let tRho = t * rho
        let n = directions.rows
        for k in 0..<n {
            let (wp, wq) = (directions[k, p], directions[k, q])
            directions[k, p] = wp - tRho * wq
            directions[k, q] = wq + tOverRho * wp
        }
        logNorms[p] += log(cosPhi)
        logNorms[q] += log(cosPhi)
        normalizeColumns()
    }

    /// Makes the columns orthogonal to `tolerance` by Jacobi rotations (see the type's comment) and
    /// orders them by decreasing l. Returns the number of rotations (0 when they were orthogonal already).
    @discardableResult
    public mutating func regrade(tolerance: Double = 1e-14, maxSweeps: Int = 30) -> Int {
        normalizeColumns()
        var rotations = 0
        for _ in 0..<maxSweeps {
            var rotated = false
            for i in 0..<rank {
                for j in (i + 1)..<max(rank, i + 1) where abs(cosine(i, j)) > tolerance {
                    rotate(i, j)
                    rotations += 1
                    rotated = true
                }
            }
            if !rotated { break }
        }
        let order = logNorms.indices.sorted { logNorms[$0] > logNorms[$1] }
        if order != Array(logNorms.indices) {
            let w = directions
            for (new, old) in order.enumerated() {
                for k in 0..<directions.rows { directions[k, new] = w[k, old] }
            }
            logNorms = order.map { logNorms[$0] }
        }
        return rotations
    }
}
