import Foundation
import LinearAlgebra

/// The gradient flow of the factorised objective (2) of the paper, the limit of gradient
/// descent as the step goes to zero (Section 3, equation (4) with η → 0):
///
///     dU/dt = −∇f(U) = −2 A*(r) U,   r = A(UUᵀ) − y,   U(0) = U0,
///
/// integrated by ``DormandPrince`` (and ``Rosenbrock`` where it turns stiff) with `rtol` (default 1e-10) and an absolute floor scaled
/// to the start, `atol = rtol · ‖U0‖_F / √(nd)`, so that α = 1e-5 is resolved.
///
/// It runs to the horizon T when one is given (the fixtures' `"flow": {"T": …}`), else
/// until the relative residual `‖r‖/‖y‖ ≤ residualTolerance` (default 1e-8) and, when
/// `stationarityTolerance` is finite (default ∞: off), the flow is stationary:
/// `t · ‖Ẋ‖_F/‖X‖_F ≤ stationarityTolerance`, which bounds the relative distance X still has to
/// travel when it approaches its limit like t^(−p), p ≥ 1 (``stationarity(time:state:residual:)``);
/// else it reports `.timeLimit` at `maxTime`. With `decadeCertificate` set, the instantaneous test
/// counts only once the residual is at its round-off floor (``atRoundOff(_:rank:)``: a flow fitted to
/// 1e-9 but not beyond is still moving in a direction the loss sees), and a flow whose residual
/// target is met may instead be certified stationary by the displacement of X over its last two
/// decades of t (``decadeCertificate(time:state:residual:checkpoints:)``), a test that round-off does not
/// floor: the slow flows of Figure 4 approach their limit like t^(−1/2), where `t‖Ẋ‖` is read
/// below round-off only after X has stopped moving by the tolerance.
///
/// `integrator` (``FlowIntegrator``) chooses Dormand–Prince (`.dormandPrince`), RODAS4 with the
/// analytic Jacobian (``Rosenbrock``, ``Jacobian``, ``StepMatrix``: `.stiff`), or the first until
/// it turns stiff and the second after (`.automatic`, the default), for the late phase where
/// Dormand–Prince's steps are bounded by stability. A flow that never turns stiff takes the same
/// steps on `.automatic` as on `.dormandPrince` (the stiffness test only reads the stages).
///
/// Its status is the integrator's verdict (``IntegratorTrajectory/verdict(relativeResidual:target:horizon:relativeTolerance:maxSteps:stationarity:)``):
/// `.solved` only when it reached T, or the residual target, with every step resolved to rtol.
/// It serves sensing and completion alike: each right-hand side is the operator's two factored
/// products (`SymmetricMeasurements+Factored`: BLAS on a dense P, O(m·d) sums on observed entries).
public struct GradientFlow: Sendable {
    public struct Options: Sendable, Codable {
        public var relativeTolerance = 1e-10
        public var residualTolerance = 1e-8
        public var maxTime = 1e7
        public var maxSteps = 2_000_000
        public var integrator = FlowIntegrator.automatic
        public var stationarityTolerance = Double.infinity
        /// Also accept the decade certificate of stationarity (``GradientFlow/decadeCertificate(time:state:residual:checkpoints:)``)
        /// against `stationarityTolerance` (default off).
        public var decadeCertificate = false
        /// Also end, `.solved`, at a limit that does not fit the data: a strict local minimum of the
        /// loss in U (modulo rotations) whose Newton remainder is at most `stationarityTolerance`
        /// (``GradientFlow/localMinimumCertificate(state:residual:jacobian:)``), tested while the residual
        /// target is not met (default off: such a flow runs to `maxTime`). Needs a finite `stationarityTolerance`.
        public var localMinimumCertificate = false
        /// The largest N = n·d at which the local-minimum certificate is computed (a dense N × N
        /// Hessian and its eigendecomposition, O(N³)): above it a flow that does not fit the data runs to `maxTime`.
        /// 600 is d ≤ 12 at n = 50, twice the widest limit of Figures 1–2 that does not fit the data (d = 6
        /// in (b)); at 1,200 the certificate's failed attempts on the interpolating flows of d = 15 and 20
        /// (whose residual is above the target for long after X moves slowly) made those runs 3–6 times
        /// as costly as d = 25 (7.5 s against 1.2 s of CPU in (a)).
        public var localMinimumMaxSize = 600
        public init() {}
    }

