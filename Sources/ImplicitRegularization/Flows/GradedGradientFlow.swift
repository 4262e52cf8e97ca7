import Foundation
import LinearAlgebra

/// The gradient flow of ``GradientFlow``,
///
///     dU/dt = −2 A*(r) U,   r = A(UUᵀ) − y,
///
/// integrated on a graded factor (``GradedFactor``: `U = W diag(e^{l})`, unit columns and log-norms),
/// so that it is the flow from its start however small the start is. The flow is invariant under
/// U → UQ; from `U0 = ᾱ G` with ᾱ = 1e-100 the directions that matter later sit inside each dense column as
/// components about ᾱ of its size beside a dominant one, which in Float64 are replaced by round-off once the
/// dominant one grows (the dense flow at ᾱ = 1e-100 stalls at saddles it would leave). Held in a graded
/// basis, each direction keeps its own column and scale.
///
/// With `M = −2A*(r)` and `X = Σ_j e^{2l_j} w_j w_jᵀ` (terms whose `e^{2l}` underflows are negligible
/// in X to working precision), each column `u_j = e^{l_j}w_j` obeys `du_j/dt = M u_j`, which is
///
///     dw_j/dt = M w_j − q_j w_j,   dl_j/dt = q_j,   q_j = w_jᵀ M w_j / w_jᵀ w_j
///
/// (exact for any |w_j|, which it keeps). The state the integrator sees is the directions and
/// `l − l_start` (the log-norms measured from the current segment's start), so the error control acts on
/// O(1) unit vectors and on absolute errors in l, that is relative errors in a column's norm, with
/// `atol = rtol` (``GradientFlow/Options/relativeTolerance``, default 1e-10): no tolerance tied to ᾱ.
///
/// **Segments and re-grading.** Integration runs in segments. A segment ends after the accepted step where
/// the columns have lost orthogonality, `max |w_i·w_j|/(|w_i||w_j|) > regradeCosine` (default 0.5: the
/// part of a small column orthogonal to the large ones, which carries its information, is then still
/// at least √(1 − 0.5²) of its unit direction, resolved to round-off), or where some `|l_j − l_start|`
/// exceeds `logNormDrift` (default 1, so that the tolerance on l stays absolute); the factor is then
/// re-graded (``GradedFactor/regrade(tolerance:maxSweeps:)``: Jacobi rotations, X unchanged, columns
/// orthogonal to 1e-14) and the next segment starts from it with the last step size.
///
/// **Integrator.** ``GradientFlow/Options/integrator`` as for ``GradientFlow``: Dormand–Prince (which stops
/// a segment when it detects stiffness), RODAS4 (``Rosenbrock``, with a forward-difference Jacobian of the
/// (nd + d)-dimensional right-hand side, steps `1e-7·max(1, |y_k|)`), or the first until it turns stiff and
/// the second after (`.automatic`).
///
/// **Stopping**, as ``GradientFlow/run(from:startTime:horizon:)`` without the local-minimum certificate
/// and with its own tests (``GradientFlow/stationarityMeasure(time:state:residual:)``,
/// ``GradientFlow/atRoundOff(_:rank:)``, ``GradientFlow/decadeCertificate(time:state:residual:checkpoints:)``
/// on the dense U, which is all they read): with a horizon it runs to it; otherwise until
/// `‖r‖/‖y‖ ≤ residualTolerance` and X is stationary to `stationarityTolerance`, else `.timeLimit` at
/// `maxTime` or `.stepLimit` after `maxSteps` steps (accepted and rejected, over all segments);
/// `.diverged` when U leaves every finite bound; `.inaccurate` when steps were forced at the resolution of t.
///
/// **Measured** on Figure 4's instances (n = d = 3, ``ExhaustiveSearch``'s options): from ᾱ = 1e-2…1e-8, where
/// the dense flow is exact, the two agree on X to a relative 2.4e-10 at T = 50 and at their limits; from
/// ᾱ = 1e-100 Δ changes by at most 3e-10 between rtol 1e-9 and 1e-12, and by 4.5e-10 between the closed-form
/// and the integrated linear phase; over the 31,350 feasible instances every flow from 1e-100 ends `.solved`,
/// at 3.9 ms of CPU per flow on average (the dense flow: 4.6 ms over 800 of them).
public struct GradedGradientFlow: Sendable {
    public struct Result: Sendable, SolverResult {
        /// The graded factor where it stopped, re-graded (its columns are X's eigenvectors, e^{2l} its eigenvalues).
        public var factor: GradedFactor
        public var x: Matrix
        public var time: Double
        public var steps: Int
        public var rejectedSteps: Int
        /// Right-hand-side evaluations, the Jacobians' finite differences included.
        public var evaluations: Int
        public var jacobians: Int
        /// Segments ended to re-grade or re-base the log-norms.
        public var segments: Int
        /// `t‖Ẋ‖_F/‖X‖_F` where it stopped.
        public var stationarity: Double
        /// The decade certificate's bound where it stopped (NaN when not computed).
        public var remainingBound: Double
        public var stationaryBy: GradientFlow.StationarityTest?
        public var relativeResidual: Double
        public var loss: Double
        public var status: SolverStatus
        public var message: String
    }

