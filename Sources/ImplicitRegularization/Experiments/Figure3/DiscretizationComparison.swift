import Foundation
import LinearAlgebra

/// The experiment of Figure 3 (i)–(iii): on each of nine problems — Gaussian sensing, uniform and
/// power-law completion (``PaperSetting/Observations``), each in the settings (a), (b), (c) of
/// Figure 1 at n = 50 (the planted problem of `problemSeed`) — the gradient flow of
/// `f(U) = ½‖A(UUᵀ) − y‖²`,
///
///     dU/dt = −2 A*(r) U,   r = A(UUᵀ) − y,   U(0) = U0,   ‖U0‖_F = 1e-4,  d = n,
///
/// taken three ways from one U0, beside two references:
///
/// - the flow integrated (``GradientFlow``, `.automatic`: Dormand–Prince 5(4) at rtol 1e-8 until its
///   steps are bounded by stability, then RODAS4 with the analytic Jacobian), until it is
///   stationary: relative training error ≤ `stopping.tolerance` and X within `flowStationarity`
///   (1e-6), relatively, of its limit — by `t‖Ẋ‖/‖X‖` with the residual at round-off, or by the
///   decade certificate — else `time_limit` at t = `flowTimeLimit`·s or `step_limit` at
///   `flowMaxSteps` steps;
/// - the time-ordered exponential `U ← exp(−η A*(r)) U`, η = 0.1·s (``TimeOrderedExponential``),
///   to relative training error `stopping.tolerance` or `horizon / 0.1` steps (time `horizon`·s);
/// - gradient descent with η = 1e-3·s (``FactorizedGradientDescent``), to `stopping`;
/// - X_gd (``ProjectedGradientDescent``, to `stopping`) and the minimum nuclear norm
///   (``MinimumNuclearNorm``, the SDP to its certified relative duality gap of 1e-8).
///
/// **The stretch s** (``stretch(of:)``): an entry operator has `E‖A(X)‖² ≈ (m/N)‖X‖_F²`,
/// N = n(n+1)/2, where Gaussian sensing has `≈ ‖X‖_F²`; so that "a small step" means the same thing,
/// completion scales every step and time by s = N/m (s = 1 for sensing).
///
/// The problems go to `workers` threads (``ConcurrentWork``, OpenBLAS single-threaded in each), each
/// taking the next problem; each problem's runs are deterministic, so the outcomes do not depend on
/// which thread ran them.
public struct DiscretizationComparison: Sendable, Codable {
    /// One problem's runs: the nuclear norms, training errors and statuses of the figure's bars.
    public struct Outcome: Sendable, Codable {
        public var observations: PaperSetting.Observations
        public var setting: PaperSetting
        /// The flow's `‖X‖_*`, relative training error `‖A(X) − y‖/‖y‖` and time t where it stopped.
        public var flow: Double, flowResidual: Double, flowTime: Double
        /// `t‖Ẋ‖/‖X‖` where the flow stopped, and the decade certificate's bound on what is left (NaN where it did not run).
        public var flowStationarity: Double, flowRemainingBound: Double
        /// The test that found the flow stationary (``GradientFlow/StationarityTest``'s raw value), or "none".
        public var flowStationaryBy: String
        public var flowStatus: SolverStatus
        /// The integrator's steps, and the Jacobians RODAS4 formed (one per step).
        public var flowSteps: Int, flowJacobians: Int
        /// λ₃/λ₁ of the flow's X: how much of X lies beyond the planted rank 2.
        public var flowBeyondRank: Double
        /// The time-ordered exponential's `‖X‖_*`, relative training error and status.
        public var toe: Double, toeResidual: Double, toeStatus: SolverStatus
        /// Gradient descent's `‖X‖_*`, relative training error and status.
        public var gd: Double, gdResidual: Double, gdStatus: SolverStatus
        /// X_gd's `‖X‖_*`.
        public var xgd: Double
        /// The minimum nuclear norm, its certified relative duality gap, status and the directions
        /// its facial reduction exposed (> 0 where no X ≻ 0 fits the data).
        public var minimum: Double, gap: Double, minimumStatus: SolverStatus, minimumExposedDirections: Int

        public init(
            observations: PaperSetting.Observations, setting: PaperSetting,
            flow: Double, flowResidual: Double, flowTime: Double, flowStationarity: Double, flowRemainingBound: Double,
            flowStationaryBy: String, flowStatus: SolverStatus, flowSteps: Int, flowJacobians: Int, flowBeyondRank: Double,
            toe: Double, toeResidual: Double, toeStatus: SolverStatus, gd: Double, gdResidual: Double, gdStatus: SolverStatus,
            xgd: Double, minimum: Double, gap: Double, minimumStatus: SolverStatus, minimumExposedDirections: Int
        ) {
            (self.observations, self.setting) = (observations, setting)
            (self.flow, self.flowResidual, self.flowTime, self.flowStationarity, self.flowRemainingBound) =
                (flow, flowResidual, flowTime, flowStationarity, flowRemainingBound)
            (self.flowStationaryBy, self.flowStatus, self.flowSteps, self.flowJacobians, self.flowBeyondRank) =
                (flowStationaryBy, flowStatus, flowSteps, flowJacobians, flowBeyondRank)
            (self.toe, self.toeResidual, self.toeStatus) = (toe, toeResidual, toeStatus)
            (self.gd, self.gdResidual, self.gdStatus) = (gd, gdResidual, gdStatus)
            (self.xgd, self.minimum, self.gap, self.minimumStatus, self.minimumExposedDirections) =
                (xgd, minimum, gap, minimumStatus, minimumExposedDirections)
        }
    }

