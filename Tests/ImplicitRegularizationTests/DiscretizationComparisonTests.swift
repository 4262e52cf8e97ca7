import Foundation
import ImplicitRegularization
import XCTest

/// Figure 3 (i)–(iii)'s experiment: the stretch of the steps against its closed form N/m, and the
/// summary statistics and panel bars against values worked out by hand on constructed outcomes.
final class DiscretizationComparisonTests: XCTestCase {
    /// s = 1 for sensing and N/m = 1275/m for completion (N = n(n+1)/2 = 1275 at n = 50), with m the
    /// setting's measurement count (300 in (a), (b); 25 in (c)); the flow's time limit is 1e14·s.
    func testStretchIsTheEntryCountOverTheObservations() throws {
        let comparison = DiscretizationComparison(profile: .quick)
        for setting in PaperSetting.allCases {
            for observations in PaperSetting.Observations.allCases {
                let problem = try setting.problem(observations, seed: 0)
                XCTAssertEqual(problem.count, setting.measurementCount)
                let stretch = DiscretizationComparison.stretch(of: problem, observations: observations)
                let expected = observations == .sensing ? 1 : 1275 / Double(setting.measurementCount)
                XCTAssertEqual(stretch, expected, "\(observations.rawValue) (\(setting.rawValue))")
                XCTAssertEqual(comparison.flowOptions(stretch: stretch).maxTime, 1e14 * expected)
            }
        }
        XCTAssertEqual(DiscretizationComparison.stretch(of: try PaperSetting.c.problem(.uniformCompletion), observations: .uniformCompletion), 51)
    }

    /// The profile's numbers: the time-ordered exponential's horizon and the MovieLens cap.
    func testProfileSetsTheHorizonAndTheMovieLensCap() {
        XCTAssertEqual(DiscretizationComparison(profile: .quick).horizon, 200)
        XCTAssertEqual(DiscretizationComparison(profile: .full).horizon, 2000)
        XCTAssertEqual(DiscretizationComparison(profile: .full).seed, 1)
        XCTAssertEqual(FigureProfile.quick.movieLensIterations, 300)
        XCTAssertEqual(FigureProfile.full.movieLensIterations, 20_000)
        XCTAssertFalse(FigureProfile.quick.movieLensMinimum)
        XCTAssertTrue(FigureProfile.full.movieLensMinimum)
    }

    /// An outcome whose minimum is 2, the flow at `flow`, the other methods at `others`.
    private func outcome(
        _ observations: PaperSetting.Observations, _ setting: PaperSetting, flow: Double, toe: Double = 2, gd: Double = 2,
        flowResidual: Double = 1e-7, toeResidual: Double = 1e-7, flowStatus: SolverStatus = .solved, stationaryBy: String = "speed",
        gdStatus: SolverStatus = .solved, exposed: Int = 0
    ) -> DiscretizationComparison.Outcome {
        DiscretizationComparison.Outcome(
            observations: observations, setting: setting, flow: flow, flowResidual: flowResidual, flowTime: 10, flowStationarity: 1e-7,
            flowRemainingBound: .nan, flowStationaryBy: stationaryBy, flowStatus: flowStatus, flowSteps: 100, flowJacobians: 40,
            flowBeyondRank: 1e-3, toe: toe, toeResidual: toeResidual, toeStatus: .solved, gd: gd, gdResidual: 1e-7, gdStatus: gdStatus,
            xgd: 3, minimum: 2, gap: 1e-9, minimumStatus: .solved, minimumExposedDirections: exposed)
    }

