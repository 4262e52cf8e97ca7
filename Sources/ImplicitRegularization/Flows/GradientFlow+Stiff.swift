import Foundation
import LinearAlgebra

/// Which integrator a ``GradientFlow`` runs on.
///
/// - ``dormandPrince``: explicit Dormand–Prince 5(4) throughout. In the late phase, where the loss decays like 1/t and the
///   Hessian's large eigenvalues stay, its steps are bounded by stability (`h ≲ 3.3/|λ_max|`),
///   so its cost grows linearly with t.
/// - ``stiff``: ``Rosenbrock`` (RODAS4) throughout, with the analytic Jacobian
///   (``GradientFlow/Jacobian``): one Jacobian and one factorisation of `I − γhJ` per step (N = n·d;
///   by Woodbury's identity in O(m²N + m³) when m ≤ N/2, ``GradientFlow/StepMatrix``, else the
///   dense LU in O(N³)), steps that grow with t.
/// - ``automatic``: Dormand–Prince until its steps become limited by stability (Hairer's
///   stiffness test, ``DormandPrince/Options/detectStiffness``), then RODAS4 from there on, as
///   LSODA switches from Adams to BDF: the cheap explicit steps where the flow is not stiff
///   (the growth from a small U0), the implicit ones where it is. The default: on a flow that
///   never turns stiff it is Dormand–Prince, step for step; on one that does (the n = 20 sensing
///   fixture) it reaches t = 10⁸ in 3,452 steps, where Dormand–Prince would take about 10⁸.
public enum FlowIntegrator: String, Sendable, CaseIterable, Codable {
    case dormandPrince = "dormand-prince"
    case stiff
    case automatic
}

extension GradientFlow {
    /// The Jacobian of the flow's right-hand side `F(U) = −2 A*(r) U`, `r = A(UUᵀ) − y`:
    ///
    ///     J[V] = −2 A*(A(VUᵀ + UVᵀ)) U − 2 A*(r) V,
    ///
    /// as an N × N matrix on `vec(U)` (column-major, N = n·d). With `B` the m × N matrix of rows
    /// `vec(A_k U)ᵀ` (so `A(VUᵀ + UVᵀ)_k = 2⟨A_k U, V⟩ = 2 (B vec V)_k` and `vec(A*(s)U) = Bᵀ s`),
    ///
    ///     J = −4 BᵀB − 2 (I_d ⊗ A*(r)),
    ///
    /// symmetric, minus the Hessian of the loss. B is one `dgemm` of the stacked `A_k` (m·n × n,
    /// formed once) with U, and BᵀB one `dsyrk`: O(m·n²·d + m·N²) per Jacobian.
    public struct Jacobian: Sendable {
        let dimension: Int
        let count: Int
        /// Row `k + i·m`, column j: `(A_k)_ij`, so that `stacked · U`, seen as m × (n·d), is B.
        let stacked: Matrix
        /// `stacked · U` (m·n × d) and B (m × n·d): the same entries, computed into the first and
        /// swapped into the second, so that no Jacobian allocates.
        var product = Matrix(rows: 0, columns: 0)
        var b = Matrix(rows: 0, columns: 0)

        public init(_ measurements: SymmetricMeasurements) {
            let (n, m) = (measurements.dimension, measurements.count)
            var stacked = Matrix(rows: m * n, columns: n)
            for k in 0..<m {
                let a = measurements.matrix(k)
                for j in 0..<n { for i in 0..<n { stacked[k + i * m, j] = a[i, j] } }
            }
            self.dimension = n
            self.count = m
            self.stacked = stacked
        }

        /// `B ← [vec(A_k U)ᵀ]_k` (m × n·d) at U (n × d, column-major): one `dgemm`.
        public mutating func fillB(factor u: Matrix) {
            let (n, d, m) = (dimension, u.columns, count)
            precondition(u.rows == n)
            if product.rows != m * n || product.columns != d {
                product = Matrix(rows: m * n, columns: d)
                b = Matrix(rows: m, columns: n * d)
            }
            Matrix.gemm(1, stacked, .none, u, .none, 0, into: &product)
            swap(&product.elements, &b.elements)
        }

