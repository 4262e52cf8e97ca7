import Foundation

extension FlowLimitStudy {
    /// One ᾱ under the two weightings of an off-diagonal observation (``ExhaustiveSearch/Weighting``):
    /// the share of feasible instances near the minimum, the median and largest Δ, and the flows short of their limit.
    /// Over every feasible instance's flow (whether or not it reached its limit).
    public struct WeightingRow: Codable, Sendable {
        public var initNorm: Double
        public var shareEntry: Double
        public var shareIsometric: Double
        public var medianEntry: Double
        public var medianIsometric: Double
        public var maxEntry: Double
        public var maxIsometric: Double
        public var unsolvedEntry: Int
        public var unsolvedIsometric: Int

        enum CodingKeys: String, CodingKey {
            case initNorm = "init_norm", shareEntry = "share_entry", shareIsometric = "share_isometric", medianEntry = "median_entry"
            case medianIsometric = "median_isometric", maxEntry = "max_entry", maxIsometric = "max_isometric"
            case unsolvedEntry = "unsolved_entry", unsolvedIsometric = "unsolved_isometric"
        }
    }

    /// A row per ᾱ of Figure 4 (1e-5, 1e-3, 1).
    public var weighting: [WeightingRow] {
        [1e-5, 1e-3, 1.0].map { alpha in
            let (s, k) = column(alpha)
            guard let kIso = isometric.perInitNorm.firstIndex(where: { $0.initNorm == alpha }) else { preconditionFailure("ᾱ = \(alpha) was not run isometrically") }
            let (a, b) = (s.perInitNorm[k], isometric.perInitNorm[kIso])
            return WeightingRow(
                initNorm: alpha, shareEntry: Double(a.within1e2) / Double(feasible.count), shareIsometric: Double(b.within1e2) / Double(feasible.count),
                medianEntry: Self.quantile(deltas(alpha), 0.5), medianIsometric: b.medianDelta, maxEntry: a.maxDelta, maxIsometric: b.maxDelta,
                unsolvedEntry: a.unsolved, unsolvedIsometric: b.unsolved)
        }
    }
}
