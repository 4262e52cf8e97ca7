import Foundation
import LinearAlgebra

/// The minimum nuclear norm completion of a rectangular matrix, the reference of Figure 3 (iv):
///
///     min ‖X‖_*  s.t.  X_ij = y_ij on Ω,
///
/// by ADMM on the splitting X = Z, Z ∈ {P_Ω(Z) = y} (scaled dual W, supported on Ω):
///
///     X ← SVT_{1/ρ}(Z − W)        (singular value soft-thresholding, one thin SVD, LAPACK dgesdd)
///     Z ← P_Ωᶜ(X) + y             (the closest feasible point)
///     W ← W + P_Ω(X) − y,
///
/// with ρ adapted by residual balancing. Every `certifyEvery` iterations the answer is bracketed:
/// - **upper bound**: `‖Z‖_*`, the nuclear norm of an exactly feasible point;
/// - **lower bound**: with `G = −ρW` (supported on Ω; at a fixed point G ∈ ∂‖X‖_*), the dual point
///   `λ = G_Ω / max(1, ‖G‖_op)` is feasible for `max ⟨y, λ⟩ s.t. ‖P_Ω*(λ)‖_op ≤ 1`, so by weak
///   duality `⟨y, G_Ω⟩ / max(1, ‖G‖_op)` bounds every feasible nuclear norm from below;
/// and it stops when `(upper − lower)/upper ≤ gapTolerance`.
public struct MinimumNuclearNormCompletion: Sendable {
    public struct Options: Sendable {
        public var gapTolerance = 1e-4
        public var maxIterations = 2000
        public var certifyEvery = 10
        public init() {}
    }

    public struct Solution: Sendable {
        /// The feasible point whose nuclear norm is the upper bound.
        public var x: Matrix
        public var nuclearNorm: Double
        public var lowerBound: Double
        public var relativeGap: Double
        public var iterations: Int
        public var converged: Bool
    }

    public let entries: ObservedEntries
    public var options: Options

    public init(entries: ObservedEntries, options: Options = Options()) {
        self.entries = entries
        self.options = options
    }

    /// `progress(iteration, upper, lower, rank)` after each certification.
    public func solve(progress: ((Int, Double, Double, Int) -> Void)? = nil) throws -> Solution {
        let m = entries.count
        let y = entries.values
        var rho = 10 / (try entries.zeroFilled(y).spectralNorm())
        var w = [Double](repeating: 0, count: m)
        var x = Matrix(rows: entries.rows, columns: entries.columns)
        var best: Solution?
        var upper = Double.infinity, lower = -Double.infinity
        for iteration in 1...options.maxIterations {
            // X ← SVT(Z − W): Z − W is X off Ω and y − W on Ω.
            var a = x
            entries.place(zip(y, w).map { $0 - $1 }, into: &a)
            let (u, sigma, vt) = try a.thinSingularValueDecomposition()
            let threshold = 1 / rho
            let rank = sigma.prefix { $0 > threshold }.count
            let previous = x
            if rank == 0 {
                x = Matrix(rows: entries.rows, columns: entries.columns)
            } else {
                let left = Matrix(rows: entries.rows, columns: rank) { i, j in u[i, j] * (sigma[j] - threshold) }  // U_r diag(σ − τ)
                let right = Matrix(rows: rank, columns: entries.columns) { i, j in vt[i, j] }
                x = Matrix.product(left, .none, right, .none)
            }
            // W ← W + P_Ω(X) − y; the residuals for balancing ρ.
            var primal = 0.0, changeOnOmega = 0.0
            for k in 0..<m {
                let (i, j) = (entries.row[k], entries.column[k])
                let difference = x[i, j] - y[k]
                w[k] += difference
                primal += difference * difference
                let change = x[i, j] - previous[i, j]
                changeOnOmega += change * change
            }
            let change = x - previous
            let dual = rho * max(change.frobeniusNorm * change.frobeniusNorm - changeOnOmega, 0).squareRoot()
            primal = primal.squareRoot()

            if iteration % options.certifyEvery == 0 || iteration == options.maxIterations {
                var feasible = x
                entries.place(y, into: &feasible)
                let candidateUpper = try feasible.nuclearNorm()
                // G = −ρW on Ω: ⟨y, G_Ω⟩ / max(1, ‖G‖_op).
                let g = w.map { -rho * $0 }
                let candidateLower = Vector.dot(g, y) / max(1, try entries.zeroFilled(g).spectralNorm())
                if candidateUpper < upper {
                    upper = candidateUpper
                    best = Solution(x: feasible, nuclearNorm: upper, lowerBound: lower, relativeGap: .nan, iterations: iteration, converged: false)
                }
                lower = max(lower, candidateLower)
                best?.lowerBound = lower
                best?.relativeGap = (upper - lower) / upper
                best?.iterations = iteration
                progress?(iteration, upper, lower, rank)
                if (upper - lower) / upper <= options.gapTolerance {
                    best?.converged = true
                    return best!
                }
            }
            // Residual balancing (Boyd et al., §3.4.1); W is scaled by 1/ρ.
            if primal > 10 * dual {
                rho *= 2
                for k in 0..<m { w[k] /= 2 }
            } else if dual > 10 * primal {
                rho /= 2
                for k in 0..<m { w[k] *= 2 }
            }
        }
        return best!
    }
}
