#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// RODAS4, the stiffly accurate, L-stable Rosenbrock method of order 4 with an embedded method of
/// order 3 (Hairer & Wanner, *Solving ODEs II*, §VI.4, Table 4.4 and their code `rodas.f`,
/// METH = 1; the coefficients below are theirs in the implementation form of §VI.4 (4.8),
/// as KPP's `Rodas4` (Sandu et al. 1997) also prints them), for an autonomous `dy/dt = F(y)` with
/// its Jacobian `J = ∂F/∂y`:
///
///     (I − γhJ) k_i = γh F(y + Σ_{j<i} a_ij k_j) + γ Σ_{j<i} c_ij k_j,   i = 1…6,   γ = 1/4,
///     y₁ = y + Σ m_j k_j,         the error estimate  e = k₆  (y₁ minus the order-3 solution).
///
/// One Jacobian and one factorisation of `I − γhJ` per step (``RosenbrockStepMatrix``: by default
/// ``LUFactorization``, `dgetrf`), then six solves and five new evaluations of F; a rejected step reuses J and F(y) and
/// refactors `I − γhJ` with the smaller h. Being L-stable its step is limited by accuracy only:
/// where the solution is smooth and its fast modes have decayed, h grows with t however stiff the
/// problem (Dormand–Prince's stays below 3.3/|λ_max|).
///
/// Error control, ``StepControl`` as ``DormandPrince``'s: a step is accepted when `sqrt(mean((e_i / s_i)²)) ≤ 1`
/// with `s_i = atol + rtol · max(|y_i|, |y₁_i|)`; then `h ← h · clamp(0.9 · err^(-1/4), 0.2, 6)`
/// (err ~ h⁴: the estimate is the order-3 method's local error), with no growth right after a
/// rejection (as `rodas.f`). A step at the resolution of t (`h ≤ 1e-14·max(|t|, 1)`) is accepted
/// whatever its error and counted in ``IntegratorTrajectory/forcedSteps``; a singular `I − γhJ`
/// or a non-finite estimate shrinks h.
public struct Rosenbrock: Sendable {
    /// rtol, atol and the cap on steps, as ``DormandPrince``'s (`detectStiffness` is Dormand–Prince's alone).
    public typealias Options = DormandPrince.Options

