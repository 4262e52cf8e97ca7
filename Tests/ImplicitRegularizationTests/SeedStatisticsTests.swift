import Foundation
import ImplicitRegularization
import XCTest

/// The statistics Figures 1–2 draw over the seeds, against closed forms, and Figure 2's reading of a panel
/// against a panel whose excesses are known.
final class SeedStatisticsTests: XCTestCase {
    func testTheMeanAndSampleDeviationAreTheClosedForms() {
        // 1, 2, 3, 4: mean 5/2, Σ(v − v̄)² = 5, sample variance 5/3.
        let s = SeedStatistics([1, 2, 3, 4])
        XCTAssertEqual(s.mean, 2.5, accuracy: 1e-15)
        XCTAssertEqual(s.standardDeviation, (5.0 / 3).squareRoot(), accuracy: 1e-15)
        // One value: no spread; the same as the sweep's own statistic.
        let one = SeedStatistics([0.75])
        XCTAssertEqual(one.standardDeviation, 0)
        XCTAssertEqual(one.mean, 0.75)
        XCTAssertEqual(one.geometricMean, 0.75, accuracy: 1e-15)
        XCTAssertEqual(one.geometricLow, 0.75, accuracy: 1e-15)
        XCTAssertEqual(one.geometricHigh, 0.75, accuracy: 1e-15)
    }

    func testTheGeometricBandIsExpOfTheLogsMeanPlusMinusTheirDeviation() {
        // e⁰, e², e⁴: logs 0, 2, 4 with mean 2 and sample deviation 2, so exp(2) and the band [e⁰, e⁴].
        let s = SeedStatistics([1, exp(2), exp(4)])
        XCTAssertEqual(s.geometricMean, exp(2), accuracy: 1e-13 * exp(2))
        XCTAssertEqual(s.geometricLow, 1, accuracy: 1e-13)
        XCTAssertEqual(s.geometricHigh, exp(4), accuracy: 1e-13 * exp(4))
        // An exact zero is floored at 1e-300, so the band stays finite and positive on a log axis.
        let zero = SeedStatistics([0, 0])
        XCTAssertEqual(zero.geometricMean, 1e-300, accuracy: 1e-312)
        XCTAssertGreaterThan(zero.geometricLow, 0)
        // A band on a log axis never reaches 0 where mean − sd would: 0.01 and 1 have mean − sd < 0.
        let wide = SeedStatistics([0.01, 1])
        XCTAssertLessThan(wide.mean - wide.standardDeviation, 0)
        XCTAssertEqual(wide.geometricMean, 0.1, accuracy: 1e-15)
        XCTAssertGreaterThan(wide.geometricLow, 0)
        XCTAssertEqual(wide.geometricLow * wide.geometricHigh, 0.01, accuracy: 1e-15, "the band is symmetric in log: low·high = gmean²")
    }

    func testAPanelsExcessesOverTheMinimum() {
        // Minimum 2, X_gd 3 (excess 50%); the small initialisation's limits at d = 1, 2, 3, 50: 2.5 (does not fit),
        // 2.01 (does not fit: a training error above 1e-6), 2.004 and 1.998; at the cap 1.8, 1.9, 1.95, 1.99.
        let columns: [String: [Double]] = [
            "d": [1, 2, 3, 50], "min_nuclear": [2, 2, 2, 2], "xgd_nuclear": [3, 3, 3, 3],
            "small_init_limit_nuclear": [2.5, 2.01, 2.004, 1.998], "small_init_limit_training": [0.3, 1e-3, 1e-7, 1e-9],
            "small_init_nuclear": [1.8, 1.9, 1.95, 1.99], "small_init_limit_unsolved": [0, 0, 0, 1], "line_search_limit_unsolved": [0, 0, 0, 0],
        ]
        let panel = FactorizationSweep.NuclearNormPanel(.b, tolerance: 1e-6) { columns[$0]! }
        XCTAssertEqual(panel.xgdExcess, 0.5)
        XCTAssertEqual(panel.limitExcess.count, 3, "d ≥ 2")
        XCTAssertEqual(panel.limitExcess[0], 0.005, accuracy: 1e-15)
        let on = panel.onMinimum
        XCTAssertEqual(on.from, 3, "d = 2 does not fit the data")
        XCTAssertEqual(on.excess.low, -0.001, accuracy: 1e-15)
        XCTAssertEqual(on.excess.high, 0.002, accuracy: 1e-15)
        XCTAssertEqual(on.worst, 0.002, accuracy: 1e-15)
        XCTAssertTrue(on.holds, "within 1%")
        XCTAssertTrue(panel.biased, "0.2% is below half of X_gd's 50%")
        XCTAssertEqual(panel.cappedExcess.low, -0.05, accuracy: 1e-15)
        XCTAssertEqual(panel.cappedExcess.high, -0.005, accuracy: 1e-15)
        XCTAssertFalse(panel.limitsStationary, "one run short of its limit")
        XCTAssertEqual([panel].highestExcess, 0.002, accuracy: 1e-15)

        // Nothing fits: no width, NaN excesses, and no claim of overlap.
        var none = columns
        none["small_init_limit_training"] = [1, 1, 1, 1]
        let empty = FactorizationSweep.NuclearNormPanel(.c, tolerance: 1e-6) { none[$0]! }.onMinimum
        XCTAssertEqual(empty.from, 0)
        XCTAssertTrue(empty.worst.isNaN)
        XCTAssertFalse(empty.holds)
    }
}
