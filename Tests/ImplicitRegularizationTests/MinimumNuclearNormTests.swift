import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

final class MinimumNuclearNormTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// Every sensing and psd3 fixture: the minimum within 1e-6 relative of cvxpy/Clarabel's, a
    /// certified gap ≤ 1e-8, and the infeasible ones reported infeasible with a valid certificate.
    func testFixturesAgainstCvxpy() throws {
        for name in try Fixtures.names(prefix: "sensing") + Fixtures.names(prefix: "psd3") {
            let problem = try Fixtures.problem(name)
            let reference = try Fixtures.reference(name)
            let outcome = try MinimumNuclearNorm(problem: problem).solve()
            switch outcome {
            case let .solution(solution):
                XCTAssertEqual(solution.status, .solved, "\(name): \(solution.message)")
                XCTAssertNotEqual(reference["feasible"] as? Bool, false, "\(name): reported feasible")
                let expected = try XCTUnwrap(reference["min_nuclear_norm"] as? Double, name)
                XCTAssertEqual(solution.nuclearNorm, expected, accuracy: 1e-6 * expected, name)
                XCTAssertLessThanOrEqual(solution.dualityGap, 1e-8, name)
                XCTAssertGreaterThanOrEqual(solution.dualityGap, -1e-12, "\(name): weak duality violated")
                XCTAssertLessThanOrEqual(solution.residual, 1e-8, name)
                // PSD to round-off (a polished X = UUᵀ is PSD by construction, its zero eigenvalues ±1e-16).
                XCTAssertGreaterThan(try solution.x.smallestEigenvalue(), -1e-14 * solution.nuclearNorm, "\(name): X not PSD")
            case let .infeasible(certificate):
                XCTAssertEqual(reference["feasible"] as? Bool, false, "\(name): reported infeasible")
                // The certificate itself: yᵀw = −1 and A*(w) ⪰ −1e-8 I.
                XCTAssertEqual(Vector.dot(problem.observations, certificate.w), -1, accuracy: 1e-12, name)
                XCTAssertGreaterThanOrEqual(try problem.measurements.adjoint(certificate.w).smallestEigenvalue(), -1e-8, name)
            }
        }
    }

    /// A closed form: observing only the diagonal, the minimum is `Σ y_i` (X = diag(y), y ≥ 0).
    func testDiagonalObservationsHaveTheTraceAsMinimum() throws {
        let entries = [0.3, 1.2, 0.5, 2.0].enumerated().map { ObservedEntries.Entry(row: $0.offset, column: $0.offset, value: $0.element) }
        let problem = MeasurementProblem(dimension: 4, completionEntries: entries)
        guard let solution = try MinimumNuclearNorm(problem: problem).solve().solved else { return XCTFail("not solved") }
        XCTAssertEqual(solution.nuclearNorm, 4.0, accuracy: 1e-8)
        XCTAssertLessThanOrEqual(solution.dualityGap, 1e-8)
    }

    /// A closed form at a degenerate optimum, four of Figure 4's instances (125409, 125490, 125500,
    /// 125599): X₀₁ = ±1, X₀₂ = ±1, X₁₂ = ±1/9, X₂₂ = 1/9. PSD forces X₀₀ ≥ X₀₂²/X₂₂ = 9 and
    /// X₁₁ ≥ X₁₂²/X₂₂ = 1/9, and the sign pattern of the instances below makes the rank-one
    /// `wwᵀ`, w = (3, ±1/3, ±1/3), attain both: the minimum is 83/9. Round-off pushes the late
    /// iterates off the constraints here, differently under each BLAS kernel (`OPENBLAS_CORETYPE`):
    /// the polish on the optimal face must certify the optimum whatever the kernel.
    func testADegenerateOptimumIsCertifiedByTheBestIterate() throws {
        for index in [125_409, 125_490, 125_500, 125_599] {
            let entries = ExhaustiveSearch.entries(of: index)
            let problem = MeasurementProblem(dimension: 3, completionEntries: entries)
            let outcome = try MinimumNuclearNorm(problem: problem).solve()
            guard let solution = outcome.solved else { return XCTFail("\(index): \(outcome.status): \(outcome.message)") }
            XCTAssertEqual(solution.nuclearNorm, 83.0 / 9, accuracy: 1e-8, "\(index)")
            XCTAssertGreaterThanOrEqual(solution.nuclearNorm, solution.lowerBound - 1e-12, "\(index): the trace below its certified lower bound")
            XCTAssertLessThanOrEqual(solution.lowerBound, 83.0 / 9 + 1e-12, "\(index): the lower bound is certified")
            XCTAssertLessThanOrEqual(abs(solution.dualityGap), 1e-8, "\(index)")
            XCTAssertLessThanOrEqual(solution.residual, 1e-8, "\(index)")
            XCTAssertEqual(ExhaustiveSearch().solve(index).verdict, .feasible, "\(index)")
        }
    }
}
