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
/// default) at `rtol` with the absolute tolerance of column c of U
/// `max(rtol · ε / √(n·r), κ · ‖u_c‖)`, κ = ``Options/columnRoundOff`` (default 64 ε_mach; ε_mach already
/// suffices on Figure 4's instances where the step collapsed without it): the
/// first term resolves the new column of size ε (κ·ε is ε_mach-relative, far below it), the second
/// keeps the tolerance of a grown column above the round-off of its entries (an entry held at zero by
/// a symmetry of the problem sits at about ε_mach·‖u_c‖, and a tolerance below that collapses the
/// step). It costs nothing in accuracy: an error κ‖u_c‖ in column c moves X = UUᵀ by at most
/// 2κ‖u_c‖‖U‖_F ≤ 2κ√r‖X‖_F, 3e-14·√r relative, far below rtol. A stage ends
///
/// - **fitted** when `‖r‖/‖y‖ ≤ residualTolerance` and the flow is stationary,
///   `t‖Ẋ‖_F/‖X‖_F ≤ stationarityTolerance` (``GradientFlow``'s test, t counted from the stage's
///   start): GLRL is `.solved`;
/// - **stalled** at a positive loss below the stage's starting loss, once the new column has had time
///   to escape, `t ≥ ln(max(‖U_{r−1}‖_F, 1)/ε)/λ_r` (twice the time it takes to grow from ε to the
///   size of the rest at its initial rate 2λ_r), when the same stationarity test holds,
///   `t‖Ẋ‖_F/‖X‖_F ≤ stationarityTolerance`, and the loss is not falling to zero,
///   `t·|df/dt|/f = t‖U̇‖²_F/f ≤ 0.01`. The model: X approaches the stage's limit X_r like `t^(−p)`
///   (then `‖X_r − X(t)‖ = t‖Ẋ‖/p`) or like `e^(−μt)` (then `‖X_r − X(t)‖ = ‖Ẋ‖/μ ≤ t‖Ẋ‖` once
///   t ≥ 1/μ), so the test bounds the relative distance still to travel by `stationarityTolerance/p`,
///   resp. `stationarityTolerance` (a mode slower than 1/t at the time of the test escapes it). A
///   loss falling to zero like t^(−p) reads p in the second test, a stalled one reads about
///   `‖X_r − X‖²/(t f)`, far below 0.01. Then the next stage starts, or, at `maxRank` (default n),
///   GLRL ends with `.iterationLimit`;
/// - when −∇f has no positive eigenvalue at the start of the next stage (λ_r ≤ 1e-14·‖A*(r)‖ + 1e-300), GLRL
///   ends `.inaccurate`: a stationary point of the PSD problem with a positive loss (on a feasible
///   problem only a stage that stopped short gives one); also `.inaccurate` when the eigendecomposition
///   of ∇f fails;
/// - **unbounded** when `tr X = ‖U‖²_F > maxTrace` (default 1e4), or at `maxTime` while tr X still
///   grows like a power of t, `t · (d tr X/dt) / tr X ≥ 0.1` (Figure 4 has rank-1 stages whose tr X
///   grows like t^(1/3), about 5e3 at t = 1e10, a loss that creeps down as U grows): the stage's limit
///   is at infinity (GLRL with ε → 0 has no limit there), and GLRL ends `.diverged`;
/// - at a limit of its integrator: `.timeLimit` at `maxTime` (fitted but not stationary, or neither
///   fitted nor stalled), `.stepLimit` at `maxSteps` per stage (accepted and rejected),
///   `.inaccurate` after a step forced at the resolution of t, `.diverged` at a non-finite state
///   (``IntegratorTrajectory/verdict(relativeResidual:target:horizon:relativeTolerance:maxSteps:stationarity:)``).
///
/// Every status comes with a message naming the rank or stage where GLRL ended and its relative
/// training error (and, for a stage that ran, `t‖Ẋ‖/‖X‖` where it ended).
public struct GreedyLowRankLearning: Sendable {
    public struct Options: Sendable, Codable, CustomStringConvertible {
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
        /// κ: the absolute tolerance of column c of U is at least κ‖u_c‖ (the round-off of its entries).
        public var columnRoundOff = 64 * Double.ulpOfOne
        public init() {}

