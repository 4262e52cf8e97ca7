import Foundation
import ImplicitRegularization
import XCTest

/// The limit study's statistics on hand-made runs (``ExhaustiveSearchTests/figure4``: one infeasible and
/// five feasible instances), each count and order statistic worked out by hand.
final class FlowLimitStudyTests: XCTestCase {
    typealias Outcome = ExhaustiveSearch.Outcome

    static func greedy(_ delta: Double, _ status: SolverStatus = .solved) -> ExhaustiveSearch.GreedyOutcome {
        .init(nuclearNorm: 1 + delta, delta: delta, status: status, rank: 2, floor: -1e-8)
    }

    /// The flows from ᾱ = 1e-100 and GLRL: 101 agree; 202 agree to 5e-5 and is a deviation; 303 both
    /// finish 0.05 apart, closer than from ᾱ = 1e-5 (0.1 apart); 404's GLRL diverged; 505's flow stopped at its time limit.
    static let deep = ExhaustiveSearch.summary(of: [
        ExhaustiveSearchTests.infeasible,
        ExhaustiveSearchTests.outcome(101, [0.002], greedy: greedy(0.002)),
        ExhaustiveSearchTests.outcome(202, [0.06], greedy: greedy(0.06005)),
        ExhaustiveSearchTests.outcome(303, [0.25], greedy: greedy(0.3)),
        ExhaustiveSearchTests.outcome(404, [1e-5], greedy: greedy(5, .diverged)),
        ExhaustiveSearchTests.outcome(505, [0.02], [.timeLimit], greedy: greedy(0.02)),
    ], initNorms: [1e-100])

    static let isometric = ExhaustiveSearch.summary(of: [
        ExhaustiveSearchTests.infeasible,
        ExhaustiveSearchTests.outcome(101, [0.001, 0.001, 0.001]),
        ExhaustiveSearchTests.outcome(202, [0.002, 0.02, 0.2]),
        ExhaustiveSearchTests.outcome(303, [0.003, 0.03, 0.3]),
        ExhaustiveSearchTests.outcome(404, [0.004, 0.04, 0.4]),
        ExhaustiveSearchTests.outcome(505, [0.5, 0.5, 0.5], [.solved, .solved, .stepLimit]),
    ], initNorms: [1e-5, 1e-3, 1])

    static let study = FlowLimitStudy(figure4: ExhaustiveSearchTests.figure4, deep: deep, isometric: isometric)

    /// sorted[min(n − 1, ⌊qn⌋)]: of 1…10, q = ½ gives 6 (the upper middle value), 0.9 gives 10, 1 the largest; NaN when empty.
    func testQuantileIsTheOrderStatistic() {
        let values = [7.0, 3, 10, 1, 9, 2, 8, 4, 6, 5]
        XCTAssertEqual(FlowLimitStudy.quantile(values, 0.5), 6)
        XCTAssertEqual(FlowLimitStudy.quantile(values, 0.9), 10)
        XCTAssertEqual(FlowLimitStudy.quantile(values, 1), 10)
        XCTAssertEqual(FlowLimitStudy.quantile(values, 0), 1)
        XCTAssertEqual(FlowLimitStudy.quantile([2, 1, 3], 0.5), 2, "the median of an odd count")
        XCTAssertTrue(FlowLimitStudy.quantile([], 0.5).isNaN)
    }

