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
        var observed: [ObservedEntries.Entry] = []
        for j in 0..<40 { for i in 0..<60 where random.uniform() < 0.5 { observed.append(.init(row: i, column: j, value: planted[i, j])) } }
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
        XCTAssertEqual(result.status, .solved)
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
        XCTAssertEqual(solution.status, .solved, solution.message)
        XCTAssertLessThanOrEqual(solution.relativeGap, 1e-4)
        XCTAssertLessThanOrEqual(solution.lowerBound, target * (1 + 1e-12))
        XCTAssertGreaterThanOrEqual(solution.nuclearNorm, target * (1 - 1e-12))
        for k in 0..<entries.count { XCTAssertEqual(solution.x[entries.row[k], entries.column[k]], entries.values[k]) }
        XCTAssertLessThan((solution.x - planted).frobeniusNorm / planted.frobeniusNorm, 1e-2)
    }
}

/// Symmetric completion's sparse operator (one nonzero a row of P, and the factored products of
/// `SymmetricMeasurements+Factored` that the flow uses) against the dense operator of the same A_k;
/// and MovieLens's factored test error against the formed matrix.
extension CompletionTests {
    /// A planted 7 × 7 PSD rank-2 matrix observed on about 40% of its entries, some given below
    /// the diagonal, some on it.
    func symmetricProblem() -> MeasurementProblem {
        var random = RandomSource(seed: 11, stream: 8)
        let planted = Matrix.gram(Matrix(rows: 7, columns: 2, rowMajor: random.normals(14)))
        var entries: [ObservedEntries.Entry] = []
        for i in 0..<7 { for j in 0..<7 where random.uniform() < 0.4 && !entries.contains(where: { Set([$0.row, $0.column]) == Set([i, j]) }) {
            entries.append(.init(row: i, column: j, value: planted[i, j]))
        } }
        return MeasurementProblem(dimension: 7, completionEntries: entries)
    }

    /// The test error of a factored UVᵀ (ddot on factor rows) against the same error of the
    /// formed X = UVᵀ (dgemm, then the entries), on random factors and ratings at MovieLens's size.
    func testFactoredTestErrorMatchesTheFormedMatrix() throws {
        var random = RandomSource(seed: 13, stream: 8)
        let u = Matrix(rows: MovieLens.users, columns: 3, rowMajor: random.normals(MovieLens.users * 3))
        let v = Matrix(rows: MovieLens.movies, columns: 3, rowMajor: random.normals(MovieLens.movies * 3))
        let test = (0..<500).map { _ in
            ObservedEntries.Entry(row: Int(random.uniform() * Double(MovieLens.users)), column: Int(random.uniform() * Double(MovieLens.movies)),
                                  value: Double(1 + Int(random.uniform() * 5)))
        }
        let data = MovieLens(training: MovieLens.ratings([]), test: MovieLens.ratings(test))
        let formed = data.testError(Matrix.product(u, .none, v, .transpose))
        XCTAssertGreaterThan(formed, 0.1)
        XCTAssertEqual(data.testError(u: u, v: v), formed, accuracy: 1e-14 * formed)
    }

    /// The problem again, with the same A_k stored densely (the sensing route).
    func denseForm(of problem: MeasurementProblem) -> MeasurementProblem {
        let sparse = problem.measurements
        return MeasurementProblem(
            measurements: SymmetricMeasurements(dimension: sparse.dimension, matrices: (0..<sparse.count).map { sparse.matrix($0) }),
            observations: problem.observations, planted: problem.planted)
    }

