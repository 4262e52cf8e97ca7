import Foundation

extension FlowLimitStudy {
    /// Two limits agree when their Δ are within 1e-4. Each is computed to 1e-6 (the flow's and GLRL's
    /// stationarity tolerance), but GLRL seeds each stage at ε = 1e-8 and the flow starts at ᾱ = 1e-100,
    /// not at 0: where a later direction escapes slowly, both limits are still on their way (on
    /// instance 14045, 5.7e-5 apart). 1e-4 is that allowance.
    public static let agreement = 1e-4
    /// A deviation: a flow at its limit with Δ ≥ 1e-2 (``ExhaustiveSearch/nearMinimum``).
    public static var deviation: Double { ExhaustiveSearch.nearMinimum }
    /// The log axes of the flow-against-GLRL drawing start at 1e-10: a Δ below it is drawn there.
    public static let drawnDeltaFloor = 1e-10

    /// GLRL on one feasible instance.
    public struct GreedyRow: Codable, Sendable {
        public var index: Int
        public var delta: Double
        public var status: String
        public var rank: Int
        public var floor: Double
    }

    /// One instance where both the flow from ᾱ = 1e-100 and GLRL finished: their Δ (each at least
    /// ``drawnDeltaFloor``) and whether the flow's is a deviation (Δ ≥ ``deviation``).
    public struct FlowAgainstGreedy: Codable, Sendable {
        public var deltaFlow: Double
        public var deltaGreedy: Double
        public var deviates: Bool

        enum CodingKeys: String, CodingKey { case deltaFlow = "delta_flow", deltaGreedy = "delta_glrl", deviates }
    }

    /// How many instances GLRL ended with one status.
    public struct StatusCount: Codable, Sendable {
        public var status: String
        public var instances: Int
    }

    /// An instance where GLRL does not account for the flow from ᾱ = 1e-100, and why: the flow did not
    /// reach its limit, GLRL did not finish, or both finished with Δ more than ``agreement`` apart.
    public struct Unaccounted: Codable, Sendable {
        public var index: Int
        public var values: String
        public var deltaFlow: Double
        public var statusFlow: String
        public var deltaFlowAt1e5: Double
        public var deltaGreedy: Double
        public var statusGreedy: String
        public var greedyRank: Int
        public var why: String

        enum CodingKeys: String, CodingKey {
            case index, values, deltaFlow = "delta_flow_1e-100", statusFlow = "status_flow", deltaFlowAt1e5 = "delta_flow_1e-5"
            case deltaGreedy = "delta_glrl", statusGreedy = "status_glrl", greedyRank = "glrl_rank", why
        }
    }

    /// Greedy low-rank learning beside the flow from ᾱ = 1e-100, instance by instance. The lists hold
    /// positions in ``FlowLimitStudy/feasible`` (0 is the first feasible instance).
    public struct GreedyComparison: Sendable {
        /// GLRL's outcome per feasible instance.
        public var greedy: [ExhaustiveSearch.GreedyOutcome]
        /// The instances' indices, Δ and status of the flow from ᾱ = 1e-100 and from 1e-5.
        public var indices: [Int]
        public var flowLimit: [Double]
        public var flowStatus: [SolverStatus]
        public var flowAt1e5: [Double]
        /// Both the flow and GLRL `.solved`.
        public var both: [Int]
        /// Of ``both``, those whose Δ agree to ``FlowLimitStudy/agreement``, and those that differ.
        public var agree: [Int]
        public var differ: [Int]
        /// Flows at their limit with Δ ≥ ``FlowLimitStudy/deviation``, and those of them GLRL accounts for (agrees with).
        public var deviations: [Int]
        public var accounted: [Int]
        /// Flows from ᾱ = 1e-100 that did not reach their limit.
        public var notStationary: [Int]
        /// Instances where GLRL diverged (a stage with no finite limit).
        public var greedyDiverged: [Int]
        /// Of ``differ``, those where the flow's Δ is closer to GLRL's from ᾱ = 1e-100 than from 1e-5.
        public var approaching: [Int]

        /// GLRL `.solved`.
        public var greedySolved: Int { greedy.filter { $0.status == .solved }.count }