    /// Δ against ᾱ over the flows at their limit: at ᾱ = 1e-5 the four solved flows 1e-4, 0.001, 0.011,
    /// 0.05 (303 stopped); at ᾱ = 1 all five, −1e-9 the one Δ < 0.
    func testDeltaByAlpha() {
        let rows = Self.study.byAlpha
        XCTAssertEqual(rows.map(\.initNorm), [1, 1e-3, 1e-5, 1e-100])
        XCTAssertEqual(rows.map(\.position), [0, 1, 2, 3])
        let small = rows[2]
        XCTAssertEqual([small.feasible, small.stationary, small.unsolved], [5, 4, 1])
        XCTAssertEqual(small.shareWithin, 0.5)
        XCTAssertEqual([small.medianDelta, small.p90Delta, small.maxDelta], [0.011, 0.05, 0.05])
        let large = rows[0]
        XCTAssertEqual(large.shareWithin, 0.2)
        XCTAssertEqual([large.medianDelta, large.p90Delta], [0.3, 0.5], "sorted −1e-9, 0.1, 0.3, 0.4, 0.5")
        XCTAssertEqual([large.negative, large.belowFloor], [1, 0])
        XCTAssertEqual(Self.study.unsolvedCounts, [0, 0, 1, 1])
        XCTAssertEqual(Self.study.flowsNotStationary.map(\.index), [303, 505], "ᾱ = 1e-5 first, then 1e-100")
        XCTAssertEqual(Self.study.lowestSolvedNegativeFloor, -1e-8)
        XCTAssertTrue(Self.study.noDeltaBelowFloor)
    }

    /// Of 101, 202, 404 (every flow solved), Δ grows at each smaller ᾱ on 101 and 202 and falls on 404.
    func testTrend() {
        let trend = Self.study.trend
        XCTAssertEqual([trend.allSolved, trend.growing, trend.shrinking], [3, 2, 1])
    }

    /// GLRL against the flow from ᾱ = 1e-100, by the positions 0…4 of 101…505 among the feasible instances.
    func testGreedyComparison() {
        let c = Self.study.greedyComparison
        XCTAssertEqual(c.both, [0, 1, 2])
        XCTAssertEqual(c.agree, [0, 1])
        XCTAssertEqual(c.differ, [2])
        XCTAssertEqual(c.deviations, [1, 2])
        XCTAssertEqual(c.accounted, [1])
        XCTAssertEqual(c.notStationary, [4])
        XCTAssertEqual(c.greedyDiverged, [3])
        XCTAssertEqual(c.approaching, [2])
        XCTAssertEqual(c.greedySolved, 4)
        XCTAssertEqual(c.unaccountedRows.map(\.index), [303, 404, 505])
        XCTAssertEqual(c.unaccountedRows.map(\.why), ["both finished, Δ differ", "GLRL diverged", "flow time_limit"])
        XCTAssertEqual(c.statusRows.map(\.status), ["solved", "diverged"])
        XCTAssertEqual(c.statusRows.map(\.instances), [4, 1])
        XCTAssertEqual(c.flowAgainstGreedyRows.map(\.deviates), [false, true, true])
        XCTAssertTrue(Self.study.everyFeasibleInstanceHasGreedy)
        // Without GLRL on instance 101, it counts as inaccurate and is not accounted for.
        var outcomes = Self.deep.outcomes
        outcomes[1].greedy = nil
        let study = FlowLimitStudy(figure4: ExhaustiveSearchTests.figure4, deep: ExhaustiveSearch.summary(of: outcomes, initNorms: [1e-100]), isometric: Self.isometric)
        XCTAssertFalse(study.everyFeasibleInstanceHasGreedy)
        XCTAssertEqual(study.greedyComparison.agree, [1])
        XCTAssertEqual(study.greedyComparison.unaccountedRows.first?.why, "GLRL inaccurate")
    }

    /// The weighting at ᾱ = 1e-5: 2 of 5 within 1e-2 under the entry weighting (median 0.011 over all five
    /// flows), 4 of 5 under the isometric one (median 0.003).
    func testWeighting() {
        let row = Self.study.weighting[0]
        XCTAssertEqual(row.initNorm, 1e-5)
        XCTAssertEqual([row.shareEntry, row.shareIsometric], [0.4, 0.8])
        XCTAssertEqual([row.medianEntry, row.medianIsometric], [0.011, 0.003])
        XCTAssertEqual([row.unsolvedEntry, row.unsolvedIsometric], [1, 0])
        XCTAssertEqual(Self.study.weighting[2].unsolvedIsometric, 1)
    }
}
