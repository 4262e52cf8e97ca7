import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// Every solver says `.solved` only when it met its documented target, and otherwise says which
/// limit ended it (issue #13: a flow at rtol 0 used to report "converged" after 2,000,000 rejected steps).
final class SolverStatusTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    func testAFlowThatCannotResolveItsStepsIsNotSolved() throws {
        let problem = try Fixtures.problem("flow-n4-m5.json")
        let setting = try XCTUnwrap(problem.flow)
        var options = GradientFlow.Options()
        options.relativeTolerance = 0  // no step can meet a zero tolerance
        options.maxSteps = 5_000
        let result = GradientFlow(problem: problem, options: options).run(from: setting.initialFactor, horizon: setting.horizon)
        XCTAssertNotEqual(result.status, .solved, result.message)
        XCTAssertTrue([.inaccurate, .stepLimit].contains(result.status), "\(result.status): \(result.message)")
        XCTAssertLessThan(result.time, setting.horizon, "it cannot have reached T at rtol 0")
    }

    func testTheFlowsLimitsAreReportedAsSuch() throws {
        let problem = try Fixtures.problem("flow-n4-m5.json")
        let start = try XCTUnwrap(problem.flow).initialFactor
        var options = GradientFlow.Options()
        options.maxSteps = 5
        let capped = GradientFlow(problem: problem, options: options).run(from: start, horizon: 100)
        XCTAssertEqual(capped.status, .stepLimit, capped.message)
        XCTAssertEqual(capped.steps + capped.rejectedSteps, 5)

        options = GradientFlow.Options()
        options.maxTime = 1
        options.residualTolerance = 1e-12
        let timed = GradientFlow(problem: problem, options: options).run(from: start)
        XCTAssertEqual(timed.status, .timeLimit, timed.message)
        XCTAssertEqual(timed.time, 1)
        XCTAssertGreaterThan(timed.relativeResidual, 1e-12)

        let reached = GradientFlow(problem: problem).run(from: start, horizon: 100)
        XCTAssertEqual(reached.status, .solved, reached.message)
        XCTAssertEqual(reached.time, 100)
    }

    func testDescentStatuses() throws {
        let problem = try Fixtures.problem("sensing-n8-r1-m24.json")
        let start = FactorInitialization.gaussian(dimension: 8, rank: 8, norm: 1e-3, seed: 1)
        let capped = FactorizedGradientDescent(problem: problem, stopping: StoppingRule(tolerance: 1e-6, maxIterations: 3))
            .run(from: start, policy: .fixed(1e-3))
        XCTAssertEqual(capped.status, .iterationLimit)
        XCTAssertEqual(capped.iterations, 3)
        XCTAssertGreaterThan(capped.relativeResidual, 1e-6)
        XCTAssertTrue(capped.message.contains("cap of 3 iterations"), capped.message)

        let blown = FactorizedGradientDescent(problem: problem)
            .run(from: FactorInitialization.gaussian(dimension: 8, rank: 8, norm: 1, seed: 1), policy: .fixed(100))
        XCTAssertEqual(blown.status, .diverged, blown.message)
    }

    /// An interior-point solve cut off early is `.solved` only if its certified point meets the
    /// target (the polish can finish a crude iterate on a rank-one face), else `.iterationLimit`;
    /// either way its lower bound is certified: below cvxpy/Clarabel's minimum.
    func testATruncatedSDPIsHonestAboutItsBounds() throws {
        let name = "sensing-n8-r1-m24.json"
        let problem = try Fixtures.problem(name)
        let expected = try XCTUnwrap(Fixtures.reference(name)["min_nuclear_norm"] as? Double)
        for cap in [1, 2, 3, 5] {
            var solver = MinimumNuclearNorm(problem: problem)
            solver.options.maxIterations = cap
            guard case let .solution(truncated) = try solver.solve() else { return XCTFail("infeasible") }
            XCTAssertLessThanOrEqual(truncated.lowerBound, expected + 1e-6, "weak duality (cvxpy's minimum is good to about 2e-7 here)")
            switch truncated.status {
            case .solved:
                XCTAssertLessThanOrEqual(max(abs(truncated.dualityGap), truncated.residual), 1e-8, truncated.message)
                XCTAssertEqual(truncated.nuclearNorm, expected, accuracy: 1e-6 * expected)
            case .iterationLimit:
                XCTAssertGreaterThan(max(abs(truncated.dualityGap), truncated.residual), 1e-8, truncated.message)
            default: XCTFail("\(cap): \(truncated.status): \(truncated.message)")
            }
        }
        // Setting (a)'s uniform completion has an optimum of rank ≥ 4 with eigenvalues down to 1e-7,
        // which the polish cannot finish: 3 iterations are not solved.
        var hard = MinimumNuclearNorm(problem: try PaperSetting.a.problem(.uniformCompletion, seed: 0))
        hard.options.maxIterations = 3
        XCTAssertEqual(try hard.solve().status, .iterationLimit)

        guard let full = try MinimumNuclearNorm(problem: problem).solve().solved else { return XCTFail("not solved") }
        XCTAssertEqual(full.nuclearNorm, expected, accuracy: 1e-6 * expected)
    }

    /// The polish on the optimal face certifies the degenerate optimum 83/9 (see
    /// MinimumNuclearNormTests) to round-off, not merely to the 1e-8 of the target, on every kernel.
    func testThePolishCertifiesADegenerateOptimumToRoundOff() throws {
        let problem = MeasurementProblem(dimension: 3, completionEntries: ExhaustiveSearch.entries(of: 125_409))
        guard let solution = try MinimumNuclearNorm(problem: problem).solve().solved else { return XCTFail("not solved") }
        XCTAssertEqual(solution.nuclearNorm, 83.0 / 9, accuracy: 1e-12)
        XCTAssertLessThanOrEqual(solution.residual, 1e-13)
        XCTAssertLessThanOrEqual(abs(solution.dualityGap), 1e-12)
    }

    func testAnInfeasibleCompletionSaysSo() throws {
        // X₀₀ = X₁₁ = 1 and X₀₁ = 2 violate X₀₁² ≤ X₀₀X₁₁: no PSD completion.
        let problem = MeasurementProblem(dimension: 2, completionEntries: [
            .init(row: 0, column: 0, value: 1), .init(row: 1, column: 1, value: 1), .init(row: 0, column: 1, value: 2),
        ])
        let outcome = try MinimumNuclearNorm(problem: problem).solve()
        XCTAssertEqual(outcome.status, .infeasible, outcome.message)
        XCTAssertNil(outcome.solved)
    }
}
