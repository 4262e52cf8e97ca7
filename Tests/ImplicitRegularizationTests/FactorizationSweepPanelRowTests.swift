import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// The rows of Figures 1–2's tables from a small sweep (n = 6, two seeds, every curve), against the runs
/// themselves: each panel cell is the closed form over two values, each run row the run it names.
final class FactorizationSweepPanelRowTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    func testPanelAndRunRowsAreTheRunsStatistics() throws {
        let problem = try PlantedSensing.generate(dimension: 6, rank: 1, measurements: 12, spectrum: .lowRank, seed: 1)
        var sweep = FactorizationSweep(problem: problem, ranks: [1, 3], seeds: [1, 2], stopping: StoppingRule(tolerance: 1e-6, maxIterations: 200))
        sweep.workers = 1
        let references = try sweep.references()
        let points = try sweep.run(references: references)
        let limits = try sweep.limits(of: points, references: references)
        let outcome = FactorizationSweep.Outcome(setting: .a, points: points, limits: limits, references: references)

        let rows = outcome.panelRows
        XCTAssertEqual(rows.map(\.d), [1, 3])
        let row = rows[1]
        // Two seeds: mean (a + b)/2, sample deviation |a − b|/√2, geometric mean √(ab), band with low·high = ab.
        let ended = points.filter { $0.curve == .largeInitialization && $0.rank == 3 }
        XCTAssertEqual(ended.count, 2)
        let (a, b) = (ended[0].reconstructionError, ended[1].reconstructionError)
        XCTAssertGreaterThan(abs(a - b), 1e-6 * (a + b), "from ‖U0‖ = 1 two seeds end apart (errors 1.07 and 0.80, |a − b|/(a + b) = 0.15), so the deviation is not trivially 0")
        XCTAssertEqual(row.largeInit.error, (a + b) / 2, accuracy: 1e-15 * (a + b))
        XCTAssertEqual(row.largeInit.errorSd, abs(a - b) / 2.0.squareRoot(), accuracy: 1e-14 * (a + b))
        XCTAssertEqual(row.largeInit.errorGmean, (a * b).squareRoot(), accuracy: 1e-12 * (a * b).squareRoot())
        XCTAssertEqual(row.largeInit.errorLow * row.largeInit.errorHigh, a * b, accuracy: 1e-12 * a * b)
        XCTAssertEqual(row.largeInit.unsolved, ended.filter { $0.status != .solved }.count)
        let limited = zip(points, limits).filter { $0.0.curve == .lineSearch && $0.0.rank == 3 }.map(\.1)
        XCTAssertEqual(row.lineSearchLimit.nuclear, (limited[0].nuclearNorm + limited[1].nuclearNorm) / 2, accuracy: 1e-15 * limited[0].nuclearNorm)
        XCTAssertEqual(row.lineSearchLimit.unsolved, limited.filter { $0.status != .solved }.count)
        // The SVD initialisation runs once and is reported under both seeds: no spread.
        XCTAssertEqual(row.svdInit.errorSd, 0)
        XCTAssertEqual(row.svdInitLimit.trainingSd, 0)
        XCTAssertEqual(row.xgdError, references.xgdReconstructionError)
        XCTAssertEqual(row.minNuclear, references.minimumNuclearNorm)

        let runs = outcome.runRows
        XCTAssertEqual(runs.count, points.count)
        for (run, (point, limit)) in zip(runs, zip(points, limits)) {
            XCTAssertEqual(run.curve, point.curve.rawValue)
            XCTAssertEqual(run.seed, Int(point.seed))
            XCTAssertEqual(run.trainingError, point.relativeResidual)
            XCTAssertEqual(run.limitTrainingError, limit.relativeResidual)
            XCTAssertEqual(run.limitStationaryBy, limit.stationaryBy?.rawValue ?? "none")
            XCTAssertEqual(run.limitStatus, limit.status.rawValue)
        }
        let reference = FactorizationSweep.ReferenceRow(setting: .a, references: references)
        XCTAssertEqual(reference.minDualityGap, references.minimumDualityGap)
        XCTAssertEqual(reference.xgdStatus, references.xgdStatus.rawValue)
    }
}
