import Foundation
import LinearAlgebra

/// Greedy low-rank learning (GLRL), the algorithm of Li, Luo and Lyu, "Towards resolving the
/// implicit bias of gradient descent for matrix factorization: greedy low-rank learning"
/// (ICLR 2021, Algorithm 1), for `f(W) = ½‖A(W) − y‖²` over PSD `W = UUᵀ`:
///
///     W₀ = 0, U₀ the n × 0 matrix
///     for r = 1, 2, …:
///         λ_r, v_r ← the top eigenpair of −∇f(W_{r−1}) = −A*(A(W_{r−1}) − y)   (‖v_r‖ = 1)
///         if λ_r ≤ 0: W_{r−1} is a minimum of f over PSD matrices; stop
///         U_r ← [U_{r−1}, ε v_r]
///         W_r ← lim_{t→∞} U(t)U(t)ᵀ, U(t) the gradient flow dU/dt = −2A*(r)U of the n × r
///               factorisation from U(0) = U_r (``GradientFlow``'s equation)
///     until f(W_r) = 0.
///
/// Li, Luo and Lyu prove that the gradient flow from `ᾱ·U0`, ᾱ → 0, follows GLRL's first stage
/// (ε → 0) and conjecture that it follows all of them: GLRL is then the flow's limit, a limit that
/// need not be the minimum nuclear norm (their counterexamples are completion problems like
/// Figure 4's).
///
/// Each stage integrates on ``GradientFlow``'s integrators (``Options/integrator``, `.automatic` by
/// default) at `rtol` with the absolute floor `rtol · ε / √(n·r)`, so that the new column of size ε
/// is resolved. A stage ends
///
/// - **fitted** when `‖r‖/‖y‖ ≤ residualTolerance` and the flow is stationary,
///   `t‖Ẋ‖_F/‖X‖_F ≤ stationarityTolerance` (``GradientFlow``'s test, t counted from the stage's
///   start): GLRL is `.solved`;
/// - **stalled** at a positive loss when the new column has had time to escape,
///   `t ≥ ln(max(‖U_{r−1}‖_F, 1)/ε)/λ_r` (twice the time it takes to grow from ε to the size of
///   the rest at its initial rate 2λ_r), and the loss has stopped falling,
///   `t·|df/dt|/f = t‖U̇‖²_F/f ≤ stationarityTolerance` (a loss falling like t^(−p) to zero reads p
///   there and never stalls): the next stage starts, or, at `maxRank` (default n), GLRL ends with
///   `.iterationLimit`; when −∇f has no positive eigenvalue (λ_r ≤ 1e-14·‖A*(r)‖ + 1e-300) it ends
///   `.inaccurate` (a stationary point of the PSD problem with a positive loss: on a feasible
///   problem only a stage that stopped short gives one);
/// - **unbounded** when `tr X = ‖U‖²_F > maxTrace` (default 1e4): the stage's loss keeps falling as U
///   grows, its limit is at infinity (GLRL with ε → 0 has no limit there), and GLRL ends `.diverged`;
/// - at a limit of its integrator (`maxTime` or `maxSteps` per stage, a diverged or forced step):
///   GLRL ends with that status (``IntegratorTrajectory/verdict(relativeResidual:target:horizon:relativeTolerance:maxSteps:stationarity:)``).
public struct GreedyLowRankLearning: Sendable {
    public struct Options: Sendable, CustomStringConvertible {
        /// ε: the norm of each column added.
        public var scale = 1e-8
        public var residualTolerance = 1e-9
        public var stationarityTolerance = 1e-6
        public var relativeTolerance = 1e-10
        public var integrator = FlowIntegrator.automatic
        /// Per stage.
        public var maxTime = 1e10
        /// Per stage, accepted and rejected.
        public var maxSteps = 200_000
        /// The largest rank tried; nil for n.
        public var maxRank: Int? = nil
        /// A stage whose tr X exceeds this has no finite limit in view (its loss keeps falling as
        /// ‖U‖ grows): GLRL ends `.diverged`.
        public var maxTrace = 1e4
        public init() {}

        public var description: String {
            "glrl(ε \(scale), residual \(residualTolerance), stationarity \(stationarityTolerance), rtol \(relativeTolerance), \(integrator.rawValue), T \(maxTime), steps \(maxSteps), trace \(maxTrace), rank \(maxRank.map(String.init) ?? "n"))"
        }
    }

    /// One stage: the rank it flowed at, the top eigenvalue λ_r of −∇f where it started, how it ended.
    public struct Stage: Sendable {
        public var rank: Int
        public var eigenvalue: Double
        public var time: Double
        public var steps: Int
        public var relativeResidual: Double
        /// Whether it ended fitted (the loss vanished), else stalled or at a limit.
        public var fitted: Bool
    }

    public struct Result: Sendable, SolverResult {
        /// U, n × rank, and W = UUᵀ.
        public var factor: Matrix
        public var x: Matrix
        public var rank: Int { factor.columns }
        public var stages: [Stage]
        public var relativeResidual: Double
        public var status: SolverStatus
        public var message: String
    }

    public let problem: MeasurementProblem
    public var options: Options

    public init(problem: MeasurementProblem, options: Options = Options()) {
        self.problem = problem
        self.options = options
    }