        /// `J ← ∂F/∂vec(U)` at U (n × d, column-major) with residual r and `adjoint = A*(r)`.
        public mutating func fill(factor u: Matrix, adjoint s: Matrix, into j: inout Matrix) {
            let (n, d) = (dimension, u.columns)
            let size = n * d
            precondition(u.rows == n && j.rows == size && j.columns == size && s.rows == n)
            fillB(factor: u)
            Matrix.syrk(-4, b, .transpose, 0, into: &j)
            j.symmetrizeFromUpper()
            for block in 0..<d {
                let offset = block * n
                for c in 0..<n { for r in 0..<n { j[offset + r, offset + c] -= 2 * s[r, c] } }
            }
        }
    }

    /// The flow's trajectory on the integrator `options.integrator` chooses; with `columnRoundOff`
    /// positive, the absolute tolerance of each column of U is floored at `columnRoundOff · ‖u_c‖`
    /// (``StepControl/columnRoundOff``).
    func integrate(
        from initial: Matrix, startTime: Double = 0, to end: Double, absoluteTolerance: Double, columnRoundOff: Double = 0,
        rightHandSide: (Double, [Double], inout [Double]) -> Void,
        shouldStop: (Double, [Double]) -> Bool
    ) -> IntegratorTrajectory {
        var integratorOptions = DormandPrince.Options(
            relativeTolerance: options.relativeTolerance, absoluteTolerance: absoluteTolerance, maxSteps: options.maxSteps)
        if columnRoundOff > 0 { (integratorOptions.columnLength, integratorOptions.columnRoundOff) = (problem.dimension, columnRoundOff) }
        let (n, d) = (problem.dimension, initial.columns)
        let measurements = problem.measurements
        let y = problem.observations
        var jacobian: Jacobian?
        var residual = y
        var adjointPacked = [Double](repeating: 0, count: SymmetricPacking.packedCount(n))
        var adjoint = Matrix(rows: n, columns: n)
        var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
        func fill(_: Double, state: [Double], into j: inout Matrix) {
            if jacobian == nil { jacobian = Jacobian(measurements) }
            state.withUnsafeBufferPointer { measurements.factoredResidual(factor: $0, rank: d, observations: y, into: &residual, workspace: &workspace) }
            measurements.adjointPacked(residual, into: &adjointPacked)
            adjointPacked.withUnsafeBufferPointer { SymmetricPacking.unpack($0, into: &adjoint) }
            jacobian!.fill(factor: Matrix(rows: n, columns: d, columnMajor: state), adjoint: adjoint, into: &j)
        }
        let stiff = Rosenbrock(options: integratorOptions)
        func rosenbrock(_ integrator: Rosenbrock, from state: [Double], time: Double, initialStep: Double?) -> IntegratorTrajectory {
            if Self.usesWoodbury(dimension: n, rank: d, measurements: measurements.count) {
                var stepMatrix = StepMatrix(problem: problem, rank: d)
                return integrator.integrate(from: state, time: time, to: end, initialStep: initialStep, rightHandSide: rightHandSide,
                                            stepMatrix: &stepMatrix, shouldStop: shouldStop)
            }
            return integrator.integrate(from: state, time: time, to: end, initialStep: initialStep, rightHandSide: rightHandSide,
                                        jacobian: fill, shouldStop: shouldStop)
        }
        switch options.integrator {
        case .dormandPrince:
            return DormandPrince(options: integratorOptions)
                .integrate(from: initial.elements, time: startTime, to: end, rightHandSide: rightHandSide, shouldStop: shouldStop)
        case .stiff:
            return rosenbrock(stiff, from: initial.elements, time: startTime, initialStep: nil)
        case .automatic:
            var explicit = integratorOptions
            explicit.detectStiffness = true
            let first = DormandPrince(options: explicit)
                .integrate(from: initial.elements, time: startTime, to: end, rightHandSide: rightHandSide, shouldStop: shouldStop)
            guard first.becameStiff else { return first }
            var rest = stiff
            rest.options.maxSteps = max(0, options.maxSteps - first.steps - first.rejectedSteps)
            var second = rosenbrock(rest, from: first.state, time: first.time, initialStep: first.lastStepSize)
            second.steps += first.steps
            second.rejectedSteps += first.rejectedSteps
            second.evaluations += first.evaluations
            second.forcedSteps += first.forcedSteps
            second.becameStiff = true
            return second
        }
    }

    /// Whether RODAS4's step matrix is solved by Woodbury's identity (``StepMatrix``: O(m²N + m³)
    /// per factorisation) rather than by the dense LU of `I − γhJ` (O(N³)), N = n·d: when m ≤ N/2.
    static func usesWoodbury(dimension n: Int, rank d: Int, measurements m: Int) -> Bool {
        2 * m <= n * d
    }