    public let problem: MeasurementProblem
    /// Tolerances, limits, integrator and stopping tests, as ``GradientFlow``'s (the local-minimum
    /// certificate is not used).
    public var options: GradientFlow.Options
    /// Re-grade when two columns' cosine exceeds this.
    public var regradeCosine = 0.5
    /// Start a new segment when a log-norm has moved by more than this within one.
    public var logNormDrift = 1.0

    public init(problem: MeasurementProblem, options: GradientFlow.Options = GradientFlow.Options()) {
        self.problem = problem
        self.options = options
    }

    /// The buffers of one right-hand side: the dense U, M W, the residual, the factored products' workspace.
    struct Buffers {
        var scaled: [Double]
        var product: [Double]
        var residual: [Double]
        var workspace: SymmetricMeasurements.FactoredWorkspace

        init(dimension n: Int, rank d: Int, measurements m: Int) {
            scaled = [Double](repeating: 0, count: n * d)
            product = [Double](repeating: 0, count: n * d)
            residual = [Double](repeating: 0, count: m)
            workspace = .init(dimension: n, rank: d)
        }
    }

    /// `(dw_j/dt, dl_j/dt)` at the state `(W, l − base)`; leaves the residual at that state in `buffers`.
    func derivative(of state: [Double], base: [Double], into derivative: inout [Double], buffers: inout Buffers) {
        let (n, d) = (problem.dimension, base.count)
        let nd = n * d
        let measurements = problem.measurements
        state.withUnsafeBufferPointer { s in
            buffers.scaled.withUnsafeMutableBufferPointer { u in
                for j in 0..<d {
                    let scale = exp(base[j] + s[nd + j])
                    for i in 0..<n { u[j * n + i] = scale * s[j * n + i] }
                }
            }
            buffers.scaled.withUnsafeBufferPointer {
                measurements.factoredResidual(factor: $0, rank: d, observations: problem.observations, into: &buffers.residual, workspace: &buffers.workspace)
            }
            let w = UnsafeBufferPointer(rebasing: s[0..<nd])
            buffers.product.withUnsafeMutableBufferPointer {
                measurements.factoredAdjointProduct(buffers.residual, factor: w, rank: d, scale: -2, into: $0, workspace: &buffers.workspace)
            }
            buffers.product.withUnsafeBufferPointer { p in
                derivative.withUnsafeMutableBufferPointer { ds in
                    for j in 0..<d {
                        var (wMw, ww) = (0.0, 0.0)
                        for i in 0..<n {
                            wMw += w[j * n + i] * p[j * n + i]
                            ww += w[j * n + i] * w[j * n + i]
                        }
                        let q = wMw / ww
                        for i in 0..<n { ds[j * n + i] = p[j * n + i] - q * w[j * n + i] }
                        ds[nd + j] = q
                    }
                }
            }
        }
    }

    /// The dense U (column-major) of the state `(W, l − base)`.
    func denseFactor(_ state: [Double], base: [Double]) -> [Double] {
        let n = problem.dimension
        var u = [Double](repeating: 0, count: n * base.count)
        for j in base.indices {
            let scale = exp(base[j] + state[n * base.count + j])
            for i in 0..<n { u[j * n + i] = scale * state[j * n + i] }
        }
        return u
    }

