import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// Rectangular completion with the sparse operator: the O(m) products against dense ones, and
/// gradient descent on UVᵀ on a planted 60 × 40 rank-2 problem.
final class CompletionTests: XCTestCase {
    /// A planted 60 × 40 rank-2 matrix observed on half of its entries.
    func plantedProblem() -> (entries: ObservedEntries, planted: Matrix) {
        var random = RandomSource(seed: 5, stream: 8)
        let a = Matrix(rows: 60, columns: 2, rowMajor: random.normals(120))
        let b = Matrix(rows: 40, columns: 2, rowMajor: random.normals(80))
        let planted = Matrix.product(a, .none, b, .transpose)
        var observed: [(row: Int, column: Int, value: Double)] = []
        for j in 0..<40 { for i in 0..<60 where random.uniform() < 0.5 { observed.append((i, j, planted[i, j])) } }
        return (ObservedEntries(rows: 60, columns: 40, entries: observed), planted)
    }

    /// One step of the sparse method is `U − (η/c) S V`, `V − (η/c) Sᵀ U` with the dense S.
    func testOneStepMatchesTheDenseGradient() throws {
        let (entries, _) = plantedProblem()
        let (u0, v0) = AsymmetricGradientDescent.initialFactors(rows: 60, columns: 40, rank: 5, norm: 1, seed: 2)
        XCTAssertEqual((u0.frobeniusNorm * u0.frobeniusNorm + v0.frobeniusNorm * v0.frobeniusNorm).squareRoot(), 1, accuracy: 1e-12)
        let descent = AsymmetricGradientDescent(entries: entries, step: 0.1, lossScale: 2, stopping: StoppingRule(tolerance: 0, maxIterations: 1))
        let result = descent.run(u0: u0, v0: v0)
        XCTAssertEqual(result.iterations, 1)
        let x = Matrix.product(u0, .none, v0, .transpose)
        var s = Matrix(rows: 60, columns: 40)
        for k in 0..<entries.count { s[entries.row[k], entries.column[k]] = x[entries.row[k], entries.column[k]] - entries.values[k] }
        let u1 = u0 - (0.1 / 2) * Matrix.product(s, .none, v0, .none)
        let v1 = v0 - (0.1 / 2) * Matrix.product(s, .transpose, u0, .none)
        XCTAssertLessThan((result.u - u1).frobeniusNorm, 1e-13)
        XCTAssertLessThan((result.v - v1).frobeniusNorm, 1e-13)
    }

    /// From a small start, gradient descent fits the observed half and recovers the planted matrix.
    func testGradientDescentRecoversAPlantedRankTwoMatrix() throws {
        let (entries, planted) = plantedProblem()
        let (u0, v0) = AsymmetricGradientDescent.initialFactors(rows: 60, columns: 40, rank: 40, norm: 1e-3, seed: 3)
        let scale = try AsymmetricGradientDescent.defaultLossScale(for: entries)
        let descent = AsymmetricGradientDescent(entries: entries, step: 1e-2, lossScale: scale, stopping: StoppingRule(tolerance: 1e-4, maxIterations: 50_000))
        let result = descent.run(u0: u0, v0: v0)
        XCTAssertEqual(result.status, .converged)
        XCTAssertLessThan(result.relativeResidual, 1e-4)
        XCTAssertLessThan((result.x - planted).frobeniusNorm / planted.frobeniusNorm, 5e-3)
    }
}

extension CompletionTests {
    /// The ADMM minimum nuclear norm completion brackets the planted matrix's nuclear norm (an
    /// exact recovery: half of a 60 × 40 rank-2 matrix observed) and closes the gap to 1e-4.
    func testMinimumNuclearNormCompletionBracketsThePlantedSolution() throws {
        let (entries, planted) = plantedProblem()
        let solution = try MinimumNuclearNormCompletion(entries: entries).solve()
        let target = try planted.nuclearNorm()
        XCTAssertTrue(solution.converged)
        XCTAssertLessThanOrEqual(solution.relativeGap, 1e-4)
        XCTAssertLessThanOrEqual(solution.lowerBound, target * (1 + 1e-12))
        XCTAssertGreaterThanOrEqual(solution.nuclearNorm, target * (1 - 1e-12))
        for k in 0..<entries.count { XCTAssertEqual(solution.x[entries.row[k], entries.column[k]], entries.values[k]) }
        XCTAssertLessThan((solution.x - planted).frobeniusNorm / planted.frobeniusNorm, 1e-2)
    }
}
