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

/// The predicates the report's checks and findings read, and the rows of its tables, on constructed outcomes.
final class DiscretizationComparisonSummaryTests: XCTestCase {
    private func outcome(
        _ observations: PaperSetting.Observations, _ setting: PaperSetting, flow: Double = 2, toe: Double = 2,
        flowResidual: Double = 1e-7, stationarity: Double = 1e-7, remaining: Double = .nan, stationaryBy: String = "speed",
        flowStatus: SolverStatus = .solved, xgd: Double = 3, minimumStatus: SolverStatus = .solved
    ) -> DiscretizationComparison.Outcome {
        DiscretizationComparison.Outcome(
            observations: observations, setting: setting, flow: flow, flowResidual: flowResidual, flowTime: 10,
            flowStationarity: stationarity, flowRemainingBound: remaining, flowStationaryBy: stationaryBy, flowStatus: flowStatus,
            flowSteps: 100, flowJacobians: 40, flowBeyondRank: 1e-3, toe: toe, toeResidual: 1e-7, toeStatus: .iterationLimit,
            gd: 1.5, gdResidual: 1e-2, gdStatus: .iterationLimit, xgd: xgd, minimum: 2, gap: 1e-9, minimumStatus: minimumStatus,
            minimumExposedDirections: 3)
    }

    /// Every problem of setting (a), with the minimum at 2.
    private func settingA(flow: [Double]) -> [DiscretizationComparison.Outcome] {
        zip(PaperSetting.Observations.allCases, flow).map { outcome($0, .a, flow: $1) }
    }

