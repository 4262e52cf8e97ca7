import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

final class FlowTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// scipy's LSODA at rtol 1e-11 to T = 5000 from the fixture's U0.
    func testFlowMatchesScipyOnTheFixture() throws {
        let problem = try Fixtures.problem("flow-n4-m5.json")
        let reference = try Fixtures.reference("flow-n4-m5.json")
        let expected = Matrix(rows: 4, columns: 4, rowMajor: try XCTUnwrap(reference["X_T"] as? [Double]))
        let setting = try XCTUnwrap(problem.flow)
        let result = GradientFlow(problem: problem).run(from: setting.initialFactor, horizon: setting.horizon)
        let error = (result.x - expected).frobeniusNorm / expected.frobeniusNorm
        XCTAssertLessThan(error, 1e-6, "relative Frobenius distance to scipy's X_T")
        XCTAssertEqual(try result.x.nuclearNorm(), try XCTUnwrap(reference["nuclear_norm_X_T"] as? Double), accuracy: 1e-6)
        XCTAssertEqual(result.time, setting.horizon)
        XCTAssertGreaterThan(result.steps, 10)
    }

    func testTheLossNeverIncreasesAlongTheFlow() throws {
        let problem = try Fixtures.problem("flow-n4-m5.json")
        let start = try XCTUnwrap(problem.flow).initialFactor
        var losses: [Double] = []
        for horizon in [1.0, 10, 30, 100, 300, 1000, 3000] {
            losses.append(GradientFlow(problem: problem).run(from: start, horizon: horizon).loss)
        }
        // Up to the integrator's resolution: at rtol 1e-10 the residual is resolved to about
        // 1e-10 · ‖A‖‖X‖, so losses below ½(1e-10)² are round-off (the tail reaches 1e-22).
        for (earlier, later) in zip(losses, losses.dropFirst()) {
            XCTAssertLessThanOrEqual(later, earlier * (1 + 1e-9) + 1e-20)
        }
        XCTAssertLessThan(losses.last!, 1e-3 * losses.first!)
    }

    func testTimeOrderedExponentialStaysPSDAndFits() throws {
        let problem = try Fixtures.problem("sensing-n8-r1-m24.json")
        let start = FactorInitialization.gaussian(dimension: 8, rank: 8, norm: 1e-3, seed: 1)
        var smallest = Double.infinity
        var count = 0
        // With d = n > rank X*, the last eigenvalues decay like 1/t (as for GD): stop at 1e-3.
        let stopping = StoppingRule(tolerance: 1e-3, maxIterations: 20_000)
        let result = try TimeOrderedExponential(problem: problem, step: 0.1, stopping: stopping).run(from: start) { _, x in
            count += 1
            if count % 10 == 1 { smallest = min(smallest, (try? x.smallestEigenvalue()) ?? -1) }
        }
        XCTAssertEqual(result.status, .solved, result.message)
        XCTAssertGreaterThan(smallest, -1e-12, "every iterate PSD")
        // The exponential keeps X = e^{-ηS} X e^{-ηS}: exactly symmetric and PSD at the end too.
        XCTAssertGreaterThan(try result.x.smallestEigenvalue(), -1e-12)
        let minimum = try XCTUnwrap(reference(MinimumNuclearNorm(problem: problem).solve()))
        XCTAssertEqual(try result.nuclearNorm(), minimum, accuracy: 1e-2 * minimum)
    }

    /// Theorem 1 / Corollary 2: diagonal measurements, the vector flow from α·1 with α = 1e-6 reaches the
    /// ℓ1 minimum `min ‖x‖₁ s.t. Ax = b, x ≥ 0` (computed exactly by the SDP with A_i = diag(a_i)).
    func testCommutativeFlowReachesTheL1Minimum() throws {
        var random = RandomSource(seed: 7, stream: 9)
        let (m, n) = (3, 6)
        let design = Matrix(rows: m, columns: n, rowMajor: random.normals(m * n))
        let planted = [0.0, 1.3, 0, 0.4, 0, 0.9]
        let b = design * planted
        let flow = CommutativeFlow(design: design, observations: b)
        let result = flow.run(initialScale: 1e-6)
        XCTAssertLessThan(result.relativeResidual, 1e-8)
        let minimum = try XCTUnwrap(reference(MinimumNuclearNorm(problem: flow.matrixProblem).solve()))
        XCTAssertEqual(result.l1Norm, minimum, accuracy: 1e-4)
        XCTAssertTrue(result.x.allSatisfy { $0 >= 0 })
        // A large start lands elsewhere: the bias is the small initialisation's.
        var loose = flow
        loose.residualTolerance = 1e-6
        XCTAssertGreaterThan(loose.run(initialScale: 1).l1Norm - minimum, 1e-3)
    }

    func testExhaustiveSearchEnumeratesAndDecidesFeasibility() throws {
        XCTAssertEqual(ExhaustiveSearch.masks.count, 15)
        XCTAssertEqual(Set(ExhaustiveSearch.masks.map { $0 }).count, 15)
        XCTAssertEqual(ExhaustiveSearch.grid.first, -1)
        XCTAssertEqual(ExhaustiveSearch.grid.last!, 1, accuracy: 1e-15)
        // Every psd3 fixture: the search's feasibility and minimum agree with cvxpy.
        for name in try Fixtures.names(prefix: "psd3") {
            let problem = try Fixtures.problem(name)
            let reference = try Fixtures.reference(name)
            switch try MinimumNuclearNorm(problem: problem).solve() {
            case .solution(let solution):
                XCTAssertNotEqual(reference["feasible"] as? Bool, false, name)
                XCTAssertEqual(solution.nuclearNorm, try XCTUnwrap(reference["min_nuclear_norm"] as? Double), accuracy: 1e-6, name)
            case .infeasible:
                XCTAssertEqual(reference["feasible"] as? Bool, false, name)
            }
        }
        // Instance 0: mask {00, 01, 02, 11}, all values −1: a negative diagonal, infeasible outright.
        XCTAssertEqual(ExhaustiveSearch().solve(0).verdict, .infeasible)
        // A feasible instance: the flow from 1e-5 lands near the minimum, never below it. (Its Δ, 1.3e-3,
        // grows as ᾱ shrinks: 2.7e-3 at 1e-12 — the flow is not exactly the minimum nuclear norm here.)
        let search = ExhaustiveSearch(initNorms: [1e-5])
        // X00 = 1, X01 = 1/9, X02 = 1/9, X11 = 1 (digits 9, 5, 5, 9 of mask 0): X22 is free, so feasible.
        let index = 9 + 5 * 10 + 5 * 100 + 9 * 1000
        for (value, expected) in zip(ExhaustiveSearch.entries(of: index).map(\.value), [1, 1.0 / 9, 1.0 / 9, 1]) { XCTAssertEqual(value, expected, accuracy: 1e-15) }
        let outcome = search.solve(index)
        XCTAssertEqual(outcome.verdict, .feasible)
        XCTAssertEqual(outcome.statuses[0], .solved)
        XCTAssertLessThan(outcome.deltas[0], 1e-2)
        XCTAssertGreaterThan(outcome.deltas[0], -1e-6)
        XCTAssertEqual(outcome.minimum, 2 + 1.0 / 81, accuracy: 1e-7, "X22 = X02²/… : the closed form 2 + 1/81")
    }

    private func reference(_ outcome: MinimumNuclearNorm.Outcome) -> Double? {
        if case .solution(let solution) = outcome { return solution.nuclearNorm }
        return nil
    }
}

