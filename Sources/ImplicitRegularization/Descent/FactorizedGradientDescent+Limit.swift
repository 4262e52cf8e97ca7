import Foundation
import LinearAlgebra

extension FactorizedGradientDescent {
    /// Where gradient descent with a fixed step ended when run to its own limit (``runToLimit(from:step:startIteration:tolerance:maxIterations:)``).
    public struct DescentLimit: Sendable {
        public var factor: Matrix
        public var x: Matrix
        /// Iterations counted from U0 (`startIteration` included).
        public var iterations: Int
        /// The bound on `‖X(∞) − X‖_F/‖X‖_F` from the last two windows (∞ until it could be formed).
        public var remainingBound: Double
        /// The displacement ratio of the last two windows (the fitted `ρ^(−p)`).
        public var ratio: Double
        public var relativeResidual: Double
        /// `.solved` when the bound met the tolerance, `.iterationLimit` at the cap, `.diverged`.
        public var status: SolverStatus
    }

    /// Gradient descent with the fixed step η from `u` (reached after `startIteration` iterations
    /// from U0) until its iterates stop moving: the reference the gradient flow's limit of
    /// ``FactorizationSweep/limits(of:references:options:progress:)`` is checked against.
    ///
    /// The iterations are cut into windows `[k_j, k_{j+1}]`, `k_{j+1} = ⌈1.25 k_j⌉` (the first from
    /// `startIteration`, or 1,000), and X's displacement over each, `D_j = ‖X(k_{j+1}) − X(k_j)‖_F/‖X‖_F`,
    /// is measured. Where X approaches its limit like a power of k, `k^(−p)`, the ratio of consecutive
    /// displacements is the constant `q = 1.25^(−p)`, and what is left after the last window is
    /// `Σ_{i>j} D_i = D_j q/(1 − q)`; an exponential approach (a strict minimum) has a falling q,
    /// for which the same sum over-estimates what is left. It stops, `.solved`, when `q < 0.99` and that
    /// bound is at most `tolerance` (as the decade certificate of ``GradientFlow``, a model, not a
    /// proof), else at `maxIterations` (`.iterationLimit`) or on divergence.
    public func runToLimit(from u: Matrix, step: Double, startIteration: Int = 0, tolerance: Double = 1e-6, maxIterations: Int) -> DescentLimit {
        var factor = u
        var iterations = startIteration
        var previous: Double?
        var bound = Double.infinity
        var ratio = Double.nan
        var x = Matrix.gram(factor)
        var residual = Double.nan
        while true {
            let end = min(maxIterations, max(iterations + 1, iterations < 1_000 ? 1_000 : Int((1.25 * Double(iterations)).rounded(.up))))
            let window = FactorizedGradientDescent(
                problem: problem, stopping: StoppingRule(tolerance: .leastNonzeroMagnitude, maxIterations: end - iterations,
                                                         divergenceFactor: stopping.divergenceFactor))
                .run(from: factor, policy: .fixed(step))
            residual = window.relativeResidual
            if window.status == .diverged || !(window.factor?.isFinite ?? false) {
                return DescentLimit(factor: window.factor ?? factor, x: window.x, iterations: iterations + window.iterations,
                                    remainingBound: .infinity, ratio: ratio, relativeResidual: residual, status: .diverged)
            }
            factor = window.factor!
            iterations += window.iterations
            let next = window.x
            let moved = (next - x).frobeniusNorm / max(next.frobeniusNorm, .leastNormalMagnitude)
            x = next
            if let previous, previous > 0 {
                ratio = moved / previous
                bound = ratio < 0.99 ? moved * ratio / (1 - ratio) : .infinity
            } else if moved == 0 {
                bound = 0
            }
            previous = moved
            if bound <= tolerance {
                return DescentLimit(factor: factor, x: x, iterations: iterations, remainingBound: bound, ratio: ratio, relativeResidual: residual, status: .solved)
            }
            if iterations >= maxIterations {
                return DescentLimit(factor: factor, x: x, iterations: iterations, remainingBound: bound, ratio: ratio, relativeResidual: residual, status: .iterationLimit)
            }
        }
    }
}
