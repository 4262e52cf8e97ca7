import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

final class GreedyLowRankLearningTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// The diagonal of diag(3, 2, 1) observed: −∇f(0) = A*(y) = diag(3, 2, 1), so GLRL's stages
    /// add e₀, e₁, e₂ in turn with eigenvalues 3, 2, 1 (each stage fits its entry exactly, leaving
    /// −∇f = diag(0, 2, 1), then diag(0, 0, 1)) and ends at X = diag(3, 2, 1), rank 3, the minimum
    /// nuclear norm (tr X is fixed by the data).
    func testDiagonalObservationsAddOneEigenvectorPerStage() throws {
        let entries = [(0, 3.0), (1, 2.0), (2, 1.0)].map { MeasurementProblem.ObservedEntry(row: $0.0, column: $0.0, value: $0.1) }
        let problem = MeasurementProblem(dimension: 3, completionEntries: entries)
        let result = GreedyLowRankLearning(problem: problem).run()
        XCTAssertEqual(result.status, .solved, result.message)
        XCTAssertEqual(result.rank, 3)
        XCTAssertEqual(result.stages.map(\.rank), [1, 2, 3])
        for (stage, expected) in zip(result.stages, [3.0, 2, 1]) { XCTAssertEqual(stage.eigenvalue, expected, accuracy: 1e-8) }
        XCTAssertEqual(result.stages.map(\.fitted), [false, false, true])
        let expected = Matrix(rows: 3, columns: 3, rowMajor: [3, 0, 0, 0, 2, 0, 0, 0, 1])
        XCTAssertLessThan((result.x - expected).frobeniusNorm, 1e-8)
        XCTAssertLessThanOrEqual(result.relativeResidual, 1e-9)
        // With the rank capped at 2 it stops after the second stage, at diag(3, 2, 0), and says so.
        var capped = GreedyLowRankLearning.Options()
        capped.maxRank = 2
        let short = GreedyLowRankLearning(problem: problem, options: capped).run()
        XCTAssertEqual(short.status, .iterationLimit, short.message)
        XCTAssertEqual(short.rank, 2)
        XCTAssertEqual(short.x[2, 2], 0, accuracy: 1e-12)
        XCTAssertEqual(short.x[1, 1], 2, accuracy: 1e-8)
        XCTAssertEqual(short.relativeResidual, 1 / 14.0.squareRoot(), accuracy: 1e-8, "‖(0, 0, 1)‖/‖(3, 2, 1)‖")
    }

    /// A rank-one PSD matrix observed in full is fitted by the first stage: rank 1, X = vvᵀ.
    func testRankOneFitInOneStage() throws {
        let v = [1.0, -0.5, 0.25]
        let entries = ExhaustiveSearch.upperEntries.map { MeasurementProblem.ObservedEntry(row: $0.row, column: $0.column, value: v[$0.row] * v[$0.column]) }
        let result = GreedyLowRankLearning(problem: MeasurementProblem(dimension: 3, completionEntries: entries)).run()
        XCTAssertEqual(result.status, .solved, result.message)
        XCTAssertEqual(result.rank, 1)
        for i in 0..<3 { for j in 0..<3 { XCTAssertEqual(result.x[i, j], v[i] * v[j], accuracy: 1e-8) } }
    }

    /// Instance 9559 (X₀₀ = X₁₁ = 1, X₀₁ = X₀₂ = 1/9; minimum 2 + 1/81): GLRL fits at rank 2 with
    /// Δ = 3.9552e-3, the value the gradient flow settles at for ᾱ ≤ 1e-50 — two different
    /// computations (the flow from ᾱ = 1e-100 integrated through its linear phase, 6,489 steps)
    /// agree to 1e-7; and ε moves GLRL's Δ by less than 1e-7 from 1e-6 to 1e-12.
    func testGreedyIsTheSmallInitialisationLimitOnInstance9559() throws {
        let index = 9 + 5 * 10 + 5 * 100 + 9 * 1000
        let problem = ExhaustiveSearch.problem(of: index)
        let minimum = 2 + 1.0 / 81
        var deltas: [Double] = []
        for scale in [1e-6, 1e-12] {
            var options = GreedyLowRankLearning.Options()
            options.scale = scale
            let result = GreedyLowRankLearning(problem: problem, options: options).run()
            XCTAssertEqual(result.status, .solved, result.message)
            XCTAssertEqual(result.rank, 2)
            deltas.append((try result.x.nuclearNorm() - minimum) / minimum)
        }
        XCTAssertEqual(deltas[0], deltas[1], accuracy: 1e-7)
        var search = ExhaustiveSearch(initNorms: [1e-100])
        search.closedFormLinearPhase = false
        let flow = search.solve(index)
        XCTAssertEqual(flow.statuses, [.solved])
        XCTAssertEqual(flow.deltas[0], 3.9552e-3, accuracy: 1e-7, "the referee's scipy flows")
        XCTAssertEqual(deltas[1], flow.deltas[0], accuracy: 1e-7)
    }

    /// Instance 101697 (X₀₁ = 5/9, X₀₂ = 1, X₁₁ = 1/3, X₁₂ = −7/9): the rank-1 stage's loss keeps
    /// falling as U grows (relative training error 0.455 at tr X = 1e4): GLRL reports `.diverged`.
    func testUnboundedStageIsReported() throws {
        let result = GreedyLowRankLearning(problem: ExhaustiveSearch.problem(of: 101_697)).run()
        XCTAssertEqual(result.status, .diverged, result.message)
        XCTAssertEqual(result.rank, 1)
        XCTAssertGreaterThan(result.x.trace, 1e4)
        XCTAssertGreaterThan(result.relativeResidual, 0.4)
    }
}
