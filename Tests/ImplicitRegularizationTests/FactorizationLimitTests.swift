import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// `FactorizationSweep.limits` (each run of Figures 1–2 continued by the gradient flow to its limit),
/// against answers it does not compute itself: gradient descent run to its own limit, the gradient
/// evaluated directly, and the certified minimum nuclear norm.
final class FactorizationLimitTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// A sweep of one small-init run at rank d on `problem`, stopped at `cap` iterations, and its limit.
    private func sweepAndLimit(_ problem: MeasurementProblem, rank d: Int, cap: Int) throws
        -> (sweep: FactorizationSweep, references: FactorizationSweep.References, point: FactorizationSweep.Point, limit: FactorizationSweep.Limit) {
        var sweep = FactorizationSweep(problem: problem, ranks: [d], seeds: [1], curves: [.smallInitialization],
                                       stopping: StoppingRule(tolerance: 1e-6, maxIterations: cap))
        sweep.workers = 1
        var start = Date()
        // The references' X_gd (projected gradient descent, an eigendecomposition per iteration) is not
        // what is tested: it gets 200 iterations, the descent on U its `cap`.
        sweep.stopping.maxIterations = 200
        let references = try sweep.references()
        sweep.stopping.maxIterations = cap
        let points = try sweep.run(references: references)
        let descentSeconds = Date().timeIntervalSince(start)
        start = Date()
        let limits = try sweep.limits(of: points, references: references)
        XCTAssertEqual(limits.count, 1)
        let l = limits[0]
        print("n = \(problem.dimension), d = \(d): references and GD \(String(format: "%.2f", descentSeconds)) s, limit \(String(format: "%.2f", Date().timeIntervalSince(start))) s: "
              + "‖X‖_* \(points[0].nuclearNorm) → \(l.nuclearNorm), training \(points[0].relativeResidual) → \(l.relativeResidual), \(l.status.rawValue) by \(l.stationaryBy?.rawValue ?? "-") at t = \(l.time), \(l.steps) steps")
        return (sweep, references, points[0], limits[0])
    }

    /// `∇f(U) = 2A*(A(UUᵀ) − y)U` by the dense operator, relative to `2‖A*(r)‖_F‖U‖_F`.
    private func relativeGradient(_ problem: MeasurementProblem, _ u: Matrix) -> Double {
        let r = Vector.difference(problem.measurements.apply(Matrix.gram(u)), problem.observations)
        let s = problem.measurements.adjoint(r)
        return (2.0 * (s * u)).frobeniusNorm / (2 * s.frobeniusNorm * u.frobeniusNorm)
    }

    /// d = 1 on a rank-2 problem with a decaying spectrum cannot fit m = 30 measurements (n·d = 10 < 30):
    /// the limit is a local minimum with a residual. It must end solved there (not at a time limit),
    /// with its gradient ~0 when checked directly (≤ 1e-5 of its scale 2‖A*(r)‖‖U‖: the certificate
    /// stopped within a Newton step of 1e-6 in X, and near a strict minimum ∇f = H·δU is linear in
    /// that step; measured 2.4e-8), and gradient descent run to its own limit (a strict minimum is a
    /// fixed point of both) within 1e-5 of it (measured 5.1e-8).
    func testNonInterpolatingLimitIsAStationaryPointThatGradientDescentAlsoReaches() throws {
        let problem = try PlantedSensing.generate(dimension: 10, rank: 2, measurements: 30, spectrum: .decaying, seed: 3)
        let (_, _, point, limit) = try sweepAndLimit(problem, rank: 1, cap: 2_000)
        XCTAssertEqual(limit.status, .solved, limit.message)
        XCTAssertEqual(limit.stationaryBy, .localMinimum, limit.message)
        XCTAssertGreaterThan(limit.relativeResidual, 1e-3, "d = 1 cannot fit 30 measurements of a rank-2 X*")
        XCTAssertLessThanOrEqual(limit.newtonRemainder, 1e-6)
        // The limit's U again, by the same flow (deterministic), for the direct gradient.
        let flow = GradientFlow(problem: problem, options: FactorizationSweep.LimitOptions.standard.flow)
            .run(from: Matrix(rows: 10, columns: 1, columnMajor: point.factor!), startTime: point.time!)
        XCTAssertEqual(try flow.x.nuclearNorm(), limit.nuclearNorm, accuracy: 1e-14)
        XCTAssertLessThan(relativeGradient(problem, flow.factor), 1e-5)
        let descent = FactorizedGradientDescent(problem: problem)
            .runToLimit(from: Matrix(rows: 10, columns: 1, columnMajor: point.factor!), step: 1e-3, startIteration: point.iterations,
                        tolerance: 1e-7, maxIterations: 3_000_000)
        XCTAssertEqual(descent.status, .solved)
        print("d = 1: ‖∇f‖ relative \(relativeGradient(problem, flow.factor)), GD to its limit after \(descent.iterations) iterations: ‖ΔX‖/‖X‖ = \((descent.x - flow.x).frobeniusNorm / flow.x.frobeniusNorm)")
        XCTAssertLessThan((descent.x - flow.x).frobeniusNorm / flow.x.frobeniusNorm, 1e-5)
    }

    /// d = n = 8 on a rank-1 problem (m = 24): an interpolating limit, where the flow's and gradient
    /// descent's limits differ by the discretisation, O(η) with η = 1e-3: the tolerance 2e-3 (relative
    /// on the nuclear norm, absolute on the reconstruction error) is 2η. Measured: 1.6e-6 and 5.2e-6
    /// (from a U still near U0, so both follow the whole fit; the limit is X* itself up to ~1e-6).
    func testInterpolatingLimitAgreesWithGradientDescentToItsOwnLimit() throws {
        let problem = try PlantedSensing.generate(dimension: 8, rank: 1, measurements: 24, seed: 5)
        let (_, references, point, limit) = try sweepAndLimit(problem, rank: 8, cap: 2_000)
        XCTAssertEqual(limit.status, .solved, limit.message)
        XCTAssertLessThanOrEqual(limit.relativeResidual, 1e-6)
        XCTAssertGreaterThanOrEqual(limit.nuclearNorm, references.minimumNuclearNorm * (1 - 1e-8))
        let descent = FactorizedGradientDescent(problem: problem)
            .runToLimit(from: Matrix(rows: 8, columns: 8, columnMajor: point.factor!), step: 1e-3, startIteration: point.iterations,
                        tolerance: 1e-6, maxIterations: 4_000_000)
        XCTAssertEqual(descent.status, .solved)
        let nuclear = try descent.x.nuclearNorm()
        print("d = n = 8: GD to its limit after \(descent.iterations) iterations (remainder ≤ \(descent.remainingBound)): ‖X‖_* \(nuclear) against \(limit.nuclearNorm), error \(problem.reconstructionError(descent.x)!) against \(limit.reconstructionError)")
        XCTAssertEqual(nuclear, limit.nuclearNorm, accuracy: 2e-3 * limit.nuclearNorm)
        XCTAssertEqual(problem.reconstructionError(descent.x)!, limit.reconstructionError, accuracy: 2e-3)
    }

    /// Setting (b), d = n, small init: the limit fits the data (training error ≤ 1e-6, the target)
    /// and its nuclear norm is at least the certified minimum (the SDP's lower bound; the flow is 2.7%
    /// above it, Figure 3, so no round-off decides this). Gradient descent is stopped at 20,000
    /// iterations here (the figure's 50,000 take too long for a unit test): the flow from t₀ = 20.
    func testSettingBFullWidthLimitFitsTheDataAboveTheCertifiedMinimum() throws {
        let problem = try PaperSetting.b.problem(.sensing, seed: 0)
        let (_, references, point, limit) = try sweepAndLimit(problem, rank: 50, cap: 20_000)
        XCTAssertEqual(point.status, .iterationLimit)
        XCTAssertEqual(limit.startTime, 20, accuracy: 1e-9)
        XCTAssertEqual(limit.status, .solved, limit.message)
        XCTAssertNotEqual(limit.stationaryBy, .localMinimum)
        XCTAssertLessThanOrEqual(limit.relativeResidual, 1e-6)
        XCTAssertEqual(references.minimumStatus, .solved)
        let lowerBound = references.minimumNuclearNorm * (1 - abs(references.minimumDualityGap))
        XCTAssertGreaterThan(limit.nuclearNorm, lowerBound)
        XCTAssertEqual(limit.excessOverMinimum, limit.nuclearNorm / references.minimumNuclearNorm - 1, accuracy: 1e-15)
    }

    /// The flow with a start time is the flow from 0 shifted: an autonomous equation. From t₀ = 0 the
    /// default (start time 0) is reproduced bit for bit, so existing callers are unchanged.
    func testStartTimeZeroIsTheDefault() throws {
        let problem = try PlantedSensing.generate(dimension: 6, rank: 1, measurements: 12, seed: 2)
        let u0 = FactorInitialization.gaussian(dimension: 6, rank: 6, norm: 1e-3, seed: 1)
        let flow = GradientFlow(problem: problem)
        let a = flow.run(from: u0, horizon: 50)
        let b = flow.run(from: u0, startTime: 0, horizon: 50)
        XCTAssertEqual(a.x, b.x)
        XCTAssertEqual(a.steps, b.steps)
    }
}
