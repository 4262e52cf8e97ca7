import LinearAlgebra

/// When an iterative method stops (SPEC, "stopping"): as soon as the relative training error
/// `‖A(X) − y‖ / ‖y‖` is at most `tolerance`, or after `maxIterations` updates, or when the loss
/// leaves every sane bound (divergence: not finite, or `divergenceFactor` times the starting loss).
/// A run keeps its account under the rule in a ``Tracker``.
public struct StoppingRule: Sendable, Equatable, Codable {
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
    public func verdict(residualNorm: Double, observationNorm: Double, initialLoss: Double, iterations: Int) -> SolverStatus? {
        let loss = 0.5 * residualNorm * residualNorm
        if !loss.isFinite || loss > divergenceFactor * max(initialLoss, Double.leastNormalMagnitude) { return .diverged }
        if residualNorm <= tolerance * observationNorm { return .solved }
        if iterations >= maxIterations { return .iterationLimit }
        return nil
    }

    /// The sentence that goes with a ``verdict``: the target, and where the run stood.
    public func message(_ status: SolverStatus, relativeResidual: Double, iterations: Int) -> String {
        let error = relativeResidual.formatted(significantDigits: 3)
        return switch status {
        case .solved: "relative training error \(error) ≤ \(tolerance) after \(iterations) iterations"
        case .iterationLimit:
            "stopped at the cap of \(maxIterations) iterations with relative training error \(error) (target \(tolerance))"
        case .diverged: "the loss diverged after \(iterations) iterations (the step is too large)"
        default: "\(status.rawValue) after \(iterations) iterations, relative training error \(error)"
        }
    }
}

/// Where a descent method stopped.
public struct DescentResult: Sendable, SolverResult {
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
    public var status: SolverStatus
    /// How the run ended, in words (``StoppingRule/message(_:relativeResidual:iterations:)``).
    public var message: String
    /// Σ η_k, the steps taken: the time t of the gradient flow that a factorised method's iterates
    /// approximate (η·iterations for a fixed step; nil for a method that is not a descent on U).
    public var elapsedTime: Double? = nil

    /// `‖X‖_*` (for X = UUᵀ ⪰ 0 this is the trace, computed here from the eigenvalues).
    public func nuclearNorm() throws -> Double { try x.nuclearNorm() }
}