    /// Runs GLRL from W = 0.
    public func run() -> Result {
        let n = problem.dimension
        let measurements = problem.measurements
        let y = problem.observations
        let observationNorm = max(Vector.norm(y), .leastNonzeroMagnitude)
        let maxRank = min(options.maxRank ?? n, n)
        var u = Matrix(rows: n, columns: 0)
        var stages: [Stage] = []
        var residual = Vector.difference(measurements.apply(Matrix(rows: n, columns: n)), y)
        func finish(_ status: SolverStatus, _ message: String) -> Result {
            Result(factor: u, x: Matrix.gram(u), stages: stages, relativeResidual: Vector.norm(residual) / observationNorm,
                   status: status, message: message)
        }
        var flowOptions = GradientFlow.Options()
        flowOptions.relativeTolerance = options.relativeTolerance
        flowOptions.maxTime = options.maxTime
        flowOptions.maxSteps = options.maxSteps
        flowOptions.integrator = options.integrator
        flowOptions.residualTolerance = options.residualTolerance
        flowOptions.stationarityTolerance = options.stationarityTolerance
        let flow = GradientFlow(problem: problem, options: flowOptions)
        while true {
            // The top eigenpair of −∇f(W) = −A*(r): the last eigenpair of A*(r), negated.
            let gradient = measurements.adjoint(residual)
            guard let eigen = try? SymmetricEigendecomposition(gradient) else {
                return finish(.inaccurate, "the eigendecomposition of ∇f failed at rank \(u.columns)")
            }
            let lambda = -eigen.values[0]
            let scaleOfGradient = eigen.values.map(abs).max() ?? 0
            if lambda <= 1e-14 * scaleOfGradient + 1e-300 {
                return finish(.inaccurate, "−∇f has no positive eigenvalue at rank \(u.columns), relative training error \((Vector.norm(residual) / observationNorm).formatted(significantDigits: 3)): a stationary point of the PSD problem that does not fit")
            }
            if u.columns == maxRank {
                return finish(.iterationLimit, "rank \(maxRank) reached without fitting: relative training error \((Vector.norm(residual) / observationNorm).formatted(significantDigits: 3)), λ = \(lambda.formatted(significantDigits: 3)) still escapes")
            }
            let d = u.columns + 1
            var start = Matrix(rows: n, columns: d)
            for c in 0..<u.columns { for i in 0..<n { start[i, c] = u[i, c] } }
            for i in 0..<n { start[i, d - 1] = options.scale * eigen.vectors[i, 0] }
            let escape = log(max(u.frobeniusNorm, 1) / options.scale) / lambda
            let startLoss = 0.5 * Vector.norm(residual) * Vector.norm(residual)
            var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
            var velocity = [Double](repeating: 0, count: n * d)
            func residualOf(_ state: [Double], _ residual: inout [Double], _ workspace: inout SymmetricMeasurements.FactoredWorkspace) {
                state.withUnsafeBufferPointer { measurements.factoredResidual(factor: $0, rank: d, observations: y, into: &residual, workspace: &workspace) }
            }
            func velocityOf(_ state: [Double], _ residual: [Double], into velocity: inout [Double], _ workspace: inout SymmetricMeasurements.FactoredWorkspace) {
                state.withUnsafeBufferPointer { u in
                    velocity.withUnsafeMutableBufferPointer {
                        measurements.factoredAdjointProduct(residual, factor: u, rank: d, scale: -2, into: $0, workspace: &workspace)
                    }
                }
            }
            var fitted = false
            var unbounded = false
            let trajectory = flow.integrate(
                from: start, to: options.maxTime,
                absoluteTolerance: max(options.relativeTolerance * options.scale / Double(n * d).squareRoot(), .leastNormalMagnitude),
                rightHandSide: { _, state, derivative in
                    residualOf(state, &residual, &workspace)
                    velocityOf(state, residual, into: &derivative, &workspace)
                },
                shouldStop: { t, state in
                    let trace = state.reduce(0) { $0 + $1 * $1 }
                    if trace > options.maxTrace {
                        unbounded = true
                        return true
                    }
                    let residualNorm = Vector.norm(residual)
                    if residualNorm / observationNorm <= options.residualTolerance {
                        fitted = flow.stationarityMeasure(time: t, state: state, residual: residual).met
                        return fitted
                    }
                    guard t >= escape else { return false }
                    velocityOf(state, residual, into: &velocity, &workspace)
                    let loss = 0.5 * residualNorm * residualNorm
                    let speed = Vector.norm(velocity)
                    return loss < startLoss && t * speed * speed <= options.stationarityTolerance * loss
                })
            residualOf(trajectory.state, &residual, &workspace)
            u = Matrix(rows: n, columns: d, columnMajor: trajectory.state)
            let relative = Vector.norm(residual) / observationNorm
            stages.append(Stage(rank: d, eigenvalue: lambda, time: trajectory.time, steps: trajectory.steps + trajectory.rejectedSteps,
                                relativeResidual: relative, fitted: fitted))
            if unbounded {
                return finish(.diverged, "stage \(d): tr X exceeded \(options.maxTrace) at t = \(trajectory.time.formatted(significantDigits: 3)) with relative training error \(relative.formatted(significantDigits: 3)): the rank-\(d) flow has no finite limit")
            }
            if !trajectory.stoppedEarly || trajectory.forcedSteps > 0 || !relative.isFinite {
                let (status, message) = trajectory.verdict(
                    relativeResidual: relative, target: options.residualTolerance, horizon: nil,
                    relativeTolerance: options.relativeTolerance, maxSteps: options.maxSteps)
                return finish(status == .solved ? .inaccurate : status, "stage \(d): " + message)
            }
            if fitted {
                let stationarity = flow.stationarity(time: trajectory.time, state: trajectory.state, residual: residual)
                return finish(.solved, "fitted at rank \(d): relative training error \(relative.formatted(significantDigits: 3)) ≤ \(options.residualTolerance), \(stationarity.value) in the last stage")
            }
        }
    }
}
