import Foundation

/// The limit ᾱ → 0 of Figure 4's flows, over the feasible instances of Figure 4's run: Δ at
/// ᾱ = 1, 1e-3, 1e-5 (Figure 4's own flows) and at ᾱ = 1e-100 (the graded flow, ``deepSearch``, which
/// also runs ``GreedyLowRankLearning``), and the flows under the isometric weighting (``isometricSearch``).
///
/// The three runs are of the same instances (the same subsample), so an instance sits at the same
/// position in each run's outcomes; ``feasible`` lists the positions of the instances with a PSD completion.
/// Statistics of Δ at one ᾱ are over the flows that reached their limit (`.solved`): a flow stopped
/// short has not, and its Δ is not its limit's.
public struct FlowLimitStudy: Sendable {
    /// The ᾱ compared, largest first: Figure 4's three, then the graded flow's.
    public static let initNorms = [1.0, 1e-3, 1e-5, 1e-100]
    /// Two Δ differ when they are more than 1e-6 apart: the flows' stationarity tolerance.
    public static let stationarity = 1e-6

    /// The flows from ᾱ = 1e-100 on a graded factor, with GLRL beside them.
    public static var deepSearch: ExhaustiveSearch {
        var search = ExhaustiveSearch(initNorms: [1e-100], greedy: GreedyLowRankLearning.Options())
        search.representation = .graded
        return search
    }

    /// Figure 4's flows under the isometric weighting of an off-diagonal observation.
    public static var isometricSearch: ExhaustiveSearch { ExhaustiveSearch(initNorms: [1e-5, 1e-3, 1], weighting: .isometric) }

    /// Figure 4's run (ᾱ = 1e-5, 1e-3, 1), the run of ``deepSearch`` and the run of ``isometricSearch``.
    public let figure4: ExhaustiveSearch.Summary
    public let deep: ExhaustiveSearch.Summary
    public let isometric: ExhaustiveSearch.Summary
    /// Positions in the outcomes (in index order) of the instances with a PSD completion.
    public let feasible: [Int]

    public init(figure4: ExhaustiveSearch.Summary, deep: ExhaustiveSearch.Summary, isometric: ExhaustiveSearch.Summary) {
        precondition(deep.outcomes.map(\.index) == figure4.outcomes.map(\.index) && isometric.outcomes.map(\.index) == figure4.outcomes.map(\.index),
                     "the three runs are of the same instances")
        (self.figure4, self.deep, self.isometric) = (figure4, deep, isometric)
        feasible = figure4.outcomes.indices.filter { figure4.outcomes[$0].verdict == .feasible }
    }

    /// The study on `profile`'s subsample: Figure 4's run read back (or resumed) from `figure4State`,
    /// the state folder of the notebook that runs Figure 4, and the runs of ``deepSearch`` (`limit-…`)
    /// and ``isometricSearch`` (`limit-isometric-…`) in `stateFolder`, each resumed from its finished
    /// chunks, on `executor`. `progress(label)` makes each run's `progress(done, total)` callback.
    public static func run(
        profile: FigureProfile, figure4State: URL, stateFolder: URL, codeDigest: String, executor: WorkExecutor? = nil,
        progress: (_ label: String) -> @Sendable (Int, Int) -> Void = { _ in { _, _ in } }
    ) throws -> FlowLimitStudy {
        func run(_ search: ExhaustiveSearch, _ name: String, in state: URL, _ label: String) throws -> ExhaustiveSearch.Summary {
            try search.run(named: name, in: state, profile: profile, codeDigest: codeDigest, executor: executor, progress: progress(label))
        }
        return FlowLimitStudy(
            figure4: try run(ExhaustiveSearch(), ExhaustiveSearch.figure4RunName, in: figure4State, "ᾱ = 1e-5, 1e-3, 1"),
            deep: try run(deepSearch, "limit", in: stateFolder, "ᾱ = 1e-100 (graded flow) and GLRL"),
            isometric: try run(isometricSearch, "limit-isometric", in: stateFolder, "isometric weighting"))
    }

    /// One line for a report's log: the instances and those with a PSD completion.
    public var log: String { "\(figure4.instances) instances, \(feasible.count) with a PSD completion" }

    /// The run that holds ᾱ and ᾱ's position in its ``ExhaustiveSearch/Summary/perInitNorm``.
    func column(_ alpha: Double) -> (summary: ExhaustiveSearch.Summary, k: Int) {
        if let k = figure4.perInitNorm.firstIndex(where: { $0.initNorm == alpha }) { return (figure4, k) }
        guard let k = deep.perInitNorm.firstIndex(where: { $0.initNorm == alpha }) else { preconditionFailure("ᾱ = \(alpha) was not run") }
        return (deep, k)
    }

    /// Δ of each feasible instance's flow from ᾱ (in ``feasible``'s order).
    public func deltas(_ alpha: Double) -> [Double] {
        let (s, k) = column(alpha)
        return feasible.map { s.outcomes[$0].deltas[k] }
    }

    /// The status of each feasible instance's flow from ᾱ.
    public func statuses(_ alpha: Double) -> [SolverStatus] {
        let (s, k) = column(alpha)
        return feasible.map { s.outcomes[$0].statuses[k] }
    }