    /// The checks hold on stationary flows below their targets, and each fails when one flow breaks it.
    func testChecksReadTheTargets() {
        let good = [
            outcome(.sensing, .a),
            outcome(.sensing, .b, stationarity: 3e-5, remaining: 9e-7, stationaryBy: "decade-certificate"),
        ]
        let summary = DiscretizationComparison.Summary(good)
        XCTAssertEqual(summary.residualTarget, 1e-6)
        XCTAssertEqual(summary.stationarityTarget, 1e-6)
        XCTAssertEqual(summary.minimumTarget, 1e-8)
        XCTAssertTrue(summary.everyFlowStationary)
        XCTAssertTrue(summary.stationarityTestsMet)
        XCTAssertTrue(summary.decadeFlowsFailedTheSpeedTest)
        XCTAssertTrue(summary.everyMinimumCertified)
        XCTAssertTrue(summary.zeroFilledAboveEveryMinimum)

        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, flowResidual: 2e-6)]).everyFlowStationary)
        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, stationaryBy: "none")]).everyFlowStationary)
        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, flowStatus: .timeLimit)]).everyFlowStationary)
        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, stationarity: 2e-6)]).stationarityTestsMet)
        let decade = outcome(.sensing, .c, stationarity: 3e-5, remaining: 2e-6, stationaryBy: "decade-certificate")
        XCTAssertFalse(DiscretizationComparison.Summary(good + [decade]).stationarityTestsMet)
        let passedSpeed = outcome(.sensing, .c, stationarity: 5e-7, remaining: 5e-7, stationaryBy: "decade-certificate")
        XCTAssertFalse(DiscretizationComparison.Summary(good + [passedSpeed]).decadeFlowsFailedTheSpeedTest)
        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, minimumStatus: .inaccurate)]).everyMinimumCertified)
        // X_gd may sit below the minimum by its certified gap 1e-8 (2·(1 − 1e-8)), not by more.
        XCTAssertTrue(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, xgd: 2 * (1 - 0.5e-8))]).zeroFilledAboveEveryMinimum)
        XCTAssertFalse(DiscretizationComparison.Summary(good + [outcome(.sensing, .c, xgd: 2 * (1 - 2e-8))]).zeroFilledAboveEveryMinimum)
    }

    /// Setting (a)'s excesses (‖X‖_* − 2)/2 and the 1% line; the flow against the exponential; the gap at the limit.
    func testFindingsReadTheOnePercentLine() {
        let on = DiscretizationComparison.Summary(settingA(flow: [2.001, 1.99, 2.019]))
        XCTAssertEqual(on.excessesInSettingA[0], 5e-4, accuracy: 1e-15)
        XCTAssertEqual(on.excessesInSettingA[1], -5e-3, accuracy: 1e-15)
        XCTAssertEqual(on.excessesInSettingA[2], 9.5e-3, accuracy: 1e-15)
        XCTAssertEqual(on.settingAExcessNotes { x, digits in String(format: "%.\(digits)f", 1000 * x) }, "0.50, -5.00, 9.50")
        XCTAssertTrue(on.flowOnTheMinimumInSettingA)
        XCTAssertFalse(on.gapAtTheLimit)
        XCTAssertFalse(DiscretizationComparison.Summary(settingA(flow: [2.001, 1.97, 2])).flowOnTheMinimumInSettingA)

        // Both fit: |2.028 − 2.01|/2 = 0.009 is within the 1% line; 2.05 against 2.01 is 0.02, beyond it.
        XCTAssertTrue(DiscretizationComparison.Summary([outcome(.sensing, .b, flow: 2.028, toe: 2.01)]).flowAndExponentialAgree)
        let apart = DiscretizationComparison.Summary([outcome(.sensing, .b, flow: 2.05, toe: 2.01)])
        XCTAssertFalse(apart.flowAndExponentialAgree)
        XCTAssertTrue(apart.gapAtTheLimit, "a 2.5% gap with every flow stationary")
        XCTAssertFalse(DiscretizationComparison.Summary([outcome(.sensing, .b, flowResidual: 1e-2)]).flowAndExponentialAgree, "no problem where both fit")
        let stopped = [outcome(.sensing, .b, flow: 2.05), outcome(.sensing, .c, flowStatus: .timeLimit)]
        XCTAssertFalse(DiscretizationComparison.Summary(stopped).gapAtTheLimit, "a flow stopped at its limit")
    }

    /// A run row carries the outcome's numbers under the table's names, statuses as raw values.
    func testRunRowIsTheOutcome() throws {
        let o = outcome(.uniformCompletion, .c, flow: 2.5, stationarity: 3e-5, remaining: 9e-7, stationaryBy: "decade-certificate")
        let row = DiscretizationComparison.RunRow(o)
        XCTAssertEqual([row.observations, row.setting, row.flowStationaryBy, row.flowStatus, row.toeStatus, row.gdStatus, row.minStatus],
                       ["uniform-completion", "c", "decade-certificate", "solved", "iteration_limit", "iteration_limit", "solved"])
        XCTAssertEqual([row.flow, row.flowTrainingError, row.flowStationarity, row.flowRemainingBound, row.flowLambda3OverLambda1],
                       [2.5, 1e-7, 3e-5, 9e-7, 1e-3])
        XCTAssertEqual([row.toe, row.gd, row.gdTrainingError, row.xgd, row.minNuclearNorm, row.minDualityGap], [2, 1.5, 1e-2, 3, 2, 1e-9])
        XCTAssertEqual([row.flowSteps, row.flowJacobians, row.minExposedDirections], [100, 40, 3])
        XCTAssertEqual(DiscretizationComparison.Summary([o]).runRows, [row])
    }

    /// A panel row encodes as the table's columns setting, x, then m, m_solved, m_below per method, and decodes back.
    func testPanelRowColumns() throws {
        let outcomes = [outcome(.sensing, .a, flow: 2.2, toe: 1.8), outcome(.uniformCompletion, .a)]
        let panels = DiscretizationComparison.Summary(outcomes).panels
        XCTAssertEqual(panels.map(\.name), ["panel_sensing", "panel_uniform_completion", "panel_power_law_completion"])
        XCTAssertEqual(panels.map(\.rows.count), [1, 1, 0])
        let row = panels[0].rows[0]
        let data = try JSONEncoder().encode(row)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let methods = DiscretizationComparison.panelMethods
        XCTAssertEqual(Set(object.keys), Set(["setting", "x"] + methods.flatMap { [$0, "\($0)_solved", "\($0)_below"] }))
        XCTAssertEqual(object["setting"] as? String, "(a)")
        XCTAssertEqual(try XCTUnwrap(object["toe"] as? Double), 0.1, accuracy: 1e-15)
        XCTAssertEqual(object["toe_below"] as? Bool, true)
        XCTAssertEqual(object["toe_solved"] as? Bool, false)
        XCTAssertEqual(try JSONDecoder().decode(DiscretizationComparison.PanelRow.self, from: data), row)
    }
}
