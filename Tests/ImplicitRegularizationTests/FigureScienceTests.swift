import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// The figures' claims, checked on the quick profile (`FigureProfile.quick`, what
/// `make figures QUICK=1` draws), through the same library calls as the notebooks.
final class FigureScienceTests: XCTestCase {
    /// Figure 1 (a) and Figure 2 (a): small initialisation reconstructs for every d ≥ 2 and lands
    /// on the minimum nuclear norm at d = n; a large one does not; X_gd is far off.
    func testSettingAGradientDescentFindsTheMinimumNuclearNormSolution() throws {
        BLASThreads.set(1)
        let profile = FigureProfile.quick
        let problem = try PaperSetting.a.problem(.sensing, seed: 0)
        let ranks = profile.ranks.filter { $0 >= 2 }
        XCTAssertEqual(ranks.last, PaperSetting.dimension, "the quick grid keeps d = n")
        let sweep = FactorizationSweep(
            problem: problem, ranks: ranks, seeds: profile.seeds, curves: [.smallInitialization, .largeInitialization],
            stopping: profile.stopping)
        let references = try sweep.references()
        XCTAssertGreaterThan(references.xgdReconstructionError, 0.5)
        XCTAssertLessThan(references.xgdRelativeResidual, 1e-6, "X_gd fits the data: it is a global minimum")
        XCTAssertLessThan(references.minimumDualityGap, 1e-8)
        XCTAssertLessThan(references.minimumReconstructionError, 1e-6, "m = 3nr recovers X* exactly")
        let points = try sweep.run(references: references)
        for d in ranks {
            let small = FactorizationSweep.statistic(points, curve: .smallInitialization, rank: d) { $0.reconstructionError }
            XCTAssertLessThan(small.mean, 1e-2, "‖U0‖ = 1e-4 at d = \(d)")
        }
        let large = FactorizationSweep.statistic(points, curve: .largeInitialization, rank: PaperSetting.dimension) { $0.reconstructionError }
        XCTAssertGreaterThan(large.mean, 0.1, "‖U0‖ = 1 at d = n")
        let nuclear = FactorizationSweep.statistic(points, curve: .smallInitialization, rank: PaperSetting.dimension) { $0.nuclearNorm }
        XCTAssertEqual(nuclear.mean, references.minimumNuclearNorm, accuracy: 0.01 * references.minimumNuclearNorm)
    }