        func agrees(_ i: Int) -> Bool {
            greedy[i].status == .solved && flowStatus[i] == .solved && abs(flowLimit[i] - greedy[i].delta) <= FlowLimitStudy.agreement
        }

        /// A row per feasible instance.
        public var greedyRows: [GreedyRow] {
            greedy.indices.map { GreedyRow(index: indices[$0], delta: greedy[$0].delta, status: greedy[$0].status.rawValue, rank: greedy[$0].rank, floor: greedy[$0].floor) }
        }

        /// A row per instance of ``both``.
        public var flowAgainstGreedyRows: [FlowAgainstGreedy] {
            both.map {
                FlowAgainstGreedy(deltaFlow: max(flowLimit[$0], FlowLimitStudy.drawnDeltaFloor), deltaGreedy: max(greedy[$0].delta, FlowLimitStudy.drawnDeltaFloor),
                                  deviates: flowLimit[$0] >= FlowLimitStudy.deviation)
            }
        }

        /// A row per status GLRL ended with on some instance, in ``SolverStatus``'s order.
        public var statusRows: [StatusCount] {
            SolverStatus.allCases.map { status in StatusCount(status: status.rawValue, instances: greedy.filter { $0.status == status }.count) }
                .filter { $0.instances > 0 }
        }

        /// A row per instance GLRL does not account for.
        public var unaccountedRows: [Unaccounted] {
            greedy.indices.filter { !agrees($0) }.map { i in
                let why = flowStatus[i] != .solved ? "flow \(flowStatus[i].rawValue)" : greedy[i].status != .solved ? "GLRL \(greedy[i].status.rawValue)" : "both finished, Δ differ"
                return Unaccounted(
                    index: indices[i], values: ExhaustiveSearch.valuesText(of: indices[i]), deltaFlow: flowLimit[i], statusFlow: flowStatus[i].rawValue,
                    deltaFlowAt1e5: flowAt1e5[i], deltaGreedy: greedy[i].delta, statusGreedy: greedy[i].status.rawValue, greedyRank: greedy[i].rank, why: why)
            }
        }
    }

    /// Whether every feasible instance of the run of ``deepSearch`` carries GLRL's outcome.
    public var everyFeasibleInstanceHasGreedy: Bool { feasible.allSatisfy { deep.outcomes[$0].greedy != nil } }

    /// GLRL beside the flow from ᾱ = 1e-100 (both from the run of ``deepSearch``). A feasible instance
    /// without GLRL's outcome (``everyFeasibleInstanceHasGreedy`` false) counts as GLRL `.inaccurate` with Δ NaN.
    public var greedyComparison: GreedyComparison {
        let missing = ExhaustiveSearch.GreedyOutcome(nuclearNorm: .nan, delta: .nan, status: .inaccurate, rank: 0, floor: .nan)
        let glrl = feasible.map { deep.outcomes[$0].greedy ?? missing }
        let (flowLimit, flowStatus, d5) = (deltas(1e-100), statuses(1e-100), deltas(1e-5))
        var comparison = GreedyComparison(
            greedy: glrl, indices: feasible.map { figure4.outcomes[$0].index }, flowLimit: flowLimit, flowStatus: flowStatus, flowAt1e5: d5,
            both: [], agree: [], differ: [], deviations: [], accounted: [], notStationary: [], greedyDiverged: [], approaching: [])
        let all = Array(feasible.indices)
        comparison.both = all.filter { glrl[$0].status == .solved && flowStatus[$0] == .solved }
        comparison.agree = comparison.both.filter(comparison.agrees)
        comparison.differ = comparison.both.filter { !comparison.agrees($0) }
        comparison.deviations = all.filter { flowStatus[$0] == .solved && flowLimit[$0] >= Self.deviation }
        comparison.accounted = comparison.deviations.filter(comparison.agrees)
        comparison.notStationary = all.filter { flowStatus[$0] != .solved }
        comparison.greedyDiverged = all.filter { glrl[$0].status == .diverged }
        comparison.approaching = comparison.differ.filter { abs(flowLimit[$0] - glrl[$0].delta) < abs(d5[$0] - glrl[$0].delta) }
        return comparison
    }
}
