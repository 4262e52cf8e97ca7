import Foundation

/// ``ExhaustiveSearch/followedInstance`` (X₀₀ = X₁₁ = 1, X₀₁ = X₀₂ = 1/9, minimum 2 + 1/81) flowed on the
/// graded factor from ᾱ = 1 to 1e-300 under both weightings, with GLRL under each: where Δ of the
/// flow's limit goes as ᾱ → 0, against an independent integration.
public struct FollowedInstanceLimit: Sendable {
    /// The ᾱ, largest first.
    public static let initNorms = [1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-8, 1e-10, 1e-12, 1e-16, 1e-20, 1e-30, 1e-50, 1e-100, 1e-200, 1e-300]
    /// Δ of the limit ᾱ → 0 by an independent integration (scipy's LSODA at rtol 1e-11, from ᾱ = 1e-100).
    public static let referenceLimit = 3.9552e-3
    /// From ᾱ = 1e-50 on, Δ is within ``settledTolerance`` of ``referenceLimit``; from 1e-100 on, within ``limitTolerance``.
    public static let settledFrom = 1e-50
    public static let settledTolerance = 1e-5
    public static let limitFrom = 1e-100
    public static let limitTolerance = 1e-7

    public let index: Int
    /// The flows and GLRL under the entry weighting (the SPEC's) and under the isometric one.
    public let entry: ExhaustiveSearch.Outcome
    public let isometric: ExhaustiveSearch.Outcome

    /// Runs the flows (about 34 graded flows and two GLRL runs).
    public init(index: Int = ExhaustiveSearch.followedInstance) {
        var search = ExhaustiveSearch(initNorms: Self.initNorms, greedy: GreedyLowRankLearning.Options())
        search.representation = .graded
        var isometricSearch = search
        isometricSearch.weighting = .isometric
        self.index = index
        (entry, isometric) = (search.solve(index), isometricSearch.solve(index))
    }

    /// The flow's Δ from ᾱ under the entry weighting, and under the isometric one.
    public func delta(at alpha: Double) -> Double { entry.deltas[position(alpha)] }
    public func isometricDelta(at alpha: Double) -> Double { isometric.deltas[position(alpha)] }

    func position(_ alpha: Double) -> Int {
        guard let k = Self.initNorms.firstIndex(of: alpha) else { preconditionFailure("ᾱ = \(alpha) is not among the followed instance's") }
        return k
    }

    /// Δ from every ᾱ ≤ ``settledFrom`` (entry weighting).
    public var settledDeltas: [Double] { Self.initNorms.indices.filter { Self.initNorms[$0] <= Self.settledFrom }.map { entry.deltas[$0] } }
    /// The spread of ``settledDeltas``: the largest distance from the first (ᾱ = ``settledFrom``).
    public var settledSpread: Double { settledDeltas.map { abs($0 - settledDeltas[0]) }.max() ?? .nan }
    /// Whether every flow, under both weightings, reached its limit.
    public var allStationary: Bool { (entry.statuses + isometric.statuses).allSatisfy { $0 == .solved } }
    /// Whether every settled Δ is within ``settledTolerance`` of ``referenceLimit``, and within ``limitTolerance`` from ᾱ ≤ ``limitFrom``.
    public var matchesReference: Bool {
        Self.initNorms.indices.filter { Self.initNorms[$0] <= Self.settledFrom }.allSatisfy {
            abs(entry.deltas[$0] - Self.referenceLimit) < (Self.initNorms[$0] <= Self.limitFrom ? Self.limitTolerance : Self.settledTolerance)
        }
    }
    /// Whether every settled Δ is at the minimum, within ``FlowLimitStudy/stationarity``: what the conjecture says of the limit.
    public var settledAtMinimum: Bool { settledDeltas.allSatisfy { $0 <= FlowLimitStudy.stationarity } }
    /// GLRL's Δ and rank under the entry weighting, and its Δ under the isometric one.
    public var greedyDelta: Double { entry.greedy!.delta }
    public var greedyRank: Int { entry.greedy!.rank }
    public var isometricGreedyDelta: Double { isometric.greedy!.delta }
    /// Whether GLRL's Δ is within ``FlowLimitStudy/stationarity`` of the flow's from ᾱ = 1e-100, under both weightings.
    public var greedyIsTheLimit: Bool {
        abs(entry.greedy!.delta - delta(at: Self.limitFrom)) < FlowLimitStudy.stationarity
            && abs(isometric.greedy!.delta - isometricDelta(at: Self.limitFrom)) < FlowLimitStudy.stationarity
    }

    /// A row per ᾱ: the flow's Δ and status under each weighting, GLRL's Δ under each.
    public struct Row: Codable, Sendable {
        public var initNorm: Double
        public var deltaEntry: Double
        public var statusEntry: String
        public var deltaIsometric: Double
        public var statusIsometric: String
        public var greedyEntry: Double
        public var greedyIsometric: Double

        enum CodingKeys: String, CodingKey {
            case initNorm = "init_norm", deltaEntry = "delta_entry", statusEntry = "status_entry", deltaIsometric = "delta_isometric"
            case statusIsometric = "status_isometric", greedyEntry = "glrl_entry", greedyIsometric = "glrl_isometric"
        }
    }

    public var rows: [Row] {
        Self.initNorms.indices.map { k in
            Row(initNorm: Self.initNorms[k], deltaEntry: entry.deltas[k], statusEntry: entry.statuses[k].rawValue, deltaIsometric: isometric.deltas[k],
                statusIsometric: isometric.statuses[k].rawValue, greedyEntry: entry.greedy!.delta, greedyIsometric: isometric.greedy!.delta)
        }
    }
}
