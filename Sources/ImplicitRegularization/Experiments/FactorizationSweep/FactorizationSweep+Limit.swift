import Foundation
import LinearAlgebra

/// Every run of the sweep taken to its limit: the paper ran gradient descent "to convergence …
/// without any early stopping", while the sweep's runs stop at the iteration cap (50,000 in the
/// full profile), most of those of settings (a) and (b) far from where they are going (in (b) every
/// small-init run with d ≥ 2 stops at training error 6–8e-2, nuclear norm 7–10% *below* the
/// minimum's: it has not fit the data yet).
///
/// **The route: the gradient flow from where gradient descent stopped.** Each run is continued from
/// its last iterate U_k (``Point/factor``) by the gradient flow of the same loss,
///
///     dU/dt = −∇f(U) = −2 A*(A(UUᵀ) − y) U,   U(t₀) = U_k,   t₀ = Σ η_j (= η·k for a fixed step),
///
/// (``GradientFlow`` on RODAS4, `.stiff`: the analytic Jacobian, the step's linear systems by
/// Woodbury's identity where m ≤ n·d/2, else a dense LU), until it is stationary. The continuation
/// starts in the late, stiff phase, past the growth from near zero that Dormand–Prince serves:
/// `.automatic` from there (Dormand–Prince until its stiffness test fires) reached the same limits
/// where it worked, but from a line-search run stopped at training error 1e-6 ((b), d = 10, t₀ = 3,209)
/// its explicit phase blew up (NaN) within 3,000 steps, where RODAS4 is stationary in 10. Why the flow rather than gradient descent itself: gradient descent with
/// η = 1e-3 is the explicit Euler method on this flow, so past the iteration cap it would follow
/// the flow with an error O(η) at the cost of 1/η iterations per unit of t, and the late phase is
/// long and stiff (in (b) the small-init flows are stationary at t ≈ 10⁴–4·10⁵: 10⁷–10⁸
/// iterations at ~0.1 ms each; in (a) t ~ 10⁶). RODAS4's steps grow with t (tens to about a
/// thousand steps per run). What is computed is therefore the limit of the *flow* through U_k, which
/// differs from gradient descent's own limit by the discretisation, O(η): `Benchmarks/limit-probe
/// --check` runs gradient descent to its own limit on a few runs and measures the difference
/// (the README of the module and the probe state the numbers). For the line-search curve, whose
/// iterates follow no flow (its steps are up to 0.1, clipped), the limit is that of the flow through
/// where the line search stopped, t₀ its summed steps.
///
/// **Stopping targets** (``LimitOptions/standard``, Figure 3's flows): rtol 1e-8, and stationary,
/// `X` within `1e-6` (relatively) of its limit, by one of
///
/// - **interpolating limits** (relative training error ≤ 1e-6, the sweep's own target): `t‖Ẋ‖/‖X‖ ≤ 1e-6`
///   with the residual at its round-off floor (`speed`: bounds what is left where X approaches its
///   limit like t^(−p), p ≥ 1), or the decade certificate (`decade-certificate`: a power law fitted
///   to X's displacement over two decades of t, for approaches slower than 1/t) — ``GradientFlow``;
/// - **limits that do not fit the data** (d = 1 in (a) and (b), and d with n·d − d(d−1)/2 < m = 300,
///   d ≤ 6, in (b): the rank-d manifold is too small to interpolate): a strict local minimum of the
///   loss in U modulo rotations whose Newton step moves X by at most 1e-6 (`local-minimum`:
///   ``GradientFlow/localMinimumCertificate(state:residual:jacobian:)``, second order, so that the
///   plateau of a flow still learning a direction, a saddle, is never taken for its limit),
///   reported `.solved` with its residual;
///
/// or `time_limit` at t = 10¹⁴, `step_limit` at 200,000 steps. A run gradient descent ended
/// `diverged` is reported as such without a flow.
///
/// The runs go to ``ConcurrentWork`` workers (OpenBLAS single-threaded in each: the caller's
/// ``BLASThreads``), which take the next run from a shared queue, the widest first (the costliest).
/// The SVD initialisation is continued once per d and reported under every seed, as in ``run(references:progress:)``.
extension FactorizationSweep {
    /// How the runs are continued to their limit.
    public struct LimitOptions: Sendable {
        /// The flow's options: see ``standard``.
        public var flow: GradientFlow.Options
        public var workers = ProcessInfo.processInfo.activeProcessorCount

        public init(flow: GradientFlow.Options) {
            self.flow = flow
        }

        /// Figure 3's flow options on RODAS4, with the local-minimum certificate: rtol 1e-8, `.stiff`,
        /// training error ≤ 1e-6 and X within 1e-6 of its limit (speed at round-off, the decade
        /// certificate, or the local-minimum certificate), t ≤ 10¹⁴, at most 200,000 steps.
        public static var standard: LimitOptions {
            var flow = GradientFlow.Options()
            flow.relativeTolerance = 1e-8
            flow.residualTolerance = 1e-6
            flow.integrator = .stiff
            flow.stationarityTolerance = 1e-6
            flow.decadeCertificate = true
            flow.localMinimumCertificate = true
            flow.maxTime = 1e14
            flow.maxSteps = 200_000
            return LimitOptions(flow: flow)
        }
    }