    /// The stationarity test of a flow without a horizon: `t · ‖Ẋ‖_F / ‖X‖_F ≤ tolerance` at U,
    /// with `Ẋ = U̇Uᵀ + UU̇ᵀ`, `U̇ = −2 A*(r) U`. Where X approaches its limit like `t^(−p)`, p ≥ 1
    /// (the late phase of an overparameterised flow: p = 1), `‖X(∞) − X(t)‖ = t‖Ẋ‖/p ≤ t‖Ẋ‖`, so the
    /// test bounds the relative distance still to travel; an exponential approach is within it sooner.
    /// Its floor: Ẋ comes from r, computed to round-off, so the test reads about `t · 1e-16` once
    /// r is at round-off (3.6e-6 at t = 1e10 on the n = 20 sensing flow). With
    /// ``Options/decadeCertificate`` on, the test is therefore round-off-aware: it is met only when
    /// `t‖Ẋ‖/‖X‖ + floor ≤ tolerance` (without it, `t‖Ẋ‖/‖X‖ ≤ tolerance`, the floor only reported), with the floor
    /// estimated as the same quantity for a residual of round-off size,
    /// `s_k = (d + 2) ε (|y_k| + |A(X)_k|)` (the error of a length-d dot product and a subtraction):
    /// `floor = t‖Ṡ‖/‖X‖`, `Ṡ = V_sUᵀ + UV_sᵀ`, `V_s = 2A*(s)U`. On Figure 4's slow flows it is
    /// about `t · 2e-15`, so beyond t ≈ 5e8 this test cannot pass there (it passed by round-off
    /// luck on hundreds of them at t = 1e9…1e12 while X was still more than 1e-6 from its limit)
    /// and only the decade certificate can.
    func stationarity(time t: Double, state: [Double], residual: [Double]) -> (met: Bool, value: String, speed: Double) {
        let measured = stationarityMeasure(time: t, state: state, residual: residual)
        return (measured.met, describe(measured), measured.speed)
    }

    /// ``stationarity(time:state:residual:)``'s numbers without its text (what the flows test at
    /// every accepted step once the residual target is met): whether it is met, `t‖Ẋ‖/‖X‖`, and
    /// the round-off floor (nil without ``Options/decadeCertificate``).
    func stationarityMeasure(time t: Double, state: [Double], residual: [Double]) -> (met: Bool, speed: Double, floor: Double?) {
        let (n, d) = (problem.dimension, state.count / max(problem.dimension, 1))
        var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
        let u = Matrix(rows: n, columns: d, columnMajor: state)
        let norm = max(Matrix.gram(u).frobeniusNorm, .leastNormalMagnitude)
        /// `t‖Ẋ‖/‖X‖` with `Ẋ = VUᵀ + UVᵀ`, `V = −2A*(r)U`.
        func relativeSpeed(_ r: [Double]) -> Double {
            var velocity = [Double](repeating: 0, count: state.count)
            state.withUnsafeBufferPointer { u in
                velocity.withUnsafeMutableBufferPointer {
                    problem.measurements.factoredAdjointProduct(r, factor: u, rank: d, scale: -2, into: $0, workspace: &workspace)
                }
            }
            let v = Matrix(rows: n, columns: d, columnMajor: velocity)
            var xDot = Matrix(rows: n, columns: n)
            Matrix.syr2k(1, v, u, 0, into: &xDot)
            xDot.symmetrizeFromUpper()
            return t * xDot.frobeniusNorm / norm
        }
        let speed = relativeSpeed(residual)
        // The floor counts only with the decade certificate on, where the flows it was measured on
        // have a certificate to fall back on (so it is computed only then: a second adjoint product).
        // It is an upper estimate (a sum of (d + 2)ε per entry, not the error that occurred): on the
        // n = 20 sensing flow it reads 9.2e-5 at t = 1e10 where t‖Ẋ‖/‖X‖ itself is 3.3e-6, and added
        // everywhere it kept that flow, which approaches its limit like 1/t (p = 1, where the
        // instantaneous test is sound), from `.solved` at t = 1.9e8.
        guard options.decadeCertificate else { return (speed <= options.stationarityTolerance, speed, nil) }
        let floor = relativeSpeed(roundOffEstimate(residual, rank: d))
        return (speed + floor <= options.stationarityTolerance, speed, floor)
    }