    /// Figure 4 on the quick subsample (one instance in 101): the instances and their feasible /
    /// infeasible split are those of an independent closed form (`PSDCompletion3`, exact in integer
    /// arithmetic), none is undecided, most instances at ᾱ = 1e-5 end within 1e-2 of the minimum,
    /// no flow ends below the minimum, and ᾱ = 1 spreads wider, as over all 150,000 instances
    /// (59% and 49% within 1e-2 there; README).
    func testExhaustiveSearchQuickProfile() throws {
        BLASThreads.set(1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("figure4-quick-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let summary = try ExhaustiveSearch().run(subsample: FigureProfile.quick.exhaustiveSubsample, folder: folder)
        let subsample = FigureProfile.quick.exhaustiveSubsample
        let indices = Array(stride(from: 0, to: 150_000, by: subsample))
        let feasible = indices.filter { PSDCompletion3.isFeasible(instance: $0) }.count
        XCTAssertEqual(summary.instances, indices.count)
        XCTAssertEqual(summary.feasible, feasible, "the closed form's count")
        XCTAssertEqual(summary.infeasible, indices.count - feasible, "the closed form's count")
        XCTAssertEqual(summary.undecided, 0)
        let small = try XCTUnwrap(summary.perInitNorm.first { $0.initNorm == 1e-5 })
        let large = try XCTUnwrap(summary.perInitNorm.first { $0.initNorm == 1 })
        XCTAssertGreaterThan(Double(small.within1e2) / Double(summary.feasible), 0.5, "most instances at ᾱ = 1e-5 within 1e-2")
        for (k, _) in summary.perInitNorm.enumerated() {
            XCTAssertTrue(summary.outcomes.allSatisfy { $0.verdict != .feasible || [.solved, .timeLimit].contains($0.statuses[k]) })
        }
        XCTAssertGreaterThan(large.maxDelta, small.maxDelta, "ᾱ = 1 spreads wider")
        XCTAssertLessThan(large.within1e2, small.within1e2, "ᾱ = 1 spreads wider")
        // Every flow at its limit but a few, each stopped at the time limit t = 1e9 (none at the step
        // limit, none inaccurate: 1, 2 and 6 of 312 at ᾱ = 1e-5, 1e-3, 1), and no Δ below its certified floor.
        for s in summary.perInitNorm {
            XCTAssertLessThanOrEqual(s.unsolved, summary.feasible / 40, "ᾱ = \(s.initNorm)")
            XCTAssertEqual(s.belowFloor, 0, "ᾱ = \(s.initNorm)")
            XCTAssertGreaterThan(s.lowestNegativeFloor, -1e-7, "ᾱ = \(s.initNorm)")
        }
        // Instance by instance (instances.tsv): the verdict is the closed form's; and a converged
        // flow ends at a PSD X with ‖A(X) − y‖ ≤ τ‖y‖ (τ = 1e-9), so for the minimum's dual z
        // (I − A*(z) ⪰ 0, lower bound ℓ = ⟨y, z⟩) weak duality gives tr X ≥ ⟨z, A(X)⟩ ≥ ℓ − ‖z‖ τ‖y‖:
        // Δ is below 0 by at most (min − ℓ + ‖z‖ τ ‖y‖) / min.
        let table = try String(contentsOf: folder.appendingPathComponent("instances.tsv"), encoding: .utf8)
        let lines = table.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = try XCTUnwrap(lines.first)
        let column = { (name: String) in try XCTUnwrap(header.firstIndex(of: name), name) }
        let (indexColumn, verdictColumn, minimumColumn) = (try column("index"), try column("verdict"), try column("min_nuclear_norm"))
        let deltaColumns = try [1e-5, 1e-3, 1.0].map { (try column("delta_\($0)"), try column("status_\($0)")) }
        let tau = ExhaustiveSearch().flow.residualTolerance
        XCTAssertEqual(lines.count - 1, indices.count)
        var negative = 0
        for fields in lines.dropFirst() {
            let index = try XCTUnwrap(Int(fields[indexColumn]))
            XCTAssertEqual(fields[verdictColumn], PSDCompletion3.isFeasible(instance: index) ? "feasible" : "infeasible", "instance \(index)")
            let lowest = try deltaColumns.filter { fields[$0.1] == SolverStatus.solved.rawValue }.map { try XCTUnwrap(Double(fields[$0.0])) }.min() ?? 0
            guard lowest < 0 else { continue }
            negative += 1
            let problem = MeasurementProblem(dimension: 3, completionEntries: ExhaustiveSearch.entries(of: index))
            guard let solution = try MinimumNuclearNorm(problem: problem).solve().solved else { return XCTFail("\(index): not solved") }
            let minimum = try XCTUnwrap(Double(fields[minimumColumn]))
            let allowed = (1.01 * Vector.norm(solution.dual) * tau * Vector.norm(problem.observations) + solution.nuclearNorm - solution.lowerBound) / minimum + 1e-12
            XCTAssertGreaterThanOrEqual(lowest, -allowed, "instance \(index): Δ below the minimum by more than the residual allows")
        }
        XCTAssertLessThan(negative, feasible / 2, "Δ < 0 only from the residual's slack")
        // The histogram holds every feasible instance once per ᾱ.
        for k in 0..<3 { XCTAssertEqual(summary.histogram.reduce(0) { $0 + $1.counts[k] }, summary.feasible) }
    }
}

extension FigureScienceTests {
    /// The committed Figure 4 (the full run over all 150,000 instances, `Figures/data/figure4`)
    /// counts as feasible exactly the instances the closed form finds PSD-completable.
    func testCommittedFigure4FeasibleCountIsTheClosedForms() throws {
        let expected = (0..<ExhaustiveSearch.instanceCount).filter { PSDCompletion3.isFeasible(instance: $0) }.count
        let file = Fixtures.repository.appendingPathComponent("Figures/data/figure4/statistics.tsv")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let column = try XCTUnwrap(lines.first?.firstIndex(of: "feasible"))
        XCTAssertEqual(lines.count, 4, "a row per ᾱ")
        for row in lines.dropFirst() { XCTAssertEqual(Int(row[column]), expected, "ᾱ = \(row[0])") }
    }
}