        public var description: String {
            "glrl(ε \(scale), residual \(residualTolerance), stationarity \(stationarityTolerance), rtol \(relativeTolerance), column floor \(columnRoundOff / Double.ulpOfOne)ε, \(integrator.rawValue), T \(maxTime), steps \(maxSteps), trace \(maxTrace), rank \(maxRank.map(String.init) ?? "n"))"
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
        /// `t‖Ẋ‖_F/‖X‖_F` where it ended.
        public var stationarity: Double
    }

    /// The largest `t·|df/dt|/f` of a stalled stage: a loss falling to zero like t^(−p) reads p.
    static let stalledLossRate = 0.01
    /// The smallest growth exponent `t · (d tr X/dt) / tr X` at `maxTime` read as a stage without a finite limit.
    static let unboundedGrowth = 0.1

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
            /// `g = t · (d tr X/dt) / tr X = t · 2⟨U, U̇⟩ / ‖U‖²`: tr X grows like t^g.
            func traceGrowth(time t: Double, state: [Double], velocity: inout [Double]) -> Double {
                velocityOf(state, residual, into: &velocity, &workspace)
                let trace = Vector.dot(state, state)
                return trace > 0 ? t * 2 * Vector.dot(state, velocity) / trace : 0
            }
            var fitted = false
            var unbounded = false
            let trajectory = flow.integrate(
                from: start, to: options.maxTime,
                absoluteTolerance: max(options.relativeTolerance * options.scale / Double(n * d).squareRoot(), .leastNormalMagnitude),
                columnRoundOff: options.columnRoundOff,
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
                    let loss = 0.5 * residualNorm * residualNorm
                    guard loss < startLoss else { return false }
                    velocityOf(state, residual, into: &velocity, &workspace)
                    let speed = Vector.norm(velocity)
                    guard t * speed * speed <= Self.stalledLossRate * loss else { return false }
                    return flow.stationarityMeasure(time: t, state: state, residual: residual).met
                })
            residualOf(trajectory.state, &residual, &workspace)
            u = Matrix(rows: n, columns: d, columnMajor: trajectory.state)
            let relative = Vector.norm(residual) / observationNorm
            let stationarity = flow.stationarity(time: trajectory.time, state: trajectory.state, residual: residual)
            stages.append(Stage(rank: d, eigenvalue: lambda, time: trajectory.time, steps: trajectory.steps + trajectory.rejectedSteps,
                                relativeResidual: relative, fitted: fitted, stationarity: stationarity.speed))
            let ending = "relative training error \(relative.formatted(significantDigits: 3)), \(stationarity.value)"
            if unbounded {
                return finish(.diverged, "stage \(d): tr X exceeded \(options.maxTrace) at t = \(trajectory.time.formatted(significantDigits: 3)) with \(ending): the rank-\(d) flow has no finite limit")
            }
            if !trajectory.stoppedEarly, trajectory.forcedSteps == 0, !trajectory.hitStepLimit, relative.isFinite,
               case let growth = traceGrowth(time: trajectory.time, state: trajectory.state, velocity: &velocity), growth >= Self.unboundedGrowth {
                return finish(.diverged, "stage \(d): tr X = \((u.frobeniusNorm * u.frobeniusNorm).formatted(significantDigits: 4)) still grows like t^\(growth.formatted(significantDigits: 3)) at T = \(trajectory.time.formatted(significantDigits: 3)), \(ending): the rank-\(d) flow has no finite limit")
            }
            if !trajectory.stoppedEarly || trajectory.forcedSteps > 0 || !relative.isFinite {
                let (status, message) = trajectory.verdict(
                    relativeResidual: relative, target: options.residualTolerance, horizon: nil,
                    relativeTolerance: options.relativeTolerance, maxSteps: options.maxSteps,
                    stationarity: (stationarity.met, stationarity.value))
                return finish(status == .solved ? .inaccurate : status, "stage \(d): " + message)
            }
            if fitted {
                return finish(.solved, "fitted at rank \(d) at t = \(trajectory.time.formatted(significantDigits: 3)) of the last stage: \(ending) (targets \(options.residualTolerance), \(options.stationarityTolerance))")
            }
            // Stalled: the next stage starts from here.
        }
    }
}