    /// The factored products A(UUᵀ) − y and A*(r)U: completion's sums over the entries against
    /// the dense route's dsyrk, dgemv and dsymm on the same A_k.
    func testFactoredProductsOfTheEntriesMatchTheDenseRoute() throws {
        let problem = symmetricProblem()
        XCTAssertTrue(problem.entries!.contains { $0.row > $0.column } && problem.entries!.contains { $0.row == $0.column })
        let (sparse, dense) = (problem.measurements, denseForm(of: problem).measurements)
        let u = FactorInitialization.gaussian(dimension: 7, rank: 4, norm: 2, seed: 3)
        var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: 7, rank: 4)
        var (r, rDense) = ([Double](repeating: .nan, count: sparse.count), [Double](repeating: .nan, count: sparse.count))
        u.elements.withUnsafeBufferPointer { u in
            sparse.factoredResidual(factor: u, rank: 4, observations: problem.observations, into: &r, workspace: &workspace)
            dense.factoredResidual(factor: u, rank: 4, observations: problem.observations, into: &rDense, workspace: &workspace)
        }
        // Against each other, and against A(X) − y with X = UUᵀ formed.
        let formed = Vector.difference(problem.measurements.apply(Matrix.gram(u)), problem.observations)
        for k in r.indices {
            XCTAssertEqual(r[k], rDense[k], accuracy: 1e-14)
            XCTAssertEqual(r[k], formed[k], accuracy: 1e-14)
        }
        let expected = -2 * Matrix.product(problem.measurements.adjoint(formed), .none, u, .none)
        var (product, productDense) = (Matrix(rows: 7, columns: 4, repeating: .nan), Matrix(rows: 7, columns: 4, repeating: .nan))
        u.elements.withUnsafeBufferPointer { u in
            product.elements.withUnsafeMutableBufferPointer {
                sparse.factoredAdjointProduct(r, factor: u, rank: 4, scale: -2, into: $0, workspace: &workspace)
            }
            productDense.elements.withUnsafeMutableBufferPointer {
                dense.factoredAdjointProduct(r, factor: u, rank: 4, scale: -2, into: $0, workspace: &workspace)
            }
        }
        XCTAssertLessThan((product - expected).frobeniusNorm, 1e-13 * expected.frobeniusNorm)
        XCTAssertLessThan((productDense - expected).frobeniusNorm, 1e-13 * expected.frobeniusNorm)
    }

    /// The flow on the entries and on the dense operator of the same A_k agree to the
    /// integrator's tolerance.
    func testCompletionFlowMatchesTheDenseRoute() throws {
        let problem = symmetricProblem()
        let denseProblem = denseForm(of: problem)
        let start = FactorInitialization.gaussian(dimension: 7, rank: 7, norm: 1e-3, seed: 4)
        var options = GradientFlow.Options()
        (options.relativeTolerance, options.residualTolerance) = (1e-8, 1e-5)  // as Figure 4 (d > r: the end is slow)
        let sparse = GradientFlow(problem: problem, options: options).run(from: start)
        let dense = GradientFlow(problem: denseProblem, options: options).run(from: start)
        XCTAssertEqual(sparse.status, .solved)
        XCTAssertLessThanOrEqual(sparse.relativeResidual, 1e-5)
        XCTAssertEqual(sparse.steps, dense.steps, accuracy: 2)
        XCTAssertLessThan((sparse.x - dense.x).frobeniusNorm, 1e-6 * dense.x.frobeniusNorm, "after \(sparse.steps) steps")
        XCTAssertEqual(problem.relativeResidual(sparse.x), sparse.relativeResidual, accuracy: 1e-12)
    }

    /// The completion operator's sparse storage against the dense operator of the same A_k:
    /// A, A*, their batched forms, P itself and ‖A‖_op.
    func testCompletionOperatorMatchesItsDenseForm() throws {
        let problem = symmetricProblem()
        let (sparse, dense) = (problem.measurements, denseForm(of: problem).measurements)
        XCTAssertEqual(sparse.packed, dense.packed)
        var random = RandomSource(seed: 12, stream: 8)
        let x = Matrix.gram(Matrix(rows: 7, columns: 3, rowMajor: random.normals(21)))
        let r = random.normals(sparse.count)
        for (a, b) in zip(sparse.apply(x), dense.apply(x)) { XCTAssertEqual(a, b, accuracy: 1e-15) }
        XCTAssertLessThan((sparse.adjoint(r) - dense.adjoint(r)).frobeniusNorm, 1e-15)
        let columns = Matrix(rows: SymmetricPacking.packedCount(7), columns: 3, rowMajor: random.normals(3 * SymmetricPacking.packedCount(7)))
        let residuals = Matrix(rows: sparse.count, columns: 3, rowMajor: random.normals(3 * sparse.count))
        XCTAssertLessThan((sparse.apply(packedColumns: columns) - dense.apply(packedColumns: columns)).frobeniusNorm, 1e-14)
        XCTAssertLessThan((sparse.adjoint(packedColumns: residuals) - dense.adjoint(packedColumns: residuals)).frobeniusNorm, 1e-14)
        XCTAssertEqual(try sparse.operatorNorm(), try dense.operatorNorm(), accuracy: 1e-12)
        // y ← A(X) − y in place, as the solvers call it.
        var shifted = problem.observations
        sparse.apply(packedVector: SymmetricPacking.pack(x), scale: 1, adding: -1, into: &shifted)
        for (a, b) in zip(shifted, Vector.difference(dense.apply(x), problem.observations)) { XCTAssertEqual(a, b, accuracy: 1e-14) }
    }
}
