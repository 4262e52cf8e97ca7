import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// Theorem 1's sweep: its problem against its definition, the least-squares slope against closed
/// forms, and the predicates the report reads against rows built by hand.
final class CommutativeSweepTests: XCTestCase {
    /// A: 8 × 20; x* ≥ 0 on the support {2, 7, 11, 18} with entries in [0.5, 1.5); b = A x* exactly as
    /// the flow's observations; the α grid 10^0 … 10^−8 (17 values, 5 in the quick profile).
    func testProblemAndGrid() {
        let sweep = CommutativeSweep(quick: true)
        XCTAssertEqual([sweep.flow.design.rows, sweep.flow.design.columns], [8, 20])
        XCTAssertEqual(sweep.planted.indices.filter { sweep.planted[$0] != 0 }, [2, 7, 11, 18])
        XCTAssertTrue(sweep.planted.allSatisfy { $0 == 0 || (0.5..<1.5).contains($0) })
        XCTAssertEqual(sweep.flow.observations, sweep.flow.design * sweep.planted)
        XCTAssertEqual(sweep.exponents, [0, -2, -4, -6, -8])
        let full = CommutativeSweep(quick: false)
        XCTAssertEqual(full.exponents.count, 17)
        XCTAssertEqual(full.exponents.first, 0)
        XCTAssertEqual(full.exponents.last, -8)
        XCTAssertEqual(full.flow.design.rows, sweep.flow.design.rows)
        XCTAssertEqual(full.planted, sweep.planted, "the same problem in both profiles")
        XCTAssertEqual(sweep.banner, "QUICK PROFILE: 5 values of α")
    }

    /// The slope of points on a line is its slope (to round-off, a few ulps of the sums); of
    /// `y = x²` on x = −1, 0, 1 it is 0 by symmetry; with one distinct x it is undefined (NaN).
    func testSlopeAgainstClosedForms() {
        let x = [-8.0, -6, -4, -3.5, -1]
        XCTAssertEqual(CommutativeSweep.slope(x, x.map { 0.5 * $0 - 1.2 }), 0.5, accuracy: 1e-14)
        XCTAssertEqual(CommutativeSweep.slope(x, x.map { -3 * $0 + 7 }), -3, accuracy: 1e-13)
        XCTAssertEqual(CommutativeSweep.slope([-1, 0, 1], [1, 0, 1]), 0, accuracy: 1e-15)
        // Least squares through (0, 0), (1, 1), (2, 3): Σ(x − 1)(y − 4/3) / Σ(x − 1)² = 3/2.
        XCTAssertEqual(CommutativeSweep.slope([0, 1, 2], [0, 1, 3]), 1.5, accuracy: 1e-15)
        XCTAssertTrue(CommutativeSweep.slope([2, 2], [1, 3]).isNaN)
        XCTAssertTrue(CommutativeSweep.slope([], []).isNaN)
    }

    private func row(_ alpha: Double, excess: Double, status: SolverStatus = .solved) -> CommutativeSweep.Row {
        CommutativeSweep.Row(alpha: alpha, l1Norm: 4 * (1 + excess), excess: excess, relativeResidual: 1e-9 * 0.99,
                             time: 1, steps: 10, status: status.rawValue)
    }

    /// An excess `0.05·√α` below α = 1e-4 has rate 1/2; the rows above 1e-4 and those with no excess
    /// stay out of the fit; the verdict needs a monotone fall to below 1e-4.
    func testOutcomeReadsTheRateAndTheLimit() {
        let alphas = [1.0, 1e-2, 1e-4, 1e-6, 1e-8]
        let rows = alphas.map { row($0, excess: $0 >= 1e-2 ? 3 * $0 + 0.01 : 0.05 * $0.squareRoot()) }
        let outcome = CommutativeSweep.Outcome(rows: rows, minimum: 4, minimumGap: 1e-10, plantedL1Norm: 4)
        XCTAssertEqual(outcome.rate, 0.5, accuracy: 1e-12)
        XCTAssertTrue(outcome.everyFlowSolved)
        XCTAssertTrue(outcome.excessFallsMonotonically)
        XCTAssertTrue(outcome.approachesTheMinimum, "0.05·√1e-8 = 5e-6 < 1e-4")
        XCTAssertEqual(outcome.excessAtLargestAlpha, 3.01, accuracy: 1e-15)
        XCTAssertEqual(outcome.smallestAlpha, 1e-8)
        XCTAssertEqual(outcome.excessAtSmallestAlpha, 5e-6, accuracy: 1e-18)

        var withZero = outcome
        withZero.rows.append(row(1e-10, excess: 0))
        XCTAssertEqual(withZero.rate, 0.5, accuracy: 1e-12, "a zero excess has no logarithm and stays out of the fit")

        var rising = outcome
        rising.rows[3].excess = 1e-3
        XCTAssertFalse(rising.excessFallsMonotonically)
        XCTAssertFalse(rising.approachesTheMinimum)

        var far = outcome
        (far.rows[3].excess, far.rows[4].excess) = (3e-4, 2e-4)
        XCTAssertTrue(far.excessFallsMonotonically)
        XCTAssertFalse(far.approachesTheMinimum, "2e-4 is above the 1e-4 line")

        var stopped = outcome
        stopped.rows[2].status = SolverStatus.timeLimit.rawValue
        XCTAssertFalse(stopped.everyFlowSolved)
    }

    /// The quick sweep end to end: one progress call per flow, (1, 5) … (5, 5); every flow solved to
    /// its residual 1e-9; the excess is the ℓ1 norm over the certified minimum; it falls from α = 1 to
    /// α = 1e-8, where it is below the 1e-4 line (measured 5.0e-6: a margin of 20×).
    func testQuickSweepEndToEnd() throws {
        var calls: [[Int]] = []
        let outcome = try CommutativeSweep(quick: true).run { calls.append([$0, $1]) }
        XCTAssertEqual(calls, (1...5).map { [$0, 5] })
        XCTAssertEqual(outcome.rows.map(\.alpha), [1, 1e-2, 1e-4, 1e-6, 1e-8])
        XCTAssertTrue(outcome.everyFlowSolved)
        XCTAssertTrue(outcome.rows.allSatisfy { $0.relativeResidual <= 1e-9 })
        for row in outcome.rows {
            XCTAssertEqual(row.excess, (row.l1Norm - outcome.minimum) / outcome.minimum, accuracy: 1e-15)
        }
        XCTAssertLessThanOrEqual(outcome.minimum, outcome.plantedL1Norm * (1 + 1e-8), "x* is feasible: the minimum is at most ‖x*‖₁")
        XCTAssertLessThan(outcome.minimumGap, 1e-8)
        XCTAssertTrue(outcome.approachesTheMinimum)
    }
}