    /// Flows from `start` (re-graded first) to `horizon`, or until it is stationary (see the type's comment).
    /// `startTime` is the flow's clock at `start` (e.g. the end of a closed-form linear phase).
    public func run(from start: GradedFactor, startTime: Double = 0, horizon: Double? = nil) -> Result {
        let (n, d) = (problem.dimension, start.rank)
        let nd = n * d
        let size = nd + d
        let observationNorm = max(Vector.norm(problem.observations), .leastNonzeroMagnitude)
        let dense = GradientFlow(problem: problem, options: options)
        let decade = horizon == nil && options.decadeCertificate && options.stationarityTolerance.isFinite
        var current = start
        current.regrade()
        var buffers = Buffers(dimension: n, rank: d, measurements: problem.count)
        var jacobianBuffers = buffers
        var t = startTime
        var (steps, rejected, evaluations, jacobians, forced, segments) = (0, 0, 0, 0, 0, 0)
        var stiff = options.integrator == .stiff
        var nextStep: Double?
        var checkpoints: [(time: Double, state: [Double], residual: Double)] = []
        var (hitStepLimit, finished) = (false, false)
        // The dense U of the last accepted state, as the stopping tests read it (before the final re-grading,
        // whose rounding would move the residual by round-off and could change the round-off test's verdict).
        var finalFactor = current.factor.elements
        let end = horizon ?? options.maxTime
        while t < end {
            let base = current.logNorms
            let initial = current.directions.elements + [Double](repeating: 0, count: d)
            var endsSegment = false
            var (previousTime, lastStep) = (t, nextStep)
            func rightHandSide(_: Double, _ state: [Double], _ result: inout [Double]) {
                derivative(of: state, base: base, into: &result, buffers: &buffers)
            }
            func jacobian(_: Double, _ state: [Double], _ matrix: inout Matrix) {
                var f0 = [Double](repeating: 0, count: size)
                var f1 = f0
                derivative(of: state, base: base, into: &f0, buffers: &jacobianBuffers)
                var shifted = state
                for k in 0..<size {
                    shifted[k] = state[k] + 1e-7 * max(1, abs(state[k]))
                    let h = shifted[k] - state[k]
                    derivative(of: shifted, base: base, into: &f1, buffers: &jacobianBuffers)
                    for i in 0..<size { matrix[i, k] = (f1[i] - f0[i]) / h }
                    shifted[k] = state[k]
                }
            }
            func shouldStop(_ time: Double, _ state: [Double]) -> Bool {
                lastStep = time - previousTime
                previousTime = time
                if horizon == nil {
                    // `buffers.residual` is the new point's: the right-hand side was last evaluated there.
                    let residual = buffers.residual
                    let residualNorm = Vector.norm(residual)
                    let u = denseFactor(state, base: base)
                    if decade, time > 0, time >= 1.25 * (checkpoints.last?.time ?? 0) { checkpoints.append((time, u, residualNorm)) }
                    if residualNorm / observationNorm <= options.residualTolerance {
                        if !options.stationarityTolerance.isFinite { finished = true }
                        else if dense.stationarityMeasure(time: time, state: u, residual: residual).met, !decade || dense.atRoundOff(residual, rank: d) {
                            finished = true
                        } else if decade, dense.decadeCertificate(time: time, state: u, residual: residual, checkpoints: checkpoints, quick: true).met {
                            finished = true
                        }
                        if finished { return true }
                    }
                }
                // A new segment when the columns have lost orthogonality or a log-norm has drifted.
                for j in 0..<d where abs(state[nd + j]) > logNormDrift {
                    endsSegment = true
                    return true
                }
                let norms = (0..<d).map { j in state.withUnsafeBufferPointer { Vector.norm(UnsafeBufferPointer(rebasing: $0[(j * n)..<(j * n + n)])) } }
                for i in 0..<d {
                    for j in (i + 1)..<max(d, i + 1) {
                        var dot = 0.0
                        for k in 0..<n { dot += state[i * n + k] * state[j * n + k] }
                        if abs(dot) > regradeCosine * norms[i] * norms[j] {
                            endsSegment = true
                            return true
                        }
                    }
                }
                return false
            }
            var integratorOptions = DormandPrince.Options(
                relativeTolerance: options.relativeTolerance, absoluteTolerance: options.relativeTolerance,
                maxSteps: max(0, options.maxSteps - steps - rejected))
            let trajectory: IntegratorTrajectory
            if stiff {
                trajectory = Rosenbrock(options: integratorOptions).integrate(
                    from: initial, time: t, to: end, initialStep: lastStep, rightHandSide: rightHandSide, jacobian: jacobian, shouldStop: shouldStop)
            } else {
                integratorOptions.detectStiffness = options.integrator == .automatic
                trajectory = DormandPrince(options: integratorOptions).integrate(
                    from: initial, time: t, to: end, initialStep: lastStep, rightHandSide: rightHandSide, shouldStop: shouldStop)
            }
            steps += trajectory.steps
            rejected += trajectory.rejectedSteps
            evaluations += trajectory.evaluations + trajectory.jacobians * (size + 1)
            jacobians += trajectory.jacobians
            forced += trajectory.forcedSteps
            t = trajectory.time
            finalFactor = denseFactor(trajectory.state, base: base)
            current = GradedFactor(
                directions: Matrix(rows: n, columns: d, columnMajor: Array(trajectory.state[0..<nd])),
                logNorms: (0..<d).map { base[$0] + trajectory.state[nd + $0] })
            nextStep = trajectory.becameStiff ? trajectory.lastStepSize : lastStep
            if trajectory.becameStiff { stiff = true }
            guard trajectory.becameStiff || endsSegment, !finished, !trajectory.hitStepLimit,
                  current.logNorms.allSatisfy({ !$0.isNaN && $0 < 700 }) else {
                hitStepLimit = trajectory.hitStepLimit
                break
            }
            current.regrade()
            segments += 1
        }
        current.regrade()
        let u = Matrix(rows: n, columns: d, columnMajor: finalFactor)
        var residual = [Double](repeating: 0, count: problem.count)
        u.elements.withUnsafeBufferPointer {
            problem.measurements.factoredResidual(factor: $0, rank: d, observations: problem.observations, into: &residual, workspace: &buffers.workspace)
        }
        let residualNorm = Vector.norm(residual)
        let relative = residualNorm / observationNorm
        let tested = horizon == nil && options.stationarityTolerance.isFinite
        let stationary = dense.stationarity(time: t, state: u.elements, residual: residual)
        let certificate = !decade ? nil : dense.decadeCertificate(time: t, state: u.elements, residual: residual, checkpoints: checkpoints)
        let speedMet = stationary.met && (!decade || dense.atRoundOff(residual, rank: d))
        let trajectory = IntegratorTrajectory(
            time: t, state: u.elements, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
            stoppedEarly: finished, hitStepLimit: hitStepLimit, forcedSteps: forced, jacobians: jacobians)
        var (status, message) = trajectory.verdict(
            relativeResidual: relative, target: options.residualTolerance, horizon: horizon,
            relativeTolerance: options.relativeTolerance, maxSteps: options.maxSteps,
            stationarity: tested ? (speedMet || certificate?.met == true, stationary.value + (certificate.map { "; \($0.value)" } ?? "")) : nil)
        if status != .diverged, current.logNorms.contains(where: { $0 >= 700 }) {
            (status, message) = (.diverged, "a column's norm passed e^700 at t = \(t.formatted(significantDigits: 6))")
        }
        let stationaryBy: GradientFlow.StationarityTest? = status != .solved || !tested ? nil
            : speedMet ? .speed : certificate?.met == true ? .decadeCertificate : nil
        message += "; graded factor, \(segments) segments, log-norms \(current.logNorms.map { $0.formatted(significantDigits: 4) }.joined(separator: ", "))"
        return Result(
            factor: current, x: Matrix.gram(u), time: t, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
            jacobians: jacobians, segments: segments, stationarity: stationary.speed, remainingBound: certificate?.bound ?? .nan,
            stationaryBy: stationaryBy, relativeResidual: relative, loss: 0.5 * residualNorm * residualNorm, status: status, message: message)
    }
}