    public struct Result: Sendable, SolverResult {
        public var factor: Matrix
        public var x: Matrix
        public var time: Double
        public var steps: Int
        public var rejectedSteps: Int
        public var evaluations: Int
        /// Jacobians evaluated (0 on Dormand–Prince alone).
        public var jacobians = 0
        /// `t‖Ẋ‖_F/‖X‖_F` where it stopped (``stationarity(time:state:residual:)``), tested or not.
        public var stationarity = Double.nan
        /// The decade certificate's bound on `‖X(∞) − X(t)‖_F/‖X‖_F` where it stopped (∞ where its
        /// model was not met, NaN where it was not computed: ``GradientFlow/decadeCertificate(time:state:residual:checkpoints:)``).
        public var remainingBound = Double.nan
        /// Which test found it stationary, when it ended `.solved` without a horizon by a stationarity
        /// test (nil otherwise): the speed test, the decade certificate or the local-minimum certificate.
        public var stationaryBy: StationarityTest?
        /// The local-minimum certificate where the flow ended by it (``Options/localMinimumCertificate``), nil otherwise.
        public var localMinimum: LocalMinimumCertificate? = nil
        public var relativeResidual: Double
        public var loss: Double
        public var status: SolverStatus
        public var message: String
    }

    /// The test that found a flow stationary (``Result/stationaryBy``).
    public enum StationarityTest: String, Sendable, Codable {
        /// `t‖Ẋ‖/‖X‖ ≤ stationarityTolerance` (``stationarity(time:state:residual:)``; with the
        /// decade certificate on, with the residual at round-off and its floor added).
        case speed
        /// The decade certificate (``decadeCertificate(time:state:residual:checkpoints:)``).
        case decadeCertificate = "decade-certificate"
        /// A strict local minimum that does not fit the data, within `stationarityTolerance` by its
        /// Newton step (``localMinimumCertificate(state:residual:jacobian:)``, ``Options/localMinimumCertificate``).
        case localMinimum = "local-minimum"
    }

    public let problem: MeasurementProblem
    public var options: Options

    public init(problem: MeasurementProblem, options: Options = Options()) {
        self.problem = problem
        self.options = options
    }