    /// The text of a ``stationarityMeasure(time:state:residual:)``.
    func describe(_ measured: (met: Bool, speed: Double, floor: Double?)) -> String {
        let bound = options.stationarityTolerance.isFinite ? " (bound \(options.stationarityTolerance))" : ""
        guard let floor = measured.floor else { return "t‖Ẋ‖/‖X‖ = \(measured.speed.formatted(significantDigits: 3))" + bound }
        return "t‖Ẋ‖/‖X‖ = \(measured.speed.formatted(significantDigits: 3)), round-off floor \(floor.formatted(significantDigits: 3)) added" + bound
    }

    /// An estimate of the error of the computed residual, entry by entry: `s_k = (d + 2) ε (|y_k| + |A(X)_k|)`
    /// (a length-d dot product and a subtraction; an upper estimate, not the error that occurred).
    func roundOffEstimate(_ residual: [Double], rank d: Int) -> [Double] {
        let y = problem.observations
        let unit = Double(d + 2) * Double.ulpOfOne
        return (0..<y.count).map { unit * (abs(y[$0]) + abs(residual[$0] + y[$0])) }
    }

    /// Whether the residual is at its round-off floor: `‖r‖ ≤ 100‖s‖`, s the ``roundOffEstimate(_:rank:)``, about a
    /// relative 1e-13 at d = 3.
    /// A flow whose residual has fallen only to its target, not to this, still descends a loss it
    /// sees: on Figure 4's instances with an observed singular 2 × 2 block, flows from ᾱ = 1e-5
    /// met `‖r‖/‖y‖ ≤ 1e-9` and `t‖Ẋ‖/‖X‖ ≈ 1e-8` at t ≈ 20 while a residual ~σ₃² ≈ 1e-9 had yet to
    /// collapse σ₃ ≈ 1e-5 over t ~ 1e10, moving X by up to a relative 1.9e-5.
    func atRoundOff(_ residual: [Double], rank d: Int) -> Bool {
        Vector.norm(residual) <= 100 * Vector.norm(roundOffEstimate(residual, rank: d))
    }

    /// The decade certificate of stationarity, for a flow whose `t‖Ẋ‖` is floored by round-off.
    ///
    /// With `t₁` the last checkpoint at or before t/10 and `t₀` the last at or before t₁/10 (checkpoints
    /// are the states at the first steps past each `1.25^k·t_first`, so each window spans a ratio
    /// `ρ₀ = t₁/t₀`, `ρ₁ = t/t₁` of 10 to 12.5), it measures X's displacement over the two windows,
    /// `D = ‖X(t) − X(t₁)‖_F/‖X(t)‖_F` and `D₀ = ‖X(t₁) − X(t₀)‖_F/‖X(t)‖_F`, and fits the exponent p of
    /// a power-law approach `X(t) = X∞ + C·t^(−p)` to their ratio,
    ///
    ///     D/D₀ = ρ₀^(−p) (1 − ρ₁^(−p)) / (1 − ρ₀^(−p))      (bisection; p capped at 20),
    ///
    /// and bounds what is left under that model, `‖X∞ − X(t)‖_F/‖X(t)‖_F = D/(ρ₁^p − 1)`. It is met when
    /// `p ≥ 0.3`, that bound is at most `stationarityTolerance`, and the flow is in its power-law
    /// phase, not on a plateau: the residual fell over the last window by at least `ρ₁^(−1/2)`, and
    /// over its last half-decade `[t_h, t]` (t_h the last checkpoint ≤ t/3) by `(t/t_h)^(−1/2)`, or is
    /// at round-off (``atRoundOff(_:rank:)``). (Without that guard, flows from ᾱ = 1e-5 fitted to 1e-9
    /// at t ≈ 20 read p ≈ 10 over [30, 400] and were certified, with X still 1.9e-5 from its limit.) The slow flows of Figure 4 (an
    /// observed singular 2 × 2 block: the residual falls like 1/t, the vanishing singular value of
    /// U like t^(−1/2), and X's unobserved entries with it) measure p = 0.50 ± 0.01 over 1e9…1e12,
    /// where the bound is about 0.46·D. Unlike `t‖Ẋ‖` — whose round-off floor `t·O(ε)` passes 1e-6
    /// near t = 1e9–1e10, and which bounds what is left only for p ≥ 1 — D is a difference of two
    /// computed X, accurate to about ε. It is not a proof: a flow that leaves a plateau after t
    /// breaks the model, as it breaks the instantaneous test. Not met (bound ∞) until two windows exist.
    func decadeCertificate(
        time t: Double, state: [Double], residual: [Double], checkpoints: [(time: Double, state: [Double], residual: Double)]
    ) -> (met: Bool, value: String, bound: Double) {
        decadeCertificate(time: t, state: state, residual: residual, checkpoints: checkpoints, quick: false)
    }