    static let gamma = 0.25
    /// a_ij, the stages' combinations of earlier k (row i, j < i).
    static let a: [[Double]] = [
        [],
        [1.544],
        [0.9466785280815826, 0.2557011698983284],
        [3.314825187068521, 2.896124015972201, 0.9986419139977817],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950],
        [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1],
    ]
    /// c_ij, the earlier k in each stage's right-hand side (divided by h in the book's form (4.8)).
    static let c: [[Double]] = [
        [],
        [-5.6688],
        [-2.430093356833875, -0.2063599157091915],
        [-0.1073529058151375, -9.594562251023355, -20.47028614809616],
        [7.496443313967647, -10.24680431464352, -33.99990352819905, 11.70890893206160],
        [8.083246795921522, -7.981132988064893, -31.52159432874371, 16.31930543123136, -6.058818238834054],
    ]
    /// m_j, the order-4 solution's weights (stiffly accurate: y₁ is the sixth stage plus k₆).
    static let m: [Double] = [1.221224509226641, 6.019134481288629, 12.53708332932087, -0.6878860361058950, 1, 1]

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Integrates from `y0` at `t0` to `t1`, or until `shouldStop(t, y)` says so after an accepted
    /// step. `jacobian(t, y, &J)` fills the N × N matrix `∂F/∂y` at y. As with ``DormandPrince``,
    /// the right-hand side's last evaluation before `shouldStop(t, y)` was at exactly that y (F at
    /// the new point is the next step's first stage), so `shouldStop` may reuse what it computed.
    ///
    /// `evaluations` counts F: one at the start, five per attempted step and one per accepted
    /// step; `jacobians` one per accepted point tried; `factorizations` one per attempted step.
    public func integrate(
        from y0: [Double], time t0: Double = 0, to t1: Double,
        initialStep: Double? = nil,
        rightHandSide f: (Double, [Double], inout [Double]) -> Void,
        jacobian: (Double, [Double], inout Matrix) -> Void,
        shouldStop: (Double, [Double]) -> Bool = { _, _ in false }
    ) -> IntegratorTrajectory {
        withoutActuallyEscaping(jacobian) { jacobian in
            var system = DenseStepMatrix(order: y0.count, jacobian: jacobian)
            return integrate(from: y0, time: t0, to: t1, initialStep: initialStep, rightHandSide: f, stepMatrix: &system, shouldStop: shouldStop)
        }
    }

    /// As above, with the step's linear systems `(I − γhJ) k = b` solved by `stepMatrix` (a
    /// ``RosenbrockStepMatrix``: the dense LU above, or one that exploits J's structure).
    public func integrate<StepMatrix: RosenbrockStepMatrix>(
        from y0: [Double], time t0: Double = 0, to t1: Double,
        initialStep: Double? = nil,
        rightHandSide f: (Double, [Double], inout [Double]) -> Void,
        stepMatrix lu: inout StepMatrix,
        shouldStop: (Double, [Double]) -> Bool = { _, _ in false }
    ) -> IntegratorTrajectory {
        let n = y0.count
        var k = Matrix(rows: n, columns: 6)
        var y = y0
        var t = t0
        var start = [Double](repeating: 0, count: n)  // F(y), the first stage
        var derivative = [Double](repeating: 0, count: n)
        var stage = [Double](repeating: 0, count: n)
        var next = [Double](repeating: 0, count: n)
        // Row s: a_sj and c_sj padded with zeros to the 6 stages (formed once, not at every stage).
        let stageCoefficients = (0..<6).map { s in (0..<6).map { j in j < s ? Self.a[s][j] : 0 } }
        let earlierCoefficients = (0..<6).map { s in (0..<6).map { j in j < s ? Self.c[s][j] : 0 } }
        var evaluations = 0
        var jacobians = 0
        var factorizations = 0
        f(t, y, &start)
        evaluations += 1

        var control = StepControl(relativeTolerance: options.relativeTolerance, absoluteTolerance: options.absoluteTolerance)
        (control.columnLength, control.columnRoundOff) = (options.columnLength, options.columnRoundOff)
        var h = min(initialStep ?? control.initialStep(state: y, slope: start), t1 - t)

        var steps = 0
        var rejected = 0
        var forced = 0
        var jacobianIsCurrent = false
        var justRejected = false
        func outcome(stopped: Bool, limit: Bool) -> IntegratorTrajectory {
            IntegratorTrajectory(
                time: t, state: y, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
                stoppedEarly: stopped, hitStepLimit: limit, forcedSteps: forced,
                jacobians: jacobians, factorizations: factorizations)
        }
        while t < t1 {
            if steps + rejected >= options.maxSteps { return outcome(stopped: false, limit: true) }
            let lastStep = t + h >= t1
            if lastStep { h = t1 - t }
            if !jacobianIsCurrent {
                lu.evaluateJacobian(time: t, state: y)
                jacobians += 1
                jacobianIsCurrent = true
            }
            // W = I − γhJ, factored over the same storage every step.
            factorizations += 1
            let atResolution = h <= 1e-14 * max(abs(t), 1)
            guard (try? lu.factor(identityMinus: Self.gamma * h)) != nil else {
                rejected += 1
                justRejected = true
                h *= 0.25
                continue
            }
            var solved = true
            for s in 0..<6 {
                if s == 0 {
                    derivative.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: start) }
                } else {
                    stage.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: y) }
                    Matrix.gemv(1, k, .none, stageCoefficients[s], 1, into: &stage)
                    f(t + h, stage, &derivative)  // autonomous: the stage's time is not used
                    evaluations += 1
                }
                // derivative ← γh F(Y_s) + γ Σ c_sj k_j, then solve W k_s = derivative.
                Matrix.gemv(Self.gamma, k, .none, earlierCoefficients[s], Self.gamma * h, into: &derivative)
                do { try lu.solve(&derivative) } catch { solved = false; break }
                setColumn(&k, s, derivative)
            }
            var norm = Double.nan
            if solved {
                next.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: y) }
                Matrix.gemv(1, k, .none, Self.m, 1, into: &next)
                // The error estimate is k₆, still in `derivative`.
                norm = control.errorNorm(derivative, start: y, end: next)
                if !next.allSatisfy(\.isFinite) { norm = .nan }
            }
            if norm <= 1 || (atResolution && solved) {
                if !(norm <= 1) { forced += 1 }
                t = lastStep ? t1 : t + h
                swap(&y, &next)
                steps += 1
                jacobianIsCurrent = false
                f(t, y, &start)
                evaluations += 1
                h *= StepControl.stepFactor(error: norm, order: 4, maxGrowth: justRejected ? 1 : 6)
                justRejected = false
                if shouldStop(t, y) { return outcome(stopped: true, limit: false) }
            } else {
                rejected += 1
                justRejected = true
                h *= StepControl.stepFactor(error: norm, order: 4, maxGrowth: 6)
            }
        }
        return outcome(stopped: false, limit: false)
    }

    private func setColumn(_ k: inout Matrix, _ column: Int, _ values: [Double]) {
        let n = k.rows
        k.elements.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<n { buffer[column * n + i] = values[i] }
        }
    }
}

/// The matrix `I − cJ` of a Rosenbrock step (c = γh, J = ∂F/∂y at the step's start) and its
/// linear systems: ``Rosenbrock`` evaluates J once per accepted point, factors once per attempted
/// step, and solves six times per factorisation. A solve that cannot vouch for its answer throws,
/// and the step is retried with a smaller h.
public protocol RosenbrockStepMatrix {
    /// J at (t, y).
    mutating func evaluateJacobian(time t: Double, state y: [Double])
    /// Factors `I − cJ` with the last J; throws when it is singular.
    mutating func factor(identityMinus c: Double) throws
    /// `b ← (I − cJ)⁻¹ b` with the last factorisation.
    mutating func solve(_ b: inout [Double]) throws
}

/// `I − cJ` for a dense N × N Jacobian filled by a closure, factored by ``LUFactorization``
/// (`dgetrf`: O(N³) per factorisation) over the same storage every step.
struct DenseStepMatrix: RosenbrockStepMatrix {
    let jacobian: (Double, [Double], inout Matrix) -> Void
    var matrix: Matrix
    var lu: LUFactorization

    init(order n: Int, jacobian: @escaping (Double, [Double], inout Matrix) -> Void) {
        self.jacobian = jacobian
        matrix = Matrix(rows: n, columns: n)
        lu = try! LUFactorization(Matrix.identity(n))
    }

    mutating func evaluateJacobian(time t: Double, state y: [Double]) { jacobian(t, y, &matrix) }
    mutating func factor(identityMinus c: Double) throws { try lu.refactor(identityMinus: c, times: matrix) }
    mutating func solve(_ b: inout [Double]) throws { try lu.solve(&b) }
}