    /// Counts, excesses and the largest gap of nine constructed outcomes, each worked out by hand.
    func testSummaryOfConstructedOutcomes() {
        let outcomes = [
            outcome(.sensing, .a, flow: 2.001),                                                // excess 5e-4: on the minimum
            outcome(.sensing, .b, flow: 2.2, toe: 2.1),                                        // a 10% gap; flow and TOE 0.05 apart
            outcome(.sensing, .c, flow: 2.04, stationaryBy: "decade-certificate"),             // a 2% gap
            outcome(.uniformCompletion, .a, flow: 1.99, gd: 1.5, gdStatus: .iterationLimit),   // GD below the minimum
            outcome(.uniformCompletion, .b, flow: 2.5, flowResidual: 1e-2, flowStatus: .timeLimit, stationaryBy: "none"),
            outcome(.uniformCompletion, .c, flow: 2, toeResidual: 1e-2, exposed: 3),
            outcome(.powerLawCompletion, .a, flow: 2),
            outcome(.powerLawCompletion, .b, flow: 2),
            outcome(.powerLawCompletion, .c, flow: 2),
        ]
        let summary = DiscretizationComparison.Summary(outcomes)
        XCTAssertEqual(summary.excess(.sensing, .a), 0.001 / 2, accuracy: 1e-15)
        XCTAssertEqual(summary.excess(.uniformCompletion, .a), -0.005, accuracy: 1e-15)
        XCTAssertEqual(summary.stationaryFlows.count, 8)
        XCTAssertEqual(summary.flowsAtLimit.map(\.name), ["uniform-completion (b)"])
        XCTAssertEqual(summary.flows(endedBy: .speed).count, 7)
        XCTAssertEqual(summary.flows(endedBy: .decadeCertificate).map(\.name), ["sensing (c)"])
        XCTAssertEqual(summary.flowSteps, 900)
        XCTAssertEqual(summary.flowJacobians, 360)
        XCTAssertEqual(summary.descentsAtLimit.map(\.name), ["uniform-completion (a)"])
        XCTAssertEqual(summary.descentsBelowMinimum.map(\.name), ["uniform-completion (a)"])
        // Both fit everywhere but (ii)(b) (the flow) and (ii)(c) (the TOE); the largest |flow − toe|/min is (i)(b)'s 0.1/2.
        XCTAssertEqual(summary.bothFit.count, 7)
        XCTAssertEqual(summary.flowExponentialDifference, 0.05, accuracy: 1e-15)
        XCTAssertEqual(summary.fittedInSettingB.map(\.name), ["sensing (b)", "power-law-completion (b)"])
        XCTAssertEqual(summary.minimaOnFaceNotes, "uniform-completion (c): 3 directions")
        // Discernible (> 1%) among stationary flows: (i)(b) 10% and (i)(c) 2%; (ii)(b) is not stationary.
        XCTAssertEqual(summary.gapPanels.map(\.name), ["sensing (b)", "sensing (c)"])
        XCTAssertEqual(summary.largestGap, 0.1, accuracy: 1e-15)
        XCTAssertEqual(summary.gapNotes { x, digits in String(format: "%.\(digits)f", 100 * x) }, "sensing (b) 10.0, sensing (c) 2.0")
        XCTAssertEqual(summary.decadeCertificateNotes { x, _ in "\(x)" }, "sensing (c) at t = 10.0 (remainder ≤ nan, t‖Ẋ‖/‖X‖ = 1e-07, λ₃/λ₁ = 0.001)")
        XCTAssertEqual(DiscretizationComparison.Summary([outcomes[0]]).flowsAtLimitNotes { x, _ in "\(x)" }, "none")
    }

    /// The log-scale bars: |‖X‖_*/min − 1| floored at 1e-6, solved, and below the minimum.
    func testPanelBarsAreTheDistancesToTheMinimum() {
        let outcomes = [
            outcome(.sensing, .a, flow: 2, toe: 2.5, gd: 1, gdStatus: .iterationLimit),
            outcome(.sensing, .b, flow: 2.2, flowStatus: .timeLimit),
            outcome(.uniformCompletion, .a, flow: 2),
        ]
        let panel = DiscretizationComparison.Summary(outcomes).panel(.sensing)
        XCTAssertEqual(panel.map(\.label), ["(a)", "(b)"])
        XCTAssertEqual(panel.map(\.position), [0, 1])
        let a = panel[0].bars, b = panel[1].bars
        XCTAssertEqual(a.map(\.distance), [1e-6, 0.25, 0.5, 0.5], "flow on the minimum is floored at 1e-6; X_gd is at 3/2 − 1")
        XCTAssertEqual(a.map(\.solved), [true, true, false, true])
        XCTAssertEqual(a.map(\.below), [false, false, true, false])
        XCTAssertEqual(b[0].distance, 0.1, accuracy: 1e-15)
        XCTAssertFalse(b[0].solved)
        XCTAssertEqual(DiscretizationComparison.panelMethods, ["flow", "toe", "gd", "xgd"])
    }
}
