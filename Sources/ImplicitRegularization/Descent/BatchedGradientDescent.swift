import LinearAlgebra

/// Many runs of `FactorizedGradientDescent` on one problem, advanced together.
///
/// A figure sweep (d grid × seeds × step policies) shares one operator A. Each iteration packs
/// every active run's `svec(U_b U_bᵀ)` as a column and applies A to all of them with one `dgemm`
/// (`P · [svec X_1 … svec X_B]`), and likewise the adjoint and the line search's two extra
/// images: the measurement matrix P, the largest operand, is read once per iteration instead
/// of twice per run. Runs leave the batch as they stop. The iterates are those of the
/// one-at-a-time method (same `FactorRunState` arithmetic; only the products' summation order
/// differs, at the level of rounding).
public struct BatchedGradientDescent: Sendable {
    /// One run: its starting factor and its step policy.
    public struct Run: Sendable {
        public var initialFactor: Matrix
        public var policy: StepPolicy
        public init(initialFactor: Matrix, policy: StepPolicy) {
            self.initialFactor = initialFactor
            self.policy = policy
        }
    }

    public let problem: MeasurementProblem
    public var stopping: StoppingRule

    public init(problem: MeasurementProblem, stopping: StoppingRule = .standard) {
        self.problem = problem
        self.stopping = stopping
    }

    /// Runs every run to its stop; results in the order of `runs`. `onStop(k)` is called as run k
    /// stops.
    public func run(_ runs: [Run], onStop: ((Int) -> Void)? = nil) -> [DescentResult] {
        let measurements = problem.measurements
        let y = problem.observations
        let m = problem.count
        let width = SymmetricPacking.packedCount(problem.dimension)
        let observationNorm = Vector.norm(y)
        var states = runs.map { run -> FactorRunState in
            precondition(run.initialFactor.rows == problem.dimension, "U0 must have n = \(problem.dimension) rows")
            return FactorRunState(initialFactor: run.initialFactor, policy: run.policy, stopping: stopping, observationNorm: observationNorm)
        }
        var active = Array(states.indices)
        while !active.isEmpty {
            var iterates = Matrix(rows: width, columns: active.count)
            iterates.elements.withUnsafeMutableBufferPointer { p in
                for (c, index) in active.enumerated() {
                    states[index].packIterate(into: .init(rebasing: p[(c * width)..<((c + 1) * width)]))
                }
            }
            var residuals = measurements.apply(packedColumns: iterates)
            var continuing: [Int] = []
            var continuingColumns: [Int] = []
            residuals.elements.withUnsafeMutableBufferPointer { p in
                y.withUnsafeBufferPointer { py in
                for (c, index) in active.enumerated() {
                    let column = UnsafeMutableBufferPointer(rebasing: p[(c * m)..<((c + 1) * m)])
                    Vector.axpy(-1, py, column)
                    if states[index].observe(residualNorm: Vector.norm(UnsafeBufferPointer(column))) {
                        continuing.append(index)
                        continuingColumns.append(c)
                    } else {
                        onStop?(index)
                    }
                }
                }
            }
            if continuing.isEmpty { break }
            if continuingColumns.count < active.count {
                residuals = Matrix(rows: m, columns: continuingColumns.count) { i, c in residuals[i, continuingColumns[c]] }
            }
            let adjoints = measurements.adjoint(packedColumns: residuals)
            adjoints.elements.withUnsafeBufferPointer { p in
                for (c, index) in continuing.enumerated() {
                    states[index].computeDirection(adjointPacked: .init(rebasing: p[(c * width)..<((c + 1) * width)]))
                }
            }
            let searching = continuing.indices.filter {
                if case .exactLineSearch = states[continuing[$0]].policy { true } else { false }
            }
            if !searching.isEmpty {
                var packedSearch = Matrix(rows: width, columns: 2 * searching.count)
                packedSearch.elements.withUnsafeMutableBufferPointer { p in
                    for (k, c) in searching.enumerated() {
                        states[continuing[c]].packLineSearch(
                            first: .init(rebasing: p[(2 * k * width)..<((2 * k + 1) * width)]),
                            second: .init(rebasing: p[((2 * k + 1) * width)..<((2 * k + 2) * width)]))
                    }
                }
                let images = measurements.apply(packedColumns: packedSearch)
                images.elements.withUnsafeBufferPointer { pi in
                    residuals.elements.withUnsafeBufferPointer { pr in
                        for (k, c) in searching.enumerated() {
                            guard case let .exactLineSearch(maxStep) = states[continuing[c]].policy else { continue }
                            let eta = states[continuing[c]].lineSearchStep(
                                r: .init(rebasing: pr[(c * m)..<((c + 1) * m)]),
                                a: .init(rebasing: pi[(2 * k * m)..<((2 * k + 1) * m)]),
                                b: .init(rebasing: pi[((2 * k + 1) * m)..<((2 * k + 2) * m)]), maxStep: maxStep)
                            states[continuing[c]].step(eta)
                        }
                    }
                }
            }
            for index in continuing {
                if case let .fixed(eta) = states[index].policy { states[index].step(eta) }
            }
            active = continuing
        }
        return states.map { $0.result() }
    }
}
