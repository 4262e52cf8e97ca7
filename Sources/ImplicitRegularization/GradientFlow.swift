import Foundation
import LinearAlgebra

/// The gradient flow of the factorised objective (2) of the paper, the limit of gradient
/// descent as the step goes to zero (Section 3, equation (4) with η → 0):
///
///     dU/dt = −∇f(U) = −2 A*(r) U,   r = A(UUᵀ) − y,   U(0) = U0,
///
/// integrated by ``DormandPrince`` with `rtol` (default 1e-10) and an absolute floor scaled
/// to the start, `atol = rtol · ‖U0‖_F / √(nd)`, so that α = 1e-5 is resolved.
///
/// It runs to the horizon T when one is given (the fixtures' `"flow": {"T": …}`), else
/// until the loss has stalled below tolerance: the relative residual `‖r‖/‖y‖ ≤ tolerance`
/// (default 1e-8), or the time limit `maxTime` (reported as `.iterationCap`).
/// It serves sensing and completion alike (completion is the operator that observes entries).
public struct GradientFlow: Sendable {
    public struct Options: Sendable {
        public var relativeTolerance = 1e-10
        public var residualTolerance = 1e-8
        public var maxTime = 1e7
        public var maxSteps = 2_000_000
        public init() {}
    }

    public struct Result: Sendable {
        public var factor: Matrix
        public var x: Matrix
        public var time: Double
        public var steps: Int
        public var rejectedSteps: Int
        public var evaluations: Int
        public var relativeResidual: Double
        public var loss: Double
        public var status: RunStatus
    }

    public let problem: MeasurementProblem
    public var options: Options

    public init(problem: MeasurementProblem, options: Options = Options()) {
        self.problem = problem
        self.options = options
    }

    /// Flows from `initial` (n × d) to `horizon`, or until the loss stalls when `horizon` is nil.
    public func run(from initial: Matrix, horizon: Double? = nil) -> Result {
        let n = problem.dimension
        let d = initial.columns
        let measurements = problem.measurements
        let y = problem.observations
        let observationNorm = max(Vector.norm(y), .leastNonzeroMagnitude)
        var x = Matrix(rows: n, columns: n)
        var s = Matrix(rows: n, columns: n)
        var u = Matrix(rows: n, columns: d)
        var gradient = Matrix(rows: n, columns: d)
        var packed = [Double](repeating: 0, count: SymmetricPacking.packedCount(n))
        var residual = y

        // Completion observes entries: its residual and A*(r)U are sparse sums, O(m·d)
        // (`ObservedEntries+Symmetric`); sensing goes through the packed operator and BLAS.
        let observed = problem.observedEntries
        func residualOf(_ state: [Double]) {
            if let observed {
                state.withUnsafeBufferPointer { u in
                    residual.withUnsafeMutableBufferPointer { _ = observed.symmetricResidual(factor: u, rank: d, into: $0) }
                }
                return
            }
            u.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: state) }  // a copy, not a shared buffer
            Matrix.syrk(1, u, 0, into: &x)
            packed.withUnsafeMutableBufferPointer { SymmetricPacking.pack(x, into: $0) }
            residual.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: y) }  // no copy-on-write allocation
            measurements.apply(packedVector: packed, scale: 1, adding: -1, into: &residual)
        }
        let rightHandSide = { (_: Double, state: [Double], derivative: inout [Double]) in
            residualOf(state)
            if let observed {
                state.withUnsafeBufferPointer { u in
                    residual.withUnsafeBufferPointer { r in
                        derivative.withUnsafeMutableBufferPointer {
                            observed.symmetricAdjointProduct(r, factor: u, rank: d, scale: -2, into: $0)
                        }
                    }
                }
                return
            }
            measurements.adjointPacked(residual, into: &packed)
            packed.withUnsafeBufferPointer { SymmetricPacking.unpack($0, into: &s) }
            Matrix.symm(-2, s, u, 0, into: &gradient)
            swap(&derivative, &gradient.elements)  // no copy: gradient's old buffer is overwritten next time
        }
        let scale = initial.frobeniusNorm / Double(max(n * d, 1)).squareRoot()
        let integrator = DormandPrince(options: .init(
            relativeTolerance: options.relativeTolerance,
            absoluteTolerance: max(options.relativeTolerance * scale, .leastNormalMagnitude),
            maxSteps: options.maxSteps))
        let trajectory = integrator.integrate(
            from: initial.elements, to: horizon ?? options.maxTime, rightHandSide: rightHandSide,
            shouldStop: { _, _ in
                // `residual` is the new point's: the right-hand side was last evaluated there.
                horizon == nil && Vector.norm(residual) / observationNorm <= options.residualTolerance
            })
        residualOf(trajectory.state)
        u.elements.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: trajectory.state) }
        Matrix.syrk(1, u, 0, into: &x)
        x.symmetrizeFromUpper()
        let residualNorm = Vector.norm(residual)
        let status: RunStatus
        if horizon != nil || trajectory.stoppedEarly || residualNorm / observationNorm <= options.residualTolerance {
            status = residualNorm.isFinite ? .converged : .diverged
        } else {
            status = .iterationCap
        }
        return Result(
            factor: u, x: x, time: trajectory.time, steps: trajectory.steps, rejectedSteps: trajectory.rejectedSteps,
            evaluations: trajectory.evaluations, relativeResidual: residualNorm / observationNorm,
            loss: 0.5 * residualNorm * residualNorm, status: status)
    }
}
