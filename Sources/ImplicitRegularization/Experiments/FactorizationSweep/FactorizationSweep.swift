import Foundation
import LinearAlgebra

/// The experiment of Figures 1 and 2: on one problem, gradient descent on U (equation (2)) for
/// every d of a grid, every seed and four ways of running it (``Curve``), beside two references:
/// X_gd (projected gradient descent on X, ``ProjectedGradientDescent``) and the minimum nuclear
/// norm solution (``MinimumNuclearNorm``).
///
/// The runs share the operator A, so they go through ``BatchedGradientDescent``, split across
/// `workers` threads (OpenBLAS single-threaded in each). The SVD initialisation does not depend
/// on a seed: it runs once per d and is reported under every seed.
public struct FactorizationSweep: Sendable {
    /// The four descents of Figure 1.
    public enum Curve: String, CaseIterable, Sendable, Codable {
        /// `‖U0‖_F = 1e-4`, η = 1e-3: small initialisation, small step.
        case smallInitialization = "small-init"
        /// `‖U0‖_F = 1`, η = 1e-3.
        case largeInitialization = "large-init"
        /// `‖U0‖_F = 1e-4`, the exact line search (``ExactLineSearch``).
        case lineSearch = "line-search"
        /// `U0` = the top d eigenpairs of X_gd, η = 1e-3 (``FactorInitialization/spectral(of:rank:)``).
        case svdInitialization = "svd-init"

        /// The legend of the paper's figure.
        public var label: String {
            switch self {
            case .smallInitialization: "‖U0‖ = 1e-4, η = 1e-3"
            case .largeInitialization: "‖U0‖ = 1, η = 1e-3"
            case .lineSearch: "‖U0‖ = 1e-4, η_ELS"
            case .svdInitialization: "SVD initialisation"
            }
        }
    }

    /// One run's end.
    public struct Point: Sendable, Codable {
        public var curve: Curve
        public var rank: Int
        public var seed: UInt64
        /// `‖X − X*‖_F / ‖X*‖_F`.
        public var reconstructionError: Double
        /// `‖A(X) − y‖ / ‖y‖`.
        public var relativeResidual: Double
        public var nuclearNorm: Double
        public var iterations: Int
        public var status: SolverStatus
        /// U where the run stopped (n × rank, column-major), where the limit continues from
        /// (``limits(of:references:options:progress:)``). nil in a point decoded from before it was kept.
        public var factor: [Double]? = nil
        /// Σ η_k over the run's steps: the gradient flow's time its U approximates (η·iterations for
        /// the fixed steps), where the limit's flow starts its clock. nil as `factor`.
        public var time: Double? = nil
    }

    /// The horizontal lines of the figures.
    public struct References: Sendable {
        public var xgd: Matrix
        public var xgdReconstructionError: Double
        public var xgdRelativeResidual: Double
        public var xgdNuclearNorm: Double
        public var minimumNuclearNorm: Double
        public var minimumReconstructionError: Double
        /// The SDP's certified relative duality gap.
        public var minimumDualityGap: Double
        /// The SDP's status (`.solved`: gap and residual certified within 1e-8) and message.
        public var minimumStatus: SolverStatus
        public var minimumMessage: String
        /// X_gd's status under the sweep's stopping rule.
        public var xgdStatus: SolverStatus
    }

    /// A planted problem whose SDP reports no PSD solution: X* is one, so the solver failed.
    public struct UnexpectedInfeasibility: Error, CustomStringConvertible {
        public var message: String
        public var description: String { "the minimum nuclear norm SDP reports a planted problem infeasible: \(message)" }
    }

    public let problem: MeasurementProblem
    public var ranks: [Int]
    public var seeds: [UInt64]
    public var curves: [Curve]
    public var stopping: StoppingRule
    /// η of the fixed-step curves (SPEC: 1e-3).
    public var step = 1e-3
    /// The line search's clip (as `factorize gd --line-search`).
    public var maxLineSearchStep = 0.1
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    public init(problem: MeasurementProblem, ranks: [Int], seeds: [UInt64], curves: [Curve] = Curve.allCases, stopping: StoppingRule) {
        precondition(problem.planted != nil, "the sweep measures the reconstruction error: the problem needs X*")
        self.problem = problem
        self.ranks = ranks
        self.seeds = seeds
        self.curves = curves
        self.stopping = stopping
    }

    /// X_gd (to the sweep's stopping rule) and the minimum nuclear norm (to the SDP's gap).
    public func references() throws -> References {
        let xgd = try ProjectedGradientDescent(problem: problem, stopping: stopping).run()
        let outcome = try MinimumNuclearNorm(problem: problem).solve()
        guard case let .solution(minimum) = outcome else { throw UnexpectedInfeasibility(message: outcome.message) }
        return References(
            xgd: xgd.x, xgdReconstructionError: problem.reconstructionError(xgd.x)!, xgdRelativeResidual: xgd.relativeResidual,
            xgdNuclearNorm: try xgd.nuclearNorm(), minimumNuclearNorm: minimum.nuclearNorm,
            minimumReconstructionError: problem.reconstructionError(minimum.x)!, minimumDualityGap: minimum.dualityGap,
            minimumStatus: minimum.status, minimumMessage: minimum.message, xgdStatus: xgd.status)
    }

    /// Every (curve, d, seed), in that order. `progress(finished, total)` is called as runs end
    /// (from the worker threads).
    public func run(references: References, progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) throws -> [Point] {
        let jobs = try descentJobs(ranks: ranks, references: references)
        // Deal the jobs round-robin, so each worker gets a share of every curve and d.
        let workerCount = max(1, min(workers, jobs.count))
        let shares = (0..<workerCount).map { w in Array(stride(from: w, to: jobs.count, by: workerCount)) }
        let batch = BatchedGradientDescent(problem: problem, stopping: stopping)
        let finished = Counter(0)
        let total = jobs.count
        let results = ConcurrentWork.map(shares) { share in
            batch.run(share.map { jobs[$0].run }, onStop: { _ in progress(finished.increment(), total) })
        }
        var points = [Point?](repeating: nil, count: jobs.count)
        for (share, outcome) in zip(shares, results) {
            for (index, result) in zip(share, outcome) {
                let job = jobs[index]
                points[index] = try point(curve: job.curve, rank: job.rank, seed: job.seed, result: result)
            }
        }
        // The SVD initialisation, reported under every seed.
        return curves.flatMap { curve in
            ranks.flatMap { d in
                seeds.map { seed in
                    var point = points.first { $0!.curve == curve && $0!.rank == d && (curve == .svdInitialization || $0!.seed == seed) }!!
                    point.seed = seed
                    return point
                }
            }
        }
    }

    /// The mean and the sample standard deviation (0 for one value) of `value` over the seeds
    /// of one curve at one d (``SeedStatistics/meanAndDeviation(_:)``).
    public static func statistic(
        _ points: [Point], curve: Curve, rank: Int, _ value: (Point) -> Double
    ) -> (mean: Double, standardDeviation: Double) {
        let values = points.filter { $0.curve == curve && $0.rank == rank }.map(value)
        precondition(!values.isEmpty, "no run of \(curve.rawValue) at d = \(rank)")
        return SeedStatistics.meanAndDeviation(values)
    }
}