    /// The order statistic `sorted[min(n − 1, ⌊q n⌋)]` of `values` (NaN when empty): the median at q = ½
    /// is `sorted[⌊n/2⌋]`, the upper of the two middle values when n is even.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]
    }

    /// One ᾱ's statistics of Δ over the flows that reached their limit.
    public struct AlphaRow: Codable, Sendable {
        public var initNorm: Double
        /// The ᾱ's place on the drawing's ordered axis (0 for ᾱ = 1).
        public var position: Int
        public var feasible: Int
        /// Flows that reached their limit (`.solved`): the statistics are over these.
        public var stationary: Int
        public var shareWithin: Double
        public var medianDelta: Double
        public var p90Delta: Double
        public var maxDelta: Double
        /// Over every flow of a feasible instance: not `.solved`, Δ < 0, Δ below its floor, the lowest floor of a Δ < 0.
        public var unsolved: Int
        public var negative: Int
        public var belowFloor: Int
        public var lowestNegativeFloor: Double

        enum CodingKeys: String, CodingKey {
            case initNorm = "init_norm", position, feasible, stationary, shareWithin = "share_within_1e-2", medianDelta = "median_delta"
            case p90Delta = "p90_delta", maxDelta = "max_delta", unsolved, negative, belowFloor = "below_floor", lowestNegativeFloor = "lowest_negative_floor"
        }
    }

    /// A row per ᾱ of ``initNorms``.
    public var byAlpha: [AlphaRow] {
        Self.initNorms.enumerated().map { position, alpha in
            let (s, k) = column(alpha)
            let p = s.perInitNorm[k]
            let d = zip(deltas(alpha), statuses(alpha)).filter { $0.1 == .solved }.map(\.0)
            return AlphaRow(
                initNorm: alpha, position: position, feasible: feasible.count, stationary: d.count,
                shareWithin: Double(d.filter { abs($0) < ExhaustiveSearch.nearMinimum }.count) / Double(d.count),
                medianDelta: Self.quantile(d, 0.5), p90Delta: Self.quantile(d, 0.9), maxDelta: d.max() ?? .nan,
                unsolved: p.unsolved, negative: p.negative, belowFloor: p.belowFloor, lowestNegativeFloor: p.lowestNegativeFloor)
        }
    }

    /// The flows that did not reach their limit, ᾱ by ᾱ (in ``initNorms``' order), then instance by instance.
    public var flowsNotStationary: [ExhaustiveSearch.StoppedFlow] {
        Self.initNorms.flatMap { alpha in
            let (s, k) = column(alpha)
            return feasible.filter { s.outcomes[$0].statuses[k] != .solved }.map {
                ExhaustiveSearch.StoppedFlow(index: s.outcomes[$0].index, initNorm: alpha, status: s.outcomes[$0].statuses[k], delta: s.outcomes[$0].deltas[k])
            }
        }
    }

    /// How many flows did not reach their limit, per ᾱ of ``initNorms``.
    public var unsolvedCounts: [Int] { Self.initNorms.map { statuses($0).filter { $0 != .solved }.count } }

    /// How Δ moves as ᾱ shrinks, over the instances whose four flows all reached their limit.
    public struct Trend: Sendable {
        /// Instances whose flows at every ᾱ of ``FlowLimitStudy/initNorms`` are `.solved`.
        public var allSolved: Int
        /// Of those, Δ grows by more than ``FlowLimitStudy/stationarity`` from ᾱ = 1e-3 to 1e-5 and again to 1e-100.
        public var growing: Int
        /// Of those, Δ falls by more than ``FlowLimitStudy/stationarity`` at both steps.
        public var shrinking: Int
    }

    public var trend: Trend {
        let (d3, d5, d100) = (deltas(1e-3), deltas(1e-5), deltas(1e-100))
        let statusTable = Self.initNorms.map(statuses)
        let allSolved = feasible.indices.filter { i in statusTable.allSatisfy { $0[i] == .solved } }
        let epsilon = Self.stationarity
        return Trend(
            allSolved: allSolved.count,
            growing: allSolved.filter { d5[$0] > d3[$0] + epsilon && d100[$0] > d5[$0] + epsilon }.count,
            shrinking: allSolved.filter { d5[$0] < d3[$0] - epsilon && d100[$0] < d5[$0] - epsilon }.count)
    }

    /// The lowest certified floor among the flows (at every ᾱ of ``initNorms``) that reached their limit
    /// with Δ < 0, or 0 when there are none: the tolerance their certificates allow them.
    public var lowestSolvedNegativeFloor: Double {
        Self.initNorms.flatMap { alpha -> [Double] in
            let (s, k) = column(alpha)
            return feasible.map { s.outcomes[$0] }.filter { $0.statuses[k] == .solved && $0.deltas[k] < 0 }.map { $0.floors[k] }
        }.min() ?? 0
    }

    /// Whether no flow of the three runs, under either weighting, has a Δ below its certified floor.
    public var noDeltaBelowFloor: Bool { [figure4, deep, isometric].allSatisfy(\.noDeltaBelowFloor) }
}
