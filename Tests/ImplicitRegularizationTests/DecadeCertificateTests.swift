import ImplicitRegularization
import LinearAlgebra
import XCTest

/// Issue 16: Figure 4's slow flows (an observed singular 2 × 2 block) approach their limit like
/// t^(−1/2); the decade certificate of ``GradientFlow`` certifies them where `t‖Ẋ‖` cannot.
final class DecadeCertificateTests: XCTestCase {
    /// Instance 5039 at ᾱ = 1: X₀₀ = 1, X₀₁ = −1/3, X₀₂ = −1, X₁₁ = 1/9 (rows 0 and 1 of U must end
    /// parallel, so the limit has X₁₂ = X₀₁X₀₂/X₀₀ = 1/3 in closed form). Version 4 of the search
    /// left it at `.timeLimit` at t = 1e9 (residual 1.9e-10, t‖Ẋ‖/‖X‖ = 2.3e-6).
    let index = 5039
    var start: Matrix { FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1, seed: UInt64(index)) }
    var problem: MeasurementProblem { ExhaustiveSearch.problem(of: index) }

    /// `|X₁₂ − X₀₁X₀₂/X₀₀|/‖X‖_F`: how far X is from the closed-form constraint of the limit.
    func closedFormGap(_ x: Matrix) -> Double { abs(x[1, 2] - x[0, 1] * x[0, 2] / x[0, 0]) / x.frobeniusNorm }

    func testSlowFlowIsCertifiedAndItsLimitAgreesWithALongerRunAndTheClosedForm() throws {
        let search = ExhaustiveSearch()
        let result = GradientFlow(problem: problem, options: search.flow).run(from: start)
        XCTAssertEqual(result.status, .solved, result.message)
        XCTAssertEqual(result.stationaryBy, .decadeCertificate)
        XCTAssertGreaterThan(result.stationarity, 1e-6, "the instantaneous test alone does not pass")
        XCTAssertLessThanOrEqual(result.remainingBound, 1e-6, result.message)
        XCTAssertLessThanOrEqual(result.relativeResidual, 1e-9)
        XCTAssertGreaterThan(result.time, 1e9)
        XCTAssertLessThan(result.time, 1e11)
        // Independent: the same flow forced on to t = 1e14 (the remainder there is ~3e-8).
        var forced = search.flow
        forced.residualTolerance = 0
        forced.decadeCertificate = false
        let later = GradientFlow(problem: problem, options: forced).run(from: start)
        XCTAssertEqual(later.time, 1e14, accuracy: 1)
        let distance = (result.x - later.x).frobeniusNorm / result.x.frobeniusNorm
        XCTAssertLessThanOrEqual(distance, 1e-6, "the certified bound \(result.remainingBound) holds against t = 1e14")
        XCTAssertGreaterThan(distance, 0.3 * result.remainingBound, "and is not loose by more than ~3×")
        // And the closed form of the limit's unobserved entry.
        XCTAssertLessThanOrEqual(closedFormGap(result.x), 1e-6)
        XCTAssertLessThanOrEqual(closedFormGap(later.x), 1e-7)
        XCTAssertEqual(later.x[1, 2], 1.0 / 3, accuracy: 1e-7)
    }

    func testFlowStillMovingIsNotCertified() throws {
        // The same flow stopped at t = 5e9: residual 3.8e-11 passes, X still has ~2e-6 to travel.
        var options = ExhaustiveSearch().flow
        options.maxTime = 5e9
        let result = GradientFlow(problem: problem, options: options).run(from: start)
        XCTAssertEqual(result.status, .timeLimit, result.message)
        XCTAssertNil(result.stationaryBy)
        XCTAssertLessThanOrEqual(result.relativeResidual, 1e-9)
        XCTAssertGreaterThan(result.remainingBound, 1e-6)
        XCTAssertGreaterThan(closedFormGap(result.x), 1e-6, "it is truly more than 1e-6 from its limit")
        // Off by default: GradientFlow's own test is unchanged.
        var plain = options
        plain.decadeCertificate = false
        plain.maxTime = 1e12
        let unchanged = GradientFlow(problem: problem, options: plain).run(from: start)
        XCTAssertEqual(unchanged.status, .timeLimit, unchanged.message)
        XCTAssertTrue(unchanged.remainingBound.isNaN)
    }

    /// Instance 99657 at ᾱ = 1e-5 (an observed singular block too): version 4 called it `.solved` at
    /// t = 20.3 (residual 9.6e-10, t‖Ẋ‖/‖X‖ = 3.3e-8), on a plateau: X was still 1.9e-5 from X(1e14).
    /// Its residual (1e-9, far above round-off) stalls there, so neither test may certify it until
    /// it has left the plateau.
    func testPlateauIsNotCertified() throws {
        let index = 99657
        let problem = ExhaustiveSearch.problem(of: index)
        let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1e-5, seed: UInt64(index))
        let search = ExhaustiveSearch()
        let result = GradientFlow(problem: problem, options: search.flow).run(from: start)
        XCTAssertEqual(result.status, .solved, result.message)
        XCTAssertGreaterThan(result.time, 1e9, "not on the plateau at t ≈ 20")
        var forced = search.flow
        forced.residualTolerance = 0
        forced.decadeCertificate = false
        forced.maxTime = 1e14
        let later = GradientFlow(problem: problem, options: forced).run(from: start)
        XCTAssertLessThanOrEqual((result.x - later.x).frobeniusNorm / result.x.frobeniusNorm, 1e-6)
        // Version 4's options (no certificate, t ≤ 1e9) stop on the plateau, 1.9e-5 away.
        var old = search.flow
        old.decadeCertificate = false
        old.maxTime = 1e9
        let early = GradientFlow(problem: problem, options: old).run(from: start)
        XCTAssertEqual(early.status, .solved)
        XCTAssertLessThan(early.time, 100)
        XCTAssertGreaterThan((early.x - later.x).frobeniusNorm / early.x.frobeniusNorm, 1e-5)
    }
}
