import LinearAlgebra

/// When an iterative method stops (SPEC, "stopping"): as soon as the relative training error
/// `‖A(X) − y‖ / ‖y‖` is at most `tolerance`, or after `maxIterations` updates, or when the loss
/// leaves every sane bound (divergence: not finite, or `divergenceFactor` times the starting loss).
public struct StoppingRule: Sendable, Equatable {
    public var tolerance: Double
    public var maxIterations: Int
    public var divergenceFactor: Double

    public init(tolerance: Double = 1e-6, maxIterations: Int = 200_000, divergenceFactor: Double = 1e12) {
        self.tolerance = tolerance
        self.maxIterations = maxIterations
        self.divergenceFactor = divergenceFactor
    }

    /// The SPEC's rule: relative training error 1e-6, at most 200,000 iterations.
    public static let standard = StoppingRule()

    /// How a run with residual norm `‖A(X) − y‖` after `iterations` updates has ended, or nil
    /// while it goes on. `initialLoss` is the loss at its start.
    public func verdict(residualNorm: Double, observationNorm: Double, initialLoss: Double, iterations: Int) -> RunStatus? {
        let loss = 0.5 * residualNorm * residualNorm
        if !loss.isFinite || loss > divergenceFactor * max(initialLoss, Double.leastNormalMagnitude) { return .diverged }
        if residualNorm <= tolerance * observationNorm { return .converged }
        if iterations >= maxIterations { return .iterationCap }
        return nil
    }
}

/// How a run ended.
public enum RunStatus: String, Sendable, Codable {
    /// The relative training error reached the tolerance.
    case converged
    /// The iteration cap was hit first.
    case iterationCap = "iteration-cap"
    /// The loss blew up (a step too large): the iterate is not a solution.
    case diverged
}

/// Where a descent method stopped.
public struct DescentResult: Sendable {
    /// The final X (`UUᵀ` for a factorised method).
    public var x: Matrix
    /// The final factor U, for a factorised method.
    public var factor: Matrix?
    /// Updates taken.
    public var iterations: Int
    /// `‖A(X) − y‖ / ‖y‖` at the final X.
    public var relativeResidual: Double
    /// `½‖A(X) − y‖²` at the final X.
    public var loss: Double
    public var status: RunStatus

    public var converged: Bool { status == .converged }

    /// `‖X‖_*` (for X = UUᵀ ⪰ 0 this is the trace, computed here from the eigenvalues).
    public func nuclearNorm() throws -> Double { try x.nuclearNorm() }
}
