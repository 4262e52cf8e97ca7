import LinearAlgebra

/// Gradient descent on the factor U of `X = UUᵀ` (the paper's equation (2), Section 2):
///
/// `U_{t+1} = U_t − η_t ∇f(U_t)`, `∇f(U) = 2 A*(A(UUᵀ) − y) U`,
///
/// with a fixed η or the exact line search (`StepPolicy`), from a given U0 (n × d, any d in 1…n),
/// until the `StoppingRule`. One iteration is a `dsyrk`, A and A* with the packed operator (two
/// `dgemv` for sensing, O(m) for completion: see `SymmetricMeasurements`) and a `dsymm`; the line
/// search adds a `dsyr2k`, a `dsyrk` and A on two columns.
public struct FactorizedGradientDescent: Sendable {
    public let problem: MeasurementProblem
    public var stopping: StoppingRule

    public init(problem: MeasurementProblem, stopping: StoppingRule = .standard) {
        self.problem = problem
        self.stopping = stopping
    }

    /// Runs from `u0` with `policy`.
    public func run(from u0: Matrix, policy: StepPolicy) -> DescentResult {
        precondition(u0.rows == problem.dimension, "U0 must have n = \(problem.dimension) rows")
        let measurements = problem.measurements
        let y = problem.observations
        let observationNorm = Vector.norm(y)
        let width = SymmetricPacking.packedCount(problem.dimension)
        var state = FactorRunState(initialFactor: u0, policy: policy, stopping: stopping, observationNorm: observationNorm)
        var xv = [Double](repeating: 0, count: width)
        var r = [Double](repeating: 0, count: problem.count)
        var g = [Double](repeating: 0, count: width)
        var lineSearch = Matrix(rows: width, columns: 2)
        var ab = Matrix(rows: problem.count, columns: 2)
        while true {
            xv.withUnsafeMutableBufferPointer { state.packIterate(into: $0) }
            measurements.apply(packedVector: xv, scale: 1, adding: 0, into: &r)
            Vector.axpy(-1, y, &r)
            guard state.observe(residualNorm: Vector.norm(r)) else { break }
            measurements.adjointPacked(r, into: &g)
            g.withUnsafeBufferPointer { state.computeDirection(adjointPacked: $0) }
            switch policy {
            case let .fixed(eta):
                state.step(eta)
            case let .exactLineSearch(maxStep):
                lineSearch.elements.withUnsafeMutableBufferPointer { p in
                    state.packLineSearch(
                        first: .init(rebasing: p[0..<width]), second: .init(rebasing: p[width..<(2 * width)]))
                }
                ab = measurements.apply(packedColumns: lineSearch)
                let m = problem.count
                let eta = r.withUnsafeBufferPointer { pr in
                    ab.elements.withUnsafeBufferPointer { p in
                        state.lineSearchStep(
                            r: pr, a: .init(rebasing: p[0..<m]), b: .init(rebasing: p[m..<(2 * m)]), maxStep: maxStep)
                    }
                }
                state.step(eta)
            }
        }
        return state.result()
    }
}