    /// One run's limit (``limits(of:references:options:progress:)``).
    public struct Limit: Sendable, Codable {
        public var curve: Curve
        public var rank: Int
        public var seed: UInt64
        /// `‖X‖_*` at the limit (X = UUᵀ ⪰ 0: its trace).
        public var nuclearNorm: Double
        /// `‖X‖_*` over the certified minimum nuclear norm, minus 1.
        public var excessOverMinimum: Double
        /// `‖X − X*‖_F / ‖X*‖_F`.
        public var reconstructionError: Double
        /// `‖A(X) − y‖ / ‖y‖`.
        public var relativeResidual: Double
        /// `.solved` only when the flow met one of its stationarity targets (see the extension's
        /// documentation), `.diverged` when gradient descent had diverged.
        public var status: SolverStatus
        public var message: String
        /// Which test found it stationary (nil unless solved).
        public var stationaryBy: GradientFlow.StationarityTest?
        /// The flow's start, `t₀ = Σ η` of gradient descent, and where it ended.
        public var startTime: Double
        public var time: Double
        /// `t‖Ẋ‖/‖X‖` where it ended.
        public var stationarity: Double
        /// The local-minimum certificate's Newton remainder `‖δX‖/‖X‖` (NaN unless it ended by it).
        public var newtonRemainder: Double
        /// The flow's accepted steps and Jacobians.
        public var steps: Int
        public var jacobians: Int
        /// The run's cost: wall-clock and its worker thread's CPU seconds.
        public var seconds: Double
        public var cpuSeconds: Double
        /// How gradient descent itself had ended (the ``Point``'s status and iterations).
        public var descentStatus: SolverStatus
        public var descentIterations: Int
    }

    /// A point without its factor (decoded from before the sweep kept it): it cannot be continued.
    public struct MissingFactor: Error, CustomStringConvertible {
        public var curve: Curve
        public var rank: Int
        public var seed: UInt64
        public var description: String { "the point \(curve.rawValue), d = \(rank), seed \(seed) has no factor U: run the sweep again" }
    }

    /// Every point's limit, in the points' order. `progress(finished, total)` is called as each
    /// run's flow ends (from the worker threads; total counts the distinct runs, the SVD
    /// initialisation once per d).
    public func limits(
        of points: [Point], references: References, options: LimitOptions = .standard,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> [Limit] {
        // The distinct runs: the SVD initialisation's point is repeated under every seed.
        var distinct: [Int] = []
        var source = [Int](repeating: 0, count: points.count)
        for (index, point) in points.enumerated() {
            if point.curve == .svdInitialization,
               let first = distinct.first(where: { points[$0].curve == .svdInitialization && points[$0].rank == point.rank }) {
                source[index] = first
                continue
            }
            guard point.factor != nil || point.status == .diverged else {
                throw MissingFactor(curve: point.curve, rank: point.rank, seed: point.seed)
            }
            source[index] = index
            distinct.append(index)
        }
        // Widest first: the costliest runs start early, so that the two workers finish together.
        let queue = distinct.sorted { (points[$0].rank, $0) > (points[$1].rank, $1) }
        let finished = Counter(0)
        let problem = self.problem
        let minimum = references.minimumNuclearNorm
        let computed = ConcurrentWork.map(queue, workers: options.workers) { index in
            defer { progress(finished.increment(), queue.count) }
            return Self.limit(of: points[index], problem: problem, minimum: minimum, options: options.flow)
        }
        let byIndex = Dictionary(uniqueKeysWithValues: zip(queue, computed))
        return points.indices.map { index in
            var limit = byIndex[source[index]]!
            limit.seed = points[index].seed
            return limit
        }
    }

    /// One run's limit: the flow from its U at t₀ (see the extension's documentation).
    static func limit(of point: Point, problem: MeasurementProblem, minimum: Double, options: GradientFlow.Options) -> Limit {
        let startWall = Date()
        let startCPU = threadCPUTime()
        let n = problem.dimension
        let t0 = point.time ?? 0
        func ended(
            x: Matrix, relativeResidual: Double, status: SolverStatus, message: String, flow: GradientFlow.Result?
        ) -> Limit {
            let nuclear = (try? x.nuclearNorm()) ?? .nan
            return Limit(
                curve: point.curve, rank: point.rank, seed: point.seed, nuclearNorm: nuclear, excessOverMinimum: nuclear / minimum - 1,
                reconstructionError: problem.reconstructionError(x) ?? .nan, relativeResidual: relativeResidual, status: status, message: message,
                stationaryBy: flow?.stationaryBy, startTime: t0, time: flow?.time ?? t0, stationarity: flow?.stationarity ?? .nan,
                newtonRemainder: flow?.localMinimum?.remaining ?? .nan, steps: flow?.steps ?? 0, jacobians: flow?.jacobians ?? 0,
                seconds: Date().timeIntervalSince(startWall), cpuSeconds: threadCPUTime() - startCPU,
                descentStatus: point.status, descentIterations: point.iterations)
        }
        guard point.status != .diverged, let entries = point.factor, entries.allSatisfy(\.isFinite) else {
            let u = point.factor.map { Matrix(rows: n, columns: point.rank, columnMajor: $0) }
            return ended(x: u.map(Matrix.gram) ?? Matrix(rows: n, columns: n, repeating: .nan), relativeResidual: point.relativeResidual,
                         status: .diverged, message: "gradient descent diverged: no limit", flow: nil)
        }
        let u = Matrix(rows: n, columns: point.rank, columnMajor: entries)
        let flow = GradientFlow(problem: problem, options: options).run(from: u, startTime: t0)
        return ended(x: flow.x, relativeResidual: flow.relativeResidual, status: flow.status, message: flow.message, flow: flow)
    }
}

/// The calling thread's CPU time in seconds.
func threadCPUTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}
