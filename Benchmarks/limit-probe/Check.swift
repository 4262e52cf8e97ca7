import Foundation
import ImplicitRegularization
import LinearAlgebra

/// Gradient descent run to its own limit (``FactorizedGradientDescent/runToLimit(from:step:startIteration:tolerance:maxIterations:)``,
/// η = 1e-3, from where the full profile's 50,000 iterations stopped, the same U0) beside the route
/// (``FactorizationSweep/limits(of:references:options:progress:)``) on one small-init run.
struct DescentLimitCheck {
    var route: FactorizationSweep.Limit
    var descent: FactorizedGradientDescent.DescentLimit
    var descentNuclearNorm: Double
    var descentReconstructionError: Double
    /// `‖X_gd − X_route‖_F/‖X_route‖_F`, the nuclear norms' relative difference and the reconstruction errors' difference.
    var distance: Double
    var nuclearDifference: Double
    var reconstructionDifference: Double
    /// The tolerance the agreement is held to (see `run`).
    var tolerance: Double
    var discretisationScale: Double
    var seconds: (route: Double, descent: Double)

    var agrees: Bool {
        route.status == .solved && descent.status == .solved
            && distance <= tolerance && nuclearDifference <= tolerance && reconstructionDifference <= tolerance
    }

    var summary: String {
        let f = { (x: Double) in String(format: "%.3g", x) }
        return "route ‖X‖_* \(String(format: "%.8f", route.nuclearNorm)), error \(f(route.reconstructionError)), training \(f(route.relativeResidual)) (\(route.status.rawValue) by \(route.stationaryBy?.rawValue ?? "-") at t = \(f(route.time)), \(f(seconds.route)) s); "
            + "GD ‖X‖_* \(String(format: "%.8f", descentNuclearNorm)), error \(f(descentReconstructionError)), training \(f(descent.relativeResidual)) (\(descent.status.rawValue) after \(descent.iterations) iterations, remainder ≤ \(f(descent.remainingBound)), \(f(seconds.descent)) s); "
            + "‖ΔX‖/‖X‖ = \(f(distance)), Δ‖X‖_*/‖X‖_* = \(f(nuclearDifference)), Δerror = \(f(reconstructionDifference)) (tolerance \(f(tolerance)); O(η) scale \(f(discretisationScale)))"
    }

    /// The tolerance. Both stop within 1e-6 of their limits (the flow's certificates, GD's window bound),
    /// so where the two limits are one point the distance is at most about 2e-6; where they are not,
    /// they differ by the discretisation: gradient descent with step η follows, to O(η²) per unit
    /// of time, the flow of the modified loss f + (η/4)‖∇f‖² (backward error analysis), whose extra
    /// drift (η/2)H∇f moves U by at most (η/2)·λ_max(H)·L over a path of length L = ∫‖U̇‖dt
    /// (no amplification assumed): the O(η) scale, `(η/2) λ_max(H) ‖U∞ − U_k‖ · 2‖U‖/‖X‖` in X,
    /// with ‖U∞ − U_k‖ ≤ L. A strict local minimum (a limit that does not fit the data, or X* itself
    /// at d = r in (a)) is a fixed point of both, so there no O(η) term is expected: the tolerance
    /// is 1e-5 where the route ended at a local minimum, else 1e-5 plus the O(η) scale (at d = r in
    /// (a) that scale is 6e-8: the flow there barely moves).
    static func run(problem: MeasurementProblem, rank d: Int, seed: UInt64, maxIterations: Int = 20_000_000) throws -> DescentLimitCheck {
        let eta = 1e-3
        let profile = FigureProfile.full
        var sweep = FactorizationSweep(problem: problem, ranks: [d], seeds: [seed], curves: [.smallInitialization], stopping: profile.stopping)
        sweep.workers = 1
        // X_gd (an eigendecomposition per iteration) is not what is checked: 200 iterations for the references.
        sweep.stopping.maxIterations = 200
        let references = try sweep.references()
        sweep.stopping = profile.stopping
        let points = try sweep.run(references: references)
        var start = Date()
        let route = try sweep.limits(of: points, references: references)[0]
        let routeSeconds = Date().timeIntervalSince(start)
        start = Date()
        let n = problem.dimension
        let uk = Matrix(rows: n, columns: d, columnMajor: points[0].factor!)
        let descent = FactorizedGradientDescent(problem: problem, stopping: profile.stopping)
            .runToLimit(from: uk, step: eta, startIteration: points[0].iterations, tolerance: 1e-6, maxIterations: maxIterations)
        let descentSeconds = Date().timeIntervalSince(start)
        // The route's X, from its flow again (the Limit keeps numbers, not X): the same flow, deterministic.
        var options = FactorizationSweep.LimitOptions.standard.flow
        options.maxSteps = 200_000
        let flow = GradientFlow(problem: problem, options: options).run(from: uk, startTime: points[0].time!)
        let xRoute = flow.x
        let distance = (descent.x - xRoute).frobeniusNorm / xRoute.frobeniusNorm
        let descentNuclear = try descent.x.nuclearNorm()
        let descentError = problem.reconstructionError(descent.x)!
        // The O(η) scale: λ_max of the Hessian 4BᵀB + 2(I ⊗ A*(r)) at the limit, by power iteration on
        // its products (V ↦ 2A(UVᵀ + VUᵀ)-adjoint terms), here from the dense Jacobian for these small d.
        let lambda = try hessianLargestEigenvalue(problem: problem, factor: flow.factor)
        let path = (flow.factor - uk).frobeniusNorm
        let scale = 0.5 * eta * lambda * path * 2 * flow.factor.frobeniusNorm / xRoute.frobeniusNorm
        return DescentLimitCheck(
            route: route, descent: descent, descentNuclearNorm: descentNuclear, descentReconstructionError: descentError,
            distance: distance, nuclearDifference: abs(descentNuclear - route.nuclearNorm) / route.nuclearNorm,
            reconstructionDifference: abs(descentError - route.reconstructionError),
            tolerance: route.stationaryBy == .localMinimum ? 1e-5 : 1e-5 + scale, discretisationScale: scale,
            seconds: (routeSeconds, descentSeconds))
    }

    /// λ_max of the loss's Hessian at U, `H[V,V] = ‖A(UVᵀ + VUᵀ)‖² + 2⟨A*(r), VVᵀ⟩`, by power iteration (200 products).
    static func hessianLargestEigenvalue(problem: MeasurementProblem, factor u: Matrix) throws -> Double {
        let x = Matrix.gram(u)
        let r = Vector.difference(problem.measurements.apply(x), problem.observations)
        let s = problem.measurements.adjoint(r)
        var v = Matrix(rows: u.rows, columns: u.columns) { i, j in Double((i * 7 + j * 13) % 17) - 8 }
        var lambda = 0.0
        for _ in 0..<200 {
            v.scale(by: 1 / v.frobeniusNorm)
            let sym = u * v.transposed + v * u.transposed
            let a = problem.measurements.apply(sym)
            // H V = 2 A*(A(UVᵀ + VUᵀ)) U + 2 A*(r) V
            let hv = 2.0 * (problem.measurements.adjoint(a) * u) + 2.0 * (s * v)
            lambda = Matrix.frobeniusInner(v, hv)
            v = hv
        }
        return lambda
    }
}
