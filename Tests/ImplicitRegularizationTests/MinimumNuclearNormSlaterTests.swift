import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// Figure 3's uniform completion, setting (a), seed 0: the one problem of Figure 3 that
/// ``MinimumNuclearNorm`` leaves `.inaccurate` (h-sdp's diagnosis, 2026-12-03).
///
/// The cause is the problem, not a step of the iteration: ten triples {i, j, k} have all six entries
/// of their principal 3 × 3 block observed (diagonal included), and each observed block is a block
/// of the rank-2 X*, so singular (λ_min ≈ 1e-17). Every feasible X vanishes on those blocks' null
/// vectors (8 independent ones), so no X ≻ 0 satisfies A(X) = y: Slater's condition fails, the dual
/// supremum is not attained, and the interior-point dual runs off to infinity along the facial
/// direction (‖z‖ ≈ 6e3 at the stall). Measured on the full problem: the Schur complement needs its
/// diagonal shift from iteration 12 on (μ ≈ 1e-6), after which |A(ΔX) − r_p| ≥ |r_p| and the primal
/// residual climbs from 1.1e-9 to 2.0e-8; with ‖z‖ ≈ 6e3 that residual is worth 2e-7 of trace, the
/// −1.95e-7 "gap". The certified lower bound 1.3763813904 is itself 4.9e-7 below the minimum.
///
/// Facially reduced to X = P W Pᵀ (P an orthonormal basis of the complement of the null vectors,
/// 42 columns; 249 of the 300 constraints independent on that face), the problem has a strictly
/// feasible point and the same solver certifies it (``MinimumNuclearNorm`` falls back to it): the
/// minimum is 1.3763820567…
final class MinimumNuclearNormSlaterTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// The null vectors of the fully observed singular principal blocks of size 2 and 3, zero-padded, by
    /// brute force (the solver finds them by maximal cliques).
    static func exposedDirections(_ problem: MeasurementProblem) throws -> [[Double]] {
        let n = problem.dimension
        var observed: [Int: Double] = [:]
        for entry in problem.entries ?? ObservedEntries(rows: n, columns: n, entries: []) { observed[min(entry.row, entry.column) * n + max(entry.row, entry.column)] = entry.value }
        func value(_ a: Int, _ b: Int) -> Double? { observed[min(a, b) * n + max(a, b)] }
        let diagonal = (0..<n).filter { value($0, $0) != nil }
        var directions: [[Double]] = []
        func examine(_ block: [Int]) throws {
            guard block.allSatisfy({ a in block.allSatisfy { value(a, $0) != nil } }) else { return }
            var y = Matrix(rows: block.count, columns: block.count)
            for (p, a) in block.enumerated() { for (q, b) in block.enumerated() { y[p, q] = value(a, b)! } }
            let spectrum = try SymmetricEigendecomposition(y)
            let largest = spectrum.values.last!
            for (t, lambda) in spectrum.values.enumerated() where lambda <= 1e-12 * largest {
                var v = [Double](repeating: 0, count: n)
                for (p, a) in block.enumerated() { v[a] = spectrum.vectors[p, t] }
                directions.append(v)
            }
        }
        for (p, a) in diagonal.enumerated() {
            for (q, b) in diagonal.enumerated() where q > p {
                try examine([a, b])
                for c in diagonal[(q + 1)...] { try examine([a, b, c]) }
            }
        }
        return directions
    }

    func testFigure3UniformCompletionAHasNoStrictlyFeasiblePoint() throws {
        let problem = try PaperSetting.a.problem(.uniformCompletion, seed: 0)
        let directions = try Self.exposedDirections(problem)
        XCTAssertEqual(directions.count, 10)
        // Each is a certificate of the face: w with A*(w) = vvᵀ ⪰ 0 and yᵀw = vᵀY v ≈ 0.
        let entries = try XCTUnwrap(problem.entries)
        for v in directions {
            let w = entries.map { $0.row == $0.column ? v[$0.row] * v[$0.row] : 2 * v[$0.row] * v[$0.column] }
            XCTAssertLessThanOrEqual(abs(Vector.dot(w, problem.observations)), 1e-15)
            XCTAssertGreaterThanOrEqual(try problem.measurements.adjoint(w).smallestEigenvalue(), -1e-15)
            XCTAssertEqual(try SymmetricEigendecomposition(problem.measurements.adjoint(w)).values.last!, 1, accuracy: 1e-12)
        }
    }

    /// The solver falls back to the exposed face when the iteration stalls, and certifies the
    /// minimum there: measured 2026-12-03, relative gap −7.2e-10, residual 1.8e-9 (before: the
    /// iteration's best point, gap −1.95e-7, residual 2.8e-8, `.inaccurate`, trace 1.3763811213).
    /// The value agrees with an independent reduction (numpy's basis of the face, the 249
    /// constraints chosen by pivoted QR, the same interior-point method) at 1.3763820572, and lies
    /// below the planted X*'s trace and the gradient flow's 1.3767766. cvxpy/Clarabel 1.9.3 on the
    /// full problem ends `optimal_inaccurate` (1.3763808094, residual 2.1e-8): the same wall.
    func testFigure3UniformCompletionAIsSolvedOnItsExposedFace() throws {
        let problem = try PaperSetting.a.problem(.uniformCompletion, seed: 0)
        let outcome = try MinimumNuclearNorm(problem: problem).solve()
        guard let solution = outcome.solved else { return XCTFail("\(outcome.status): \(outcome.message)") }
        XCTAssertEqual(solution.exposedDirections, 8)
        XCTAssertLessThanOrEqual(abs(solution.dualityGap), 1e-8)
        XCTAssertLessThanOrEqual(solution.residual, 1e-8)
        // `.solved` certifies `tr X − min ≤ 1e-8·tr X` (1.4e-8), and the independent value carries its
        // own interior-point gap: 2e-8 is that guarantee, not a reading of one kernel's bits
        // (measured: within 3e-9 natively, 8.3e-9 under Prescott, 5.3e-9 under Haswell).
        XCTAssertEqual(solution.nuclearNorm, 1.3763820570, accuracy: 2e-8)
        XCTAssertGreaterThan(try solution.x.smallestEigenvalue(), -1e-14 * solution.nuclearNorm, "X not PSD")
        let planted = try XCTUnwrap(problem.planted)
        XCTAssertLessThanOrEqual(solution.lowerBound, planted.trace)
        XCTAssertLessThan(solution.nuclearNorm, 1.3767766)
        // X vanishes on every exposed direction.
        for v in try Self.exposedDirections(problem) {
            XCTAssertLessThanOrEqual(Vector.norm(solution.x * v), 1e-12)
        }
    }

    /// Figure 4's instances whose 2 × 2 block [[a, −a], [−a, a]] is fully observed and singular (no
    /// X ≻ 0 is feasible): whichever route the solver takes (the interior-point iteration, or, when
    /// round-off stalls it, the exposed face), the minimum comes with a dual feasible for the full
    /// problem, checked here independently: `λ_min(I − A*(z)) ≥ −1e-12` and `yᵀz` within 1e-8 of the
    /// minimum, which is the closed form's 2a + X22 (the block's trace plus the free diagonal entry).
    /// So the search decides each instance as the exact closed form does (`feasible`), with the
    /// floors of its flows certified; on the face, the face's dual alone was not feasible (its slack
    /// vanishes on the whole face) and such instances were left undecided.
    func testAMinimumOnAnExposedFaceComesWithAFullProblemDual() throws {
        for index in [48818, 78818, 98188] {
            let problem = ExhaustiveSearch.problem(of: index)
            guard let solution = try MinimumNuclearNorm(problem: problem).solve().solved else { return XCTFail("\(index): not solved") }
            XCTAssertTrue(solution.dualIsFullProblem, "\(index): \(solution.message)")
            let slack = Matrix.identity(3) - problem.measurements.adjoint(solution.dual)
            XCTAssertGreaterThanOrEqual(try slack.smallestEigenvalue(), -1e-12, "\(index)")
            let diagonal = ExhaustiveSearch.entries(of: index).filter { $0.row == $0.column }.map(\.value)
            XCTAssertEqual(solution.nuclearNorm, diagonal.reduce(0, +), accuracy: 1e-8 * solution.nuclearNorm, "\(index): the trace of the observed diagonal")
            XCTAssertEqual(Vector.dot(problem.observations, solution.dual), solution.nuclearNorm, accuracy: 1e-8 * solution.nuclearNorm, "\(index): yᵀz")
            XCTAssertEqual(ExhaustiveSearch().solve(index).verdict, PSDCompletion3.isFeasible(instance: index) ? .feasible : .infeasible, "\(index)")
        }
    }
}