extension FlowTests {
    /// The flow's linear phase in closed form is `exp(2t₀A*(y)) U0` (against LinearAlgebra's
    /// symmetric exponential) at the norm asked for; from ᾱ = 1e-50 the flow through it and the flow
    /// integrated from ᾱ (3,391 steps) give the same Δ to 1e-9 on instance 9559.
    func testLinearPhaseInClosedForm() throws {
        let index = 9 + 5 * 10 + 5 * 100 + 9 * 1000
        let problem = ExhaustiveSearch.problem(of: index)
        let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1e-8, seed: 4)
        let (factor, time) = try XCTUnwrap(ExhaustiveSearch.linearPhase(of: problem, from: start, to: 1e-6))
        XCTAssertEqual(factor.frobeniusNorm, 1e-6, accuracy: 1e-15)
        let exact = try problem.measurements.adjoint(problem.observations).symmetricExponential(scale: 2 * time) * start
        XCTAssertLessThan((factor - exact).frobeniusNorm, 1e-12 * 1e-6)
        XCTAssertNil(ExhaustiveSearch.linearPhase(of: problem, from: start, to: 1e-9), "already past the norm")
        // From 1e-300 it still finds the point (the logarithms do not underflow).
        let tiny = try XCTUnwrap(ExhaustiveSearch.linearPhase(
            of: problem, from: FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1e-300, seed: 4), to: 1e-6))
        XCTAssertEqual(tiny.factor.frobeniusNorm, 1e-6, accuracy: 1e-15)
        var integrated = ExhaustiveSearch(initNorms: [1e-50])
        integrated.closedFormLinearPhase = false
        let closed = ExhaustiveSearch(initNorms: [1e-50])
        let (a, b) = (integrated.solve(index), closed.solve(index))
        XCTAssertEqual(a.statuses, [.solved])
        XCTAssertEqual(b.statuses, [.solved])
        XCTAssertEqual(a.deltas[0], b.deltas[0], accuracy: 1e-9)
        XCTAssertGreaterThan(a.steps[0], 3 * b.steps[0], "the closed form saves the escape's steps")
    }

    /// The isometric weighting: ½‖A(X) − y‖² with A_k = (e_ie_jᵀ + e_je_iᵀ)/√2 off the diagonal and
    /// y_k = √2 M_ij, computed by hand, equals the loss of ``ExhaustiveSearch/problem(of:weighting:)``;
    /// on instance 9559 its flow's limit is Δ = 4.908e-3 (the scipy value), the SPEC's 3.955e-3;
    /// every Δ is above its certified floor, which is within 1e-8 of 0.
    func testIsometricWeightingAndFloors() throws {
        let index = 9 + 5 * 10 + 5 * 100 + 9 * 1000
        let entries = ExhaustiveSearch.entries(of: index)
        let isometric = ExhaustiveSearch.problem(of: index, weighting: .isometric)
        let u = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 2, seed: 9)
        let x = Matrix.gram(u)
        let byHand = entries.reduce(0.0) { sum, e in
            let w = e.row == e.column ? 1 : 2.0.squareRoot()
            return sum + 0.5 * (w * x[e.row, e.column] - w * e.value) * (w * x[e.row, e.column] - w * e.value)
        }
        let r = Vector.difference(isometric.measurements.apply(x), isometric.observations)
        XCTAssertEqual(0.5 * Vector.norm(r) * Vector.norm(r), byHand, accuracy: 1e-12 * byHand)
        let outcome = ExhaustiveSearch(initNorms: [1e-100, 1e-5], weighting: .isometric).solve(index)
        XCTAssertEqual(outcome.statuses, [.solved, .solved])
        XCTAssertEqual(outcome.deltas[0], 4.908e-3, accuracy: 1e-6)
        XCTAssertEqual(outcome.minimum, 2 + 1.0 / 81, accuracy: 1e-8)
        for (delta, floor) in zip(outcome.deltas, outcome.floors) {
            XCTAssertLessThanOrEqual(floor, 0)
            XCTAssertGreaterThan(floor, -1e-8)
            XCTAssertGreaterThanOrEqual(delta, floor)
        }
    }
}
