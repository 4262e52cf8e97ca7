import ImplicitRegularization
import XCTest

/// `StoppingRule.Tracker`, the descent loops' shared skeleton: the first observation fixes the
/// initial loss that divergence is measured against, updates are counted, and the verdict and its
/// message are the rule's at the last observation.
final class StoppingRuleTrackerTests: XCTestCase {
    let rule = StoppingRule(tolerance: 1e-3, maxIterations: 3, divergenceFactor: 100)

    /// Residual norms 2, 1, 0.5, 0.25, … with ‖y‖ = 4 and a cap of 3 updates: the fourth
    /// observation follows 3 updates and stops the run at the cap, relative residual 0.25/4.
    func testIterationLimitAfterTheCap() {
        var tracker = StoppingRule.Tracker(rule: rule, observationNorm: 4)
        XCTAssertNil(tracker.initialLoss)
        var observed = 0
        for norm in [2.0, 1, 0.5, 0.25, 0.125] {
            observed += 1
            guard tracker.observe(residualNorm: norm) else { break }
            tracker.countUpdate()
        }
        XCTAssertEqual(observed, 4)
        XCTAssertEqual(tracker.initialLoss, 2)  // ½ · 2²
        XCTAssertEqual(tracker.iterations, 3)
        XCTAssertEqual(tracker.status, .iterationLimit)
        XCTAssertEqual(tracker.residualNorm, 0.25)
        XCTAssertEqual(tracker.relativeResidual, 0.0625)
        XCTAssertEqual(tracker.message, rule.message(.iterationLimit, relativeResidual: 0.0625, iterations: 3))
    }

    /// Divergence is against the first loss: ½·1² = 0.5, so a loss above 50 (‖r‖ > 10) diverges;
    /// ‖r‖ = 9 does not; a NaN residual diverges. A relative residual below the tolerance is solved.
    func testDivergenceAgainstTheFirstLossAndSolvedAtTheTolerance() {
        var tracker = StoppingRule.Tracker(rule: rule, observationNorm: 1)
        XCTAssertTrue(tracker.observe(residualNorm: 1))
        tracker.countUpdate()
        XCTAssertTrue(tracker.observe(residualNorm: 9))
        XCTAssertFalse(tracker.observe(residualNorm: 10.5))
        XCTAssertEqual(tracker.status, .diverged)
        XCTAssertEqual(tracker.initialLoss, 0.5)

        var solved = StoppingRule.Tracker(rule: rule, observationNorm: 1000)
        XCTAssertFalse(solved.observe(residualNorm: 0.5))  // relative 5e-4 ≤ 1e-3
        XCTAssertEqual(solved.status, .solved)
        XCTAssertEqual(solved.iterations, 0)

        var notFinite = StoppingRule.Tracker(rule: rule, observationNorm: 1)
        XCTAssertFalse(notFinite.observe(residualNorm: .nan))
        XCTAssertEqual(notFinite.status, .diverged)
    }
}