    /// The certificate as above; with `quick` (the test at every accepted step) only `met` is meant:
    /// the residual's guard is read first and, when it fails, the fit is skipped (bound NaN), and
    /// no text is made. `met` is the same either way.
    func decadeCertificate(
        time t: Double, state: [Double], residual: [Double], checkpoints: [(time: Double, state: [Double], residual: Double)], quick: Bool
    ) -> (met: Bool, value: String, bound: Double) {
        guard let i1 = checkpoints.lastIndex(where: { $0.time <= t / 10 }),
              let i0 = checkpoints[...i1].lastIndex(where: { $0.time <= checkpoints[i1].time / 10 }) else {
            return (false, "no decade certificate (fewer than two decades of t)", .infinity)
        }
        let n = problem.dimension
        let (rho0, rho1) = (checkpoints[i1].time / checkpoints[i0].time, t / checkpoints[i1].time)
        // In its power-law phase the loss still falls: the residual at least by ρ₁^(−1/2) over the window
        // (1/t on Figure 4's slow flows), unless it is at round-off. A residual that stalls above its floor
        // is a plateau, where X may wait before it moves again.
        let residualNorm = Vector.norm(residual)
        // Over the window and over its last half-decade (the last checkpoint at or before t/3), so that a
        // plateau that began inside the window is seen.
        let half = checkpoints[...].last(where: { $0.time <= t / 3 }) ?? checkpoints[i1]
        let descending = (residualNorm <= checkpoints[i1].residual / rho1.squareRoot()
            && residualNorm <= half.residual / (t / half.time).squareRoot()) || atRoundOff(residual, rank: state.count / n)
        if quick, !descending { return (false, "", .nan) }
        func x(_ state: [Double]) -> Matrix { Matrix.gram(Matrix(rows: n, columns: state.count / n, columnMajor: state)) }
        let (x0, x1, x2) = (x(checkpoints[i0].state), x(checkpoints[i1].state), x(state))
        let norm = max(x2.frobeniusNorm, .leastNormalMagnitude)
        let d = (x2 - x1).frobeniusNorm / norm
        let before = (x1 - x0).frobeniusNorm / norm
        // The ratio D/D₀ of a power law of exponent p over these windows: decreasing in p.
        func ratio(_ p: Double) -> Double {
            let (a, b): (Double, Double) = (Foundation.pow(rho0, -p), Foundation.pow(rho1, -p))
            return a * (1 - b) / (1 - a)
        }
        let minimumExponent = 0.3
        var exponent = 0.0
        var bound = Double.infinity
        if d == 0 {
            (exponent, bound) = (.infinity, 0)
        } else if before > 0, d / before <= ratio(minimumExponent) {
            var (low, high) = (minimumExponent, 20.0)
            if d / before <= ratio(high) {
                low = high
            } else {
                for _ in 0..<60 {
                    let middle = (low + high) / 2
                    if ratio(middle) > d / before { low = middle } else { high = middle }
                }
            }
            exponent = low
            let growth: Double = Foundation.pow(rho1, exponent)
            bound = d / (growth - 1)
        }
        let met = bound <= options.stationarityTolerance && descending
        if quick { return (met, "", bound) }
        let window = "[\(checkpoints[i1].time.formatted(significantDigits: 3)), \(t.formatted(significantDigits: 3))]"
        let fitted = exponent > 0 ? "p = \(exponent.formatted(significantDigits: 3))" : "p < \(minimumExponent)"
        let moved = "X moved \(d.formatted(significantDigits: 3)) over \(window) and \(before.formatted(significantDigits: 3)) the decade before, \(fitted)"
        let left = ": ‖X(∞) − X‖/‖X‖ ≤ \(bound.formatted(significantDigits: 3)) (bound \(options.stationarityTolerance))"
            + (descending ? "" : ", but the residual stalls (\((residualNorm / checkpoints[i1].residual).formatted(significantDigits: 3)) of it at t₁): a plateau")
        return (met, moved + left, bound)
    }
}
