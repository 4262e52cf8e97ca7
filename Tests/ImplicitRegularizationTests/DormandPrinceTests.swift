import Foundation
import ImplicitRegularization
import XCTest

/// The Dormand–Prince 5(4) integrator alone, on equations with closed-form solutions: its order,
/// its global error against the tolerance, its bookkeeping (first same as last: one evaluation
/// at the start, then six per attempted step) and its step limit.
final class DormandPrinceTests: XCTestCase {
    typealias RightHandSide = (Double, [Double], inout [Double]) -> Void

    /// Equations with their exact solutions from t = 0.
    static var problems: [(name: String, y0: [Double], f: RightHandSide, exact: (Double) -> [Double])] { [
        ("y' = y", [1], { _, y, dy in dy[0] = y[0] }, { [exp($0)] }),
        ("y' = 1 + y² (tan)", [0.5], { _, y, dy in dy[0] = 1 + y[0] * y[0] }, { [tan($0 + atan(0.5))] }),
        ("y' = cos(t) y (non-autonomous)", [1], { t, y, dy in dy[0] = cos(t) * y[0] }, { [exp(sin($0))] }),
        ("harmonic oscillator", [1, 0], { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] }, { [cos($0), -sin($0)] }),
    ] }

    /// One step of size h from the exact initial value: the fifth-order solution's local error
    /// is C h⁶, so halving h divides it by 2⁶ = 64. The tolerances are loose (rtol = atol = 1), so
    /// the one step of `initialStep: h` to t = h is accepted. A wrong tableau coefficient or
    /// weight breaks an order condition and the ratio falls to 2⁵ or below.
    /// (tan is started at 0.5: from 0, by symmetry, its h⁶ term vanishes.)
    func testLocalErrorIsOfOrderSix() {
        let integrator = DormandPrince(options: .init(relativeTolerance: 1, absoluteTolerance: 1))
        for problem in Self.problems {
            var errors: [Double] = []
            for h in [0.2, 0.1, 0.05, 0.025] {
                let trajectory = integrator.integrate(from: problem.y0, to: h, initialStep: h, rightHandSide: problem.f)
                XCTAssertEqual(trajectory.steps, 1, problem.name)
                XCTAssertEqual(trajectory.rejectedSteps, 0, problem.name)
                XCTAssertEqual(trajectory.evaluations, 7, "\(problem.name): 7 stages, the last at the new point")
                XCTAssertEqual(trajectory.time, h)
                errors.append(zip(trajectory.state, problem.exact(h)).map { abs($0 - $1) }.max()!)
            }
            for (coarse, fine) in zip(errors, errors.dropFirst()) {
                // 6 in the limit (y' = 1 + y² approaches it from above: a large h⁷ term).
                XCTAssertGreaterThan(log2(coarse / fine), 5.6, "\(problem.name): local errors \(errors)")
                XCTAssertLessThan(log2(coarse / fine), 6.7, "\(problem.name): local errors \(errors)")
            }
        }
    }

    /// The harmonic oscillator to T = 20 against (cos T, −sin T) at rtol 1e-5 … 1e-11: the
    /// error follows the tolerance (within a factor of 100 of rtol, falling as it falls), and
    /// against the steps taken it falls like N⁻⁵, the order of the method (the controller keeps
    /// the error per step at rtol ~ h⁵, and the fifth-order solution's global error is ~ h⁵).
    func testGlobalErrorOnTheHarmonicOscillator() {
        let oscillator = Self.problems[3]
        let horizon = 20.0
        var points: [(steps: Double, error: Double)] = []
        var previous = Double.infinity
        for rtol in [1e-5, 1e-7, 1e-9, 1e-11] {
            let integrator = DormandPrince(options: .init(relativeTolerance: rtol, absoluteTolerance: rtol))
            let trajectory = integrator.integrate(from: oscillator.y0, to: horizon, rightHandSide: oscillator.f)
            XCTAssertEqual(trajectory.time, horizon)
            XCTAssertFalse(trajectory.hitStepLimit)
            XCTAssertFalse(trajectory.stoppedEarly)
            XCTAssertEqual(trajectory.evaluations, 1 + 6 * (trajectory.steps + trajectory.rejectedSteps), "first same as last")
            let error = zip(trajectory.state, oscillator.exact(horizon)).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(error, 100 * rtol, "rtol \(rtol)")
            XCTAssertLessThan(error, previous / 10, "rtol \(rtol): the error falls with the tolerance")
            previous = error
            points.append((Double(trajectory.steps), error))
        }
        // The least-squares slope of log(error) against log(steps).
        let (xs, ys) = (points.map { log($0.steps) }, points.map { log($0.error) })
        let mx: Double = xs.reduce(0, +) / Double(xs.count)
        let my: Double = ys.reduce(0, +) / Double(ys.count)
        var (covariance, variance) = (0.0, 0.0)
        for (x, y) in zip(xs, ys) {
            covariance += (x - mx) * (y - my)
            variance += (x - mx) * (x - mx)
        }
        let slope = covariance / variance
        XCTAssertEqual(slope, -5, accuracy: 1, "error ~ N^slope: \(points)")
    }

    /// A step limit stops the integration after exactly `maxSteps` attempted steps, at an accepted
    /// point of the solution short of t1, and says so; with room, the same run reaches t1.
    func testStepLimitIsReported() {
        let oscillator = Self.problems[3]
        for maxSteps in [1, 7, 40] {
            let integrator = DormandPrince(options: .init(relativeTolerance: 1e-10, absoluteTolerance: 1e-12, maxSteps: maxSteps))
            let trajectory = integrator.integrate(from: oscillator.y0, to: 1000, rightHandSide: oscillator.f)
            XCTAssertTrue(trajectory.hitStepLimit, "maxSteps \(maxSteps)")
            XCTAssertFalse(trajectory.stoppedEarly)
            XCTAssertEqual(trajectory.steps + trajectory.rejectedSteps, maxSteps)
            XCTAssertEqual(trajectory.evaluations, 1 + 6 * maxSteps)
            XCTAssertGreaterThan(trajectory.time, 0)
            XCTAssertLessThan(trajectory.time, 1000)
            let error = zip(trajectory.state, oscillator.exact(trajectory.time)).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(error, 1e-8, "the state is the solution at the time reported")
        }
        let free = DormandPrince(options: .init(relativeTolerance: 1e-10, absoluteTolerance: 1e-12))
            .integrate(from: oscillator.y0, to: 1000, rightHandSide: oscillator.f)
        XCTAssertFalse(free.hitStepLimit)
        XCTAssertEqual(free.time, 1000)
        XCTAssertGreaterThan(free.steps, 40)
    }

    /// `shouldStop` ends the integration at the first accepted step where it holds.
    func testShouldStopEndsAtTheFirstAcceptedStepWhereItHolds() {
        let oscillator = Self.problems[3]
        var checked: [Double] = []
        let trajectory = DormandPrince(options: .init(relativeTolerance: 1e-8, absoluteTolerance: 1e-10))
            .integrate(from: oscillator.y0, to: 100, rightHandSide: oscillator.f) { t, y in
                checked.append(t)
                return y[0] < 0  // cos t < 0: first after t = π/2
            }
        XCTAssertTrue(trajectory.stoppedEarly)
        XCTAssertFalse(trajectory.hitStepLimit)
        XCTAssertEqual(checked.count, trajectory.steps, "called once per accepted step")
        XCTAssertGreaterThan(trajectory.time, Double.pi / 2)
        XCTAssertLessThan(checked.dropLast().last ?? 0, Double.pi / 2 + 1e-9, "the step before had not crossed")
    }
}
