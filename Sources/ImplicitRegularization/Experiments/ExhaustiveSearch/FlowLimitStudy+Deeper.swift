import Foundation

extension FlowLimitStudy {
    /// One instance flowed from below ᾱ = 1e-100: where the flow and GLRL finished apart at 1e-100
    /// (from 1e-300 and 1e-1000), or where GLRL diverged (from 1e-300; `delta_1e-1000` NaN, status "none").
    public struct DeeperRow: Codable, Sendable {
        public var index: Int
        public var kind: String
        public var greedyDelta: Double
        public var delta100: Double
        public var delta300: Double
        public var status300: String
        public var delta1000: Double
        public var status1000: String

        enum CodingKeys: String, CodingKey {
            case index, kind = "class", greedyDelta = "glrl_delta", delta100 = "delta_1e-100", delta300 = "delta_1e-300"
            case status300 = "status_1e-300", delta1000 = "delta_1e-1000", status1000 = "status_1e-1000"
        }
    }

    /// The graded flow from ᾱ = 1e-300 and 1e-1000 where the flow from 1e-100 and GLRL finished apart,
    /// and from 1e-300 where GLRL diverged.
    public struct DeeperLimits: Sendable {
        /// log10 ᾱ of the flows where both finished apart.
        public static let apartExponents = [-300.0, -1000.0]
        /// log10 ᾱ of the flows where GLRL diverged.
        public static let divergedExponents = [-300.0]

        public var comparison: GreedyComparison
        /// Per instance of ``GreedyComparison/differ``, the flows from ``apartExponents``; per instance of
        /// ``GreedyComparison/greedyDiverged``, from ``divergedExponents``.
        public var apart: [[ExhaustiveSearch.DeeperLimit]]
        public var diverged: [[ExhaustiveSearch.DeeperLimit]]

        /// A row per instance, those finished apart first.
        public var rows: [DeeperRow] {
            let c = comparison
            return zip(c.differ, apart).map { i, flows in
                DeeperRow(index: c.indices[i], kind: "both finished apart", greedyDelta: c.greedy[i].delta, delta100: c.flowLimit[i],
                          delta300: flows[0].delta, status300: flows[0].status.rawValue, delta1000: flows[1].delta, status1000: flows[1].status.rawValue)
            } + zip(c.greedyDiverged, diverged).map { i, flows in
                DeeperRow(index: c.indices[i], kind: "GLRL diverged", greedyDelta: c.greedy[i].delta, delta100: c.flowLimit[i],
                          delta300: flows[0].delta, status300: flows[0].status.rawValue, delta1000: .nan, status1000: "none")
            }
        }

        /// Where both finished apart: |Δ_flow − Δ_GLRL| per instance from ᾱ = 1e-100, 1e-300 and 1e-1000 (one list each).
        public var gaps: [[Double]] {
            let c = comparison
            return [zip(c.differ, apart).map { i, _ in abs(c.flowLimit[i] - c.greedy[i].delta) }]
                + Self.apartExponents.indices.map { e in zip(c.differ, apart).map { i, flows in abs(flows[e].delta - c.greedy[i].delta) } }
        }

        /// The median gap from ᾱ = 1e-100, 1e-300 and 1e-1000 (``FlowLimitStudy/quantile(_:_:)`` at ½).
        public var medianGaps: [Double] { gaps.map { FlowLimitStudy.quantile($0, 0.5) } }
        /// How many gaps are within ``FlowLimitStudy/agreement``, from ᾱ = 1e-100, 1e-300 and 1e-1000.
        public var withinAgreement: [Int] { gaps.map { $0.filter { $0 <= FlowLimitStudy.agreement }.count } }
        /// Instances finished apart that are closer to GLRL from ᾱ = 1e-1000 than from 1e-100.
        public var closerAt1000: Int { zip(gaps[0], gaps[2]).filter { $0.1 < $0.0 }.count }
        /// Instances where GLRL diverged whose Δ is larger from ᾱ = 1e-300 than from 1e-100.
        public var growingWhereDiverged: Int { zip(comparison.greedyDiverged, diverged).filter { $0.1[0].delta > comparison.flowLimit[$0.0] }.count }
        /// The median Δ, where GLRL diverged, from ᾱ = 1e-100 and from 1e-300.
        public var medianDivergedDelta: (from1e100: Double, from1e300: Double) {
            (FlowLimitStudy.quantile(comparison.greedyDiverged.map { comparison.flowLimit[$0] }, 0.5), FlowLimitStudy.quantile(diverged.map { $0[0].delta }, 0.5))
        }
        /// Whether every one of these flows reached its limit.
        public var allSolved: Bool { (apart + diverged).allSatisfy { $0.allSatisfy { $0.status == .solved } } }
    }

    /// The graded flows below ᾱ = 1e-100 (``ExhaustiveSearch/deeperLimits(of:minimum:log10InitNorms:workers:)`` of ``deepSearch``).
    public func deeperLimits(_ comparison: GreedyComparison) -> DeeperLimits {
        let search = Self.deepSearch
        func flows(_ list: [Int], _ exponents: [Double]) -> [[ExhaustiveSearch.DeeperLimit]] {
            search.deeperLimits(of: list.map { figure4.outcomes[feasible[$0]].index }, minimum: list.map { figure4.outcomes[feasible[$0]].minimum }, log10InitNorms: exponents)
        }
        return DeeperLimits(
            comparison: comparison, apart: flows(comparison.differ, DeeperLimits.apartExponents),
            diverged: flows(comparison.greedyDiverged, DeeperLimits.divergedExponents))
    }
}
