import LinearAlgebra

/// The commutative case of Section 4 (Theorem 1, Corollary 2): when the measurements are
/// diagonal, `A_i = diag(a_i)`, and `U0 = α I`, the flow keeps U diagonal, and with
/// `x = diag(X) = u ⊙ u` it becomes the vector flow
///
///     du/dt = −2 (Aᵀ r) ⊙ u,   r = A(u ⊙ u) − b,   u(0) = α 1,
///
/// (A the m × n matrix with rows `a_i`). Its limit as α → 0 is the solution of
/// `min ‖x‖₁ s.t. Ax = b, x ≥ 0` — the minimum nuclear norm solution restricted to diagonal X.
/// Integrated by ``DormandPrince`` (rtol 1e-10, atol scaled to α) until `‖r‖/‖b‖ ≤ tolerance`
/// (`.solved`), or the time limit (`.timeLimit`); the statuses are the gradient flow's.
public struct CommutativeFlow: Sendable {
    /// A: row i holds the diagonal of `A_i`.
    public let design: Matrix
    public let observations: [Double]
    public var residualTolerance = 1e-9
    public var maxTime = 1e9

    public init(design: Matrix, observations: [Double]) {
        precondition(design.rows == observations.count, "one observation per row of A")
        self.design = design
        self.observations = observations
    }

    /// The same problem as symmetric measurements `A_i = diag(a_i)`, for the SDP and the matrix flow.
    public var matrixProblem: MeasurementProblem {
        let n = design.columns
        let matrices = (0..<design.rows).map { i in Matrix.diagonal((0..<n).map { design[i, $0] }) }
        return MeasurementProblem(kind: .sensing, measurements: SymmetricMeasurements(dimension: n, matrices: matrices),
                                  observations: observations)
    }

    public struct Result: Sendable, SolverResult {
        /// `x = u ⊙ u` at the end.
        public var x: [Double]
        public var time: Double
        public var steps: Int
        public var relativeResidual: Double
        public var status: SolverStatus
        public var message: String
        public var l1Norm: Double { x.reduce(0, +) }
    }

    public func run(initialScale alpha: Double) -> Result {
        let n = design.columns
        let b = observations
        let bNorm = max(Vector.norm(b), .leastNonzeroMagnitude)
        var residual = b
        var squares = [Double](repeating: 0, count: n)
        var weights = [Double](repeating: 0, count: n)
        // The workspaces go inout to this function and are captured only by non-escaping closures:
        // exclusive access is proved at compile time, with no dynamic check per access.
        func residualOf(_ u: [Double], _ squares: inout [Double], _ residual: inout [Double]) {
            for k in 0..<n { squares[k] = u[k] * u[k] }
            residual = b
            Matrix.gemv(1, design, .none, squares, -1, into: &residual)
        }
        let options = DormandPrince.Options(relativeTolerance: 1e-10, absoluteTolerance: 1e-10 * alpha)
        let integrator = DormandPrince(options: options)
        let trajectory = integrator.integrate(
            from: [Double](repeating: alpha, count: n), to: maxTime,
            rightHandSide: { _, u, du in
                residualOf(u, &squares, &residual)
                Matrix.gemv(-2, design, .transpose, residual, 0, into: &weights)
                for k in 0..<n { du[k] = weights[k] * u[k] }
            },
            shouldStop: { _, _ in
                // `residual` is the new point's: the right-hand side was last evaluated there.
                Vector.norm(residual) / bNorm <= residualTolerance
            })
        residualOf(trajectory.state, &squares, &residual)
        let relative = Vector.norm(residual) / bNorm
        let (status, message) = trajectory.verdict(
            relativeResidual: relative, target: residualTolerance, horizon: nil,
            relativeTolerance: options.relativeTolerance, maxSteps: options.maxSteps)
        return Result(
            x: squares, time: trajectory.time, steps: trajectory.steps, relativeResidual: relative, status: status, message: message)
    }
}
