import Foundation
import ImplicitRegularization
import XCTest

/// The exhaustive search's instance helpers and the statistics of a summary, on hand-made outcomes.
final class ExhaustiveSearchTests: XCTestCase {
    /// `index(mask:digits:)` inverts `entries(of:)` on all 150,000 instances: the digits read back from
    /// each entry's grid value give the index again.
    func testIndexInvertsEntries() {
        for index in 0..<ExhaustiveSearch.instanceCount {
            let digits = ExhaustiveSearch.entries(of: index).map { entry in ExhaustiveSearch.grid.firstIndex(of: entry.value)! }
            XCTAssertEqual(ExhaustiveSearch.index(mask: index / 10_000, digits: digits), index)
        }
    }

    /// The followed instance is 9559: X₀₀ = X₁₁ = 1, X₀₁ = X₀₂ = 1/9 (the grid's 10 points of [−1, 1]
    /// are −1 + 2k/9, so 1/9 is k = 5), written to three significant digits.
    func testFollowedInstanceIsTheOneWithTwoNinths() throws {
        XCTAssertEqual(ExhaustiveSearch.followedInstance, 9559)
        let entries = ExhaustiveSearch.entries(of: ExhaustiveSearch.followedInstance)
        XCTAssertEqual(entries.map { [$0.row, $0.column] }, [[0, 0], [0, 1], [0, 2], [1, 1]])
        for (entry, value) in zip(entries, [1.0, 1.0 / 9, 1.0 / 9, 1.0]) { XCTAssertEqual(entry.value, value, accuracy: 1e-15) }
        XCTAssertEqual(ExhaustiveSearch.valuesText(of: ExhaustiveSearch.followedInstance), "X00=1 X01=0.111 X02=0.111 X11=1")
        XCTAssertEqual(ExhaustiveSearch.valuesText(of: 140_000), "X02=-1 X11=-1 X12=-1 X22=-1")
    }

    /// Chunks of 500: ⌈⌈150,000/K⌉/500⌉ for every K-th instance (300 for all, 3 for the quick profile's
    /// 1,486, 1 for 150).
    func testChunkCount() {
        XCTAssertEqual(ExhaustiveSearch().chunkCount(subsample: 1), 300)
        XCTAssertEqual(ExhaustiveSearch().chunkCount(subsample: 101), 3)
        XCTAssertEqual(ExhaustiveSearch().chunkCount(subsample: 1000), 1)
        XCTAssertEqual(ExhaustiveSearch().chunkCount(subsample: 299), 2, "502 instances")
    }

    /// A feasible outcome with one flow per ᾱ.
    static func outcome(_ index: Int, _ deltas: [Double], _ statuses: [SolverStatus]? = nil, floors: [Double]? = nil,
                        greedy: ExhaustiveSearch.GreedyOutcome? = nil) -> ExhaustiveSearch.Outcome {
        .init(index: index, verdict: .feasible, minimum: 1, nuclearNorms: deltas.map { 1 + $0 }, deltas: deltas,
              statuses: statuses ?? deltas.map { _ in .solved }, steps: deltas.map { _ in 1 }, floors: floors ?? deltas.map { _ in -1e-8 }, greedy: greedy)
    }

    static let infeasible = ExhaustiveSearch.Outcome(index: 0, verdict: .infeasible, minimum: .nan, nuclearNorms: [], deltas: [], statuses: [], steps: [])

    /// Figure 4's hand-made run: ᾱ = 1e-5, 1e-3, 1 on one infeasible and five feasible instances.
    static let figure4 = ExhaustiveSearch.summary(of: [
        infeasible,
        outcome(101, [0.001, 0.0005, -1e-9]),
        outcome(202, [0.05, 0.03, 0.1]),
        outcome(303, [0.2, 0.1, 0.5], [.timeLimit, .solved, .solved]),
        outcome(404, [1e-4, 0.001, 0.3]),
        outcome(505, [0.011, 0.009, 0.4]),
    ], initNorms: [1e-5, 1e-3, 1])

    /// Per ᾱ over the five feasible instances: |Δ| < 1e-2, the median sorted[⌊5/2⌋], the largest, the flows
    /// not solved, Δ < 0 with the lowest floor; the histogram holds each instance once per ᾱ.
    func testSummaryStatistics() {
        let s = Self.figure4
        XCTAssertEqual([s.instances, s.feasible, s.infeasible, s.undecided], [6, 5, 1, 0])
        let small = s.perInitNorm[0], large = s.perInitNorm[2]
        XCTAssertEqual(small.within1e2, 2, "1e-4 and 0.001")
        XCTAssertEqual(small.medianDelta, 0.011, "sorted 1e-4, 0.001, 0.011, 0.05, 0.2")
        XCTAssertEqual(small.maxDelta, 0.2)
        XCTAssertEqual(small.unsolved, 1)
        XCTAssertEqual(small.shareNearMinimum, 0.4)
        XCTAssertEqual([large.negative, large.belowFloor], [1, 0])
        XCTAssertEqual(large.lowestNegativeFloor, -1e-8)
        XCTAssertEqual(large.medianDelta, 0.3, "sorted −1e-9, 0.1, 0.3, 0.4, 0.5")
        for k in 0..<3 { XCTAssertEqual(s.histogram.reduce(0) { $0 + $1.counts[k] }, 5) }
        XCTAssertEqual(s.lowestSolvedNegativeFloor, -1e-8)
        XCTAssertFalse(s.everyFlowSolved)
        XCTAssertTrue(s.noDeltaBelowFloor)
        let stopped = s.flowsNotStationary
        XCTAssertEqual(stopped.map(\.index), [303])
        XCTAssertEqual(stopped.map(\.status), ["time_limit"])
        XCTAssertEqual(stopped.map(\.initNorm), [1e-5])
    }

    /// The histogram as drawn: the open bins Δ < 0 and Δ ≥ 1 at −0.14 and 1.14, 0.06 wide; the bin
    /// [0.5, 0.51) centred at 0.505, 0.01 wide; 102 bins.
    func testHistogramRows() throws {
        let rows = Self.figure4.histogramRows
        XCTAssertEqual(rows.count, 102)
        XCTAssertEqual([rows[0].delta, rows[0].width], [-0.14, 0.06])
        XCTAssertTrue(rows[0].outer)
        XCTAssertEqual(rows[0].counts, [0, 0, 1], "Δ = −1e-9 at ᾱ = 1")
        XCTAssertEqual([rows[101].delta, rows[101].width], [1.14, 0.06])
        let half = rows[51]
        XCTAssertFalse(half.outer)
        XCTAssertEqual(half.delta, 0.505, accuracy: 1e-15)
        XCTAssertEqual(half.width, 0.01, accuracy: 1e-15)
        XCTAssertEqual(half.counts, [0, 0, 1], "Δ = 0.5 at ᾱ = 1")
    }
}