    /// Flows from `initial` (n × d) to `horizon`, or until the loss stalls when `horizon` is nil.
    /// `startTime` is the time t₀ at which the flow is at `initial` (0 for a flow from U0; a flow
    /// continued from where gradient descent stopped starts at t₀ = η·iterations): the flow is
    /// autonomous, so it only sets the clock that the stationarity tests (`t‖Ẋ‖/‖X‖`, the decades
    /// of t) and `maxTime` read.
    public func run(from initial: Matrix, startTime: Double = 0, horizon: Double? = nil) -> Result {
        let n = problem.dimension
        let d = initial.columns
        let measurements = problem.measurements
        let y = problem.observations
        let observationNorm = max(Vector.norm(y), .leastNonzeroMagnitude)
        var residual = y
        var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
        // `residual` and `workspace` go inout to this function and are captured only by the non-escaping
        // right-hand side passed straight to `integrate`: exclusive access is then proved at compile
        // time, with no dynamic check per access (a captured-and-boxed var costs one at every access).
        func residualOf(_ state: [Double], _ residual: inout [Double], _ workspace: inout SymmetricMeasurements.FactoredWorkspace) {
            state.withUnsafeBufferPointer { measurements.factoredResidual(factor: $0, rank: d, observations: y, into: &residual, workspace: &workspace) }
        }
        // X's factor at the first step past t = 1.25^k·t₁ (t₁ the first step), for the decade certificate.
        var checkpoints: [(time: Double, state: [Double], residual: Double)] = []
        let decade = horizon == nil && options.decadeCertificate && options.stationarityTolerance.isFinite
        let scale = initial.frobeniusNorm / Double(max(n * d, 1)).squareRoot()
        // The local-minimum certificate (a flow that does not fit the data): tested while the residual target
        // is unmet, at most once per 25% of t and only once X moves slowly (t‖Ẋ‖/‖X‖ ≤ localMinimumGate).
        let localMinimum = horizon == nil && options.localMinimumCertificate && options.stationarityTolerance.isFinite
            && n * d <= options.localMinimumMaxSize
        var nextLocalMinimumTest = startTime
        var endedAtLocalMinimum: LocalMinimumCertificate?
        var hessian: Jacobian?
        let trajectory = integrate(
            from: initial, startTime: startTime, to: horizon ?? options.maxTime,
            absoluteTolerance: max(options.relativeTolerance * scale, .leastNormalMagnitude),
            rightHandSide: { _, state, derivative in
                residualOf(state, &residual, &workspace)
                state.withUnsafeBufferPointer { u in
                    derivative.withUnsafeMutableBufferPointer {
                        measurements.factoredAdjointProduct(residual, factor: u, rank: d, scale: -2, into: $0, workspace: &workspace)
                    }
                }
            },
            shouldStop: { t, state in
                if decade, t > 0, t >= 1.25 * (checkpoints.last?.time ?? 0) { checkpoints.append((t, state, Vector.norm(residual))) }
                if localMinimum, t >= nextLocalMinimumTest, Vector.norm(residual) / observationNorm > options.residualTolerance {
                    // Not fitted yet: a local minimum of the loss that does not fit the data is a limit too.
                    guard stationarityMeasure(time: t, state: state, residual: residual).speed <= Self.localMinimumGate else {
                        nextLocalMinimumTest = 1.1 * t
                        return false
                    }
                    nextLocalMinimumTest = 1.25 * t
                    let certificate = localMinimumCertificate(state: state, residual: residual, jacobian: &hessian)
                    if certificate.met { endedAtLocalMinimum = certificate }
                    return certificate.met
                }
                // `residual` is the new point's: the right-hand side was last evaluated there.
                guard horizon == nil, Vector.norm(residual) / observationNorm <= options.residualTolerance else { return false }
                if !options.stationarityTolerance.isFinite { return true }
                // The tests' numbers only (their text is made once, where the flow stops, below).
                let stationary = stationarityMeasure(time: t, state: state, residual: residual)
                if stationary.met, !decade || atRoundOff(residual, rank: d) { return true }
                guard decade else { return false }
                return decadeCertificate(time: t, state: state, residual: residual, checkpoints: checkpoints, quick: true).met
            })
        residualOf(trajectory.state, &residual, &workspace)
        let u = Matrix(rows: n, columns: d, columnMajor: trajectory.state)
        let x = Matrix.gram(u)
        let residualNorm = Vector.norm(residual)
        let relative = residualNorm / observationNorm
        // The tests where it stopped, with their text (the same numbers as the last accepted step's test).
        let stationary = stationarity(time: trajectory.time, state: trajectory.state, residual: residual)
        let certificate = !decade ? nil
            : decadeCertificate(time: trajectory.time, state: trajectory.state, residual: residual, checkpoints: checkpoints)
        let tested = horizon == nil && options.stationarityTolerance.isFinite
        let speedMet = stationary.met && (!decade || atRoundOff(residual, rank: d))
        var (status, message) = trajectory.verdict(
            relativeResidual: relative, target: options.residualTolerance, horizon: horizon,
            relativeTolerance: options.relativeTolerance, maxSteps: options.maxSteps,
            stationarity: tested
                ? (speedMet || certificate?.met == true, stationary.value + (certificate.map { "; \($0.value)" } ?? "")) : nil)
        var stationaryBy: StationarityTest? = status != .solved || !tested ? nil
            : speedMet ? .speed : certificate?.met == true ? .decadeCertificate : nil
        // Ended by the local-minimum certificate (the verdict, which knows only the residual target, says
        // `.timeLimit` there): solved, unless the integration itself was not (diverged, step limit, forced steps).
        if let endedAtLocalMinimum, trajectory.stoppedEarly, status == .timeLimit {
            status = .solved
            message = "a local minimum that does not fit the data: relative training error \(relative.formatted(significantDigits: 3)) "
                + "(target \(options.residualTolerance)), \(endedAtLocalMinimum.description) at t = \(trajectory.time.formatted(significantDigits: 6))"
            stationaryBy = .localMinimum
        }
        return Result(
            factor: u, x: x, time: trajectory.time, steps: trajectory.steps, rejectedSteps: trajectory.rejectedSteps,
            evaluations: trajectory.evaluations, jacobians: trajectory.jacobians, stationarity: stationary.speed, remainingBound: certificate?.bound ?? .nan, stationaryBy: stationaryBy,
            localMinimum: stationaryBy == .localMinimum ? endedAtLocalMinimum : nil, relativeResidual: relative,
            loss: 0.5 * residualNorm * residualNorm, status: status, message: message)
    }
}
