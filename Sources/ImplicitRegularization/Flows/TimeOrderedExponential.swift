import LinearAlgebra

/// The time-ordered exponential of Section 5 of the paper: the flow's solution written as
/// `U(t) = T exp(−2∫A*(r(τ))dτ) U0`, discretised with a piecewise-constant residual:
///
///     U ← exp(−η A*(r)) U,   r = A(UUᵀ) − y,   i.e.   X ← e^{−ηA*(r)} X e^{−ηA*(r)},
///
/// with η = 0.1 by default. Each factor is the exponential of a symmetric matrix (from its
/// eigendecomposition, `dsyevd`), so X stays on the PSD manifold exactly, unlike a gradient
/// step. Stops by the ``StoppingRule`` (relative residual ≤ 1e-6 or the iteration cap).
public struct TimeOrderedExponential: Sendable {
    public let problem: MeasurementProblem
    public var step: Double
    public var stopping: StoppingRule

    public init(problem: MeasurementProblem, step: Double = 0.1, stopping: StoppingRule = .standard) {
        self.problem = problem
        self.step = step
        self.stopping = stopping
    }

    /// Iterates from `initial` (n × d); `observe(iteration, X)` sees every iterate (for tests and plots).
    public func run(from initial: Matrix, observe: ((Int, Matrix) -> Void)? = nil) throws -> DescentResult {
        let measurements = problem.measurements
        let y = problem.observations
        let observationNorm = Vector.norm(y)
        var u = initial
        var tracker = StoppingRule.Tracker(rule: stopping, observationNorm: observationNorm)
        while true {
            let x = Matrix.gram(u)
            observe?(tracker.iterations, x)
            let residual = Vector.difference(measurements.apply(x), y)
            guard tracker.observe(residualNorm: Vector.norm(residual)) else { return tracker.result(x: x, factor: u) }
            let propagator = try measurements.adjoint(residual).symmetricExponential(scale: -step)
            u = propagator * u
            tracker.countUpdate()
        }
    }
}