    public var stopping: StoppingRule
    /// The time-ordered exponential's time limit, in sensing units (×s for completion).
    public var horizon: Double
    /// U0's seed (``FactorInitialization/gaussian(dimension:rank:norm:seed:)``).
    public var seed: UInt64
    /// The seed of the planted problems (``PaperSetting/problem(_:seed:)``).
    public var problemSeed: UInt64 = 0
    public var initialNorm = 1e-4
    /// Gradient descent's step in sensing units.
    public var descentStep = 1e-3
    /// The time-ordered exponential's step in sensing units.
    public var exponentialStep = 0.1
    /// The flow's stationarity target: X within this of its limit, relatively.
    public var flowStationarity = 1e-6
    /// The flow's time limit in sensing units.
    public var flowTimeLimit = 1e14
    public var flowMaxSteps = 200_000
    public var flowRelativeTolerance = 1e-8
    public var workers = 2

    /// Figure 3's runs at a profile: its stopping rule, its horizon (``FigureProfile/exponentialHorizon``)
    /// and its first seed.
    public init(profile: FigureProfile) {
        stopping = profile.stopping
        horizon = profile.exponentialHorizon
        seed = profile.seeds[0]
    }

    /// Every (observations, setting), observations first, in their `allCases` order.
    public static let problems: [(observations: PaperSetting.Observations, setting: PaperSetting)] =
        PaperSetting.Observations.allCases.flatMap { o in PaperSetting.allCases.map { (o, $0) } }

    /// s: 1 for sensing, N/m (N = n(n+1)/2) for completion.
    public static func stretch(of problem: MeasurementProblem, observations: PaperSetting.Observations) -> Double {
        let n = PaperSetting.dimension
        return observations == .sensing ? 1 : Double(n * (n + 1) / 2) / Double(problem.count)
    }

    /// The flow's options for a problem of stretch s.
    public func flowOptions(stretch: Double) -> GradientFlow.Options {
        var options = GradientFlow.Options()
        options.relativeTolerance = flowRelativeTolerance
        options.residualTolerance = stopping.tolerance
        options.integrator = .automatic
        options.stationarityTolerance = flowStationarity
        options.decadeCertificate = true
        options.maxTime = flowTimeLimit * stretch
        options.maxSteps = flowMaxSteps
        return options
    }

    /// Every problem's outcome, in ``problems``' order; `progress(done, total)` after each problem
    /// (from the worker threads).
    public func run(progress: @escaping @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [Outcome] {
        let problems = Self.problems
        let done = Counter(0)
        return try ConcurrentWork.map(problems, workers: workers) { problem in
            defer { progress(done.increment(), problems.count) }
            return Result { try self.outcome(problem.observations, problem.setting) }
        }.map { try $0.get() }
    }

    /// The runs on one problem.
    public func outcome(_ observations: PaperSetting.Observations, _ setting: PaperSetting) throws -> Outcome {
        let problem = try setting.problem(observations, seed: problemSeed)
        let n = PaperSetting.dimension
        let stretch = Self.stretch(of: problem, observations: observations)
        let u0 = FactorInitialization.gaussian(dimension: n, rank: n, norm: initialNorm, seed: seed)
        let gd = FactorizedGradientDescent(problem: problem, stopping: stopping).run(from: u0, policy: .fixed(descentStep * stretch))
        let flow = GradientFlow(problem: problem, options: flowOptions(stretch: stretch)).run(from: u0)
        let toe = try TimeOrderedExponential(
            problem: problem, step: exponentialStep * stretch,
            stopping: StoppingRule(tolerance: stopping.tolerance, maxIterations: Int(horizon / exponentialStep))
        ).run(from: u0)
        let xgd = try ProjectedGradientDescent(problem: problem, stopping: stopping).run()
        let reference = try MinimumNuclearNorm(problem: problem).solve()
        guard case let .solution(minimum) = reference else {
            throw FactorizationSweep.UnexpectedInfeasibility(message: reference.message)
        }
        let eigenvalues = try SymmetricEigendecomposition(flow.x).values  // ascending
        return Outcome(
            observations: observations, setting: setting,
            flow: try flow.x.nuclearNorm(), flowResidual: flow.relativeResidual, flowTime: flow.time,
            flowStationarity: flow.stationarity, flowRemainingBound: flow.remainingBound,
            flowStationaryBy: flow.stationaryBy?.rawValue ?? "none", flowStatus: flow.status,
            flowSteps: flow.steps, flowJacobians: flow.jacobians,
            flowBeyondRank: eigenvalues[eigenvalues.count - 3] / eigenvalues[eigenvalues.count - 1],
            toe: try toe.nuclearNorm(), toeResidual: toe.relativeResidual, toeStatus: toe.status,
            gd: try gd.nuclearNorm(), gdResidual: gd.relativeResidual, gdStatus: gd.status,
            xgd: try xgd.nuclearNorm(), minimum: minimum.nuclearNorm, gap: minimum.dualityGap,
            minimumStatus: minimum.status, minimumExposedDirections: minimum.exposedDirections)
    }
}
