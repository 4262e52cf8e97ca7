import LinearAlgebra

/// X_gd, the reference of Figures 1–3: projected gradient descent on X for equation (1),
///
/// `X_{t+1} = P_psd(X_t − η A*(A(X_t) − y))`, `X_0 = 0`, `η = 1/‖A‖²_op`,
///
/// where `P_psd` is the Frobenius projection onto the PSD cone (eigendecomposition, negative
/// eigenvalues set to zero). A rank-unconstrained global minimiser that nothing biases toward
/// low nuclear norm. Stops by the same `StoppingRule` as gradient descent on U.
public struct ProjectedGradientDescent: Sendable {
    public let problem: MeasurementProblem
    public var stopping: StoppingRule

    public init(problem: MeasurementProblem, stopping: StoppingRule = .standard) {
        self.problem = problem
        self.stopping = stopping
    }

    /// Runs from X = 0 with step `step` (default `1/‖A‖²_op`; 0 for the zero operator, whose
    /// gradient `A*(r)` vanishes so that every step leaves X where it is).
    public func run(step: Double? = nil) throws -> DescentResult {
        let n = problem.dimension
        let eta = try step ?? inverseSquaredNorm()
        let y = problem.observations
        let observationNorm = Vector.norm(y)
        var x = Matrix(rows: n, columns: n)
        var tracker = StoppingRule.Tracker(rule: stopping, observationNorm: observationNorm)
        while true {
            var r = problem.measurements.apply(x)
            Vector.axpy(-1, y, &r)
            guard tracker.observe(residualNorm: Vector.norm(r)) else { break }
            var moved = x
            moved.add(-eta, problem.measurements.adjoint(r))
            x = try moved.projectedOntoPSDCone()
            tracker.countUpdate()
        }
        return tracker.result(x: x, factor: nil)
    }

    /// `1/‖A‖²_op`, or 0 for the zero operator.
    private func inverseSquaredNorm() throws -> Double {
        let norm = try problem.measurements.operatorNorm()
        return norm > 0 ? 1 / (norm * norm) : 0
    }
}
