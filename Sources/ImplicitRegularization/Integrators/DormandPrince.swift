#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// The Dormand–Prince 5(4) embedded Runge–Kutta pair (Hairer, Nørsett & Wanner,
/// *Solving ODEs I*, §II.5), with the first-same-as-last property and the classical step-size
/// controller `h ← h · clamp(0.9 · err^(-1/5), 0.2, 10)` (as scipy's RK45; a PI controller took
/// 22% more evaluations on the 3×3 flow), for `dy/dt = F(t, y)`.
///
/// Error control (``StepControl``): a step is accepted when the embedded error estimate `e` satisfies
/// `sqrt(mean((e_i / s_i)²)) ≤ 1` with `s_i = atol + rtol · max(|y_i|, |y_new_i|)`.
/// For the gradient flow the caller sets `atol` from the scale of the starting point
/// (`rtol · ‖U0‖_F / √N`), so a start of size 1e-5 is resolved rather than lost under
/// an absolute tolerance fit for O(1) solutions.
///
/// The stages are the columns of an N × 7 matrix, so each stage's combination
/// `y + h Σ a_ij k_j` and the error estimate are one `dgemv` each.
public struct DormandPrince: Sendable {
    public struct Options: Sendable {
        public var relativeTolerance: Double
        public var absoluteTolerance: Double
        public var maxSteps: Int
        /// Stop, with ``IntegratorTrajectory/becameStiff``, when the steps have become limited by
        /// stability rather than accuracy: Hairer's test (DOPRI5, *Solving ODEs II* §IV.2), which
        /// estimates `h|λ| ≈ h ‖k₇ − k₆‖ / ‖y₁ − ŷ₆‖` on every accepted step and calls the problem
        /// stiff after 15 of them beyond 3.25, the edge of the method's stability region, with no run
        /// of 6 below it in between. It only reads the stages: the steps are the same either way.
        public var detectStiffness: Bool
        /// A floor on the absolute tolerance of each column of the state, `columnRoundOff` times the
        /// column's norm, for a state stored by columns of `columnLength` (``StepControl/columnRoundOff``;
        /// default 0: none).
        public var columnLength = 0
        public var columnRoundOff = 0.0
        public init(relativeTolerance: Double = 1e-10, absoluteTolerance: Double = 1e-14, maxSteps: Int = 2_000_000, detectStiffness: Bool = false) {
            self.relativeTolerance = relativeTolerance
            self.absoluteTolerance = absoluteTolerance
            self.maxSteps = maxSteps
            self.detectStiffness = detectStiffness
        }
    }

    /// What an integration did (shared with ``Rosenbrock``, so one verdict judges both).
    public typealias Trajectory = IntegratorTrajectory

    static let c: [Double] = [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1]
    static let a: [[Double]] = [
        [],
        [1.0 / 5],
        [3.0 / 40, 9.0 / 40],
        [44.0 / 45, -56.0 / 15, 32.0 / 9],
        [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
        [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
        [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
    ]
    /// The fifth-order weights minus the embedded fourth-order ones.
    static let e: [Double] = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Integrates from `(t0, y0)` to `t1`, or until `shouldStop(t, y)` says so after an accepted step.
    /// The right-hand side's last evaluation before `shouldStop(t, y)` was at exactly that y (the
    /// seventh stage is the new point: first same as last), so `shouldStop` may reuse what the
    /// right-hand side computed there instead of computing it again.
    public func integrate(
        from y0: [Double], time t0: Double = 0, to t1: Double,
        initialStep: Double? = nil,
        rightHandSide f: (Double, [Double], inout [Double]) -> Void,
        shouldStop: (Double, [Double]) -> Bool = { _, _ in false }
    ) -> Trajectory {
        let n = y0.count
        var k = Matrix(rows: n, columns: 7)
        var y = y0
        var t = t0
        var derivative = [Double](repeating: 0, count: n)
        var stage = [Double](repeating: 0, count: n)
        var error = [Double](repeating: 0, count: n)
        // Row s: a_sj padded with zeros to the 7 stages (formed once, not at every stage).
        let stageCoefficients = (0..<7).map { s in (0..<7).map { j in j < s ? Self.a[s][j] : 0 } }
        var evaluations = 0
        f(t, y, &derivative)
        evaluations += 1
        setColumn(&k, 0, derivative)

        var control = StepControl(relativeTolerance: options.relativeTolerance, absoluteTolerance: options.absoluteTolerance)
        (control.columnLength, control.columnRoundOff) = (options.columnLength, options.columnRoundOff)
        var h = min(initialStep ?? control.initialStep(state: y, slope: derivative), t1 - t)

        var steps = 0
        var rejected = 0
        var forced = 0
        var next = y
        // Hairer's stiffness test: y₁ − ŷ₆ = h Σ (a₇ⱼ − a₆ⱼ) kⱼ, and runs of steps beyond and within 3.25.
        let stageGap = (0..<7).map { j in j < 6 ? Self.a[6][j] - (j < 5 ? Self.a[5][j] : 0) : 0 }
        var (stiffRun, nonStiffRun) = (0, 0)
        while t < t1 {
            if steps + rejected >= options.maxSteps {
                return Trajectory(time: t, state: y, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
                                  stoppedEarly: false, hitStepLimit: true, forcedSteps: forced)
            }
            let lastStep = t + h >= t1
            if lastStep { h = t1 - t }
            for s in 1...6 {
                stage.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: y) }  // in place: no allocation per stage
                Matrix.gemv(h, k, .none, stageCoefficients[s], 1, into: &stage)
                f(t + Self.c[s] * h, stage, &derivative)
                evaluations += 1
                setColumn(&k, s, derivative)
                if s == 6 { next.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: stage) } }
            }
            Matrix.gemv(h, k, .none, Self.e, 0, into: &error)
            let norm = control.errorNorm(error, start: y, end: next)
            if norm <= 1 || h <= 1e-14 * max(abs(t), 1) {
                if !(norm <= 1) { forced += 1 }
                t = lastStep ? t1 : t + h
                swap(&y, &next)
                steps += 1
                if options.detectStiffness {
                    Matrix.gemv(h, k, .none, stageGap, 0, into: &error)
                    var (numerator, denominator) = (0.0, 0.0)
                    for i in 0..<n {
                        numerator += (k[i, 6] - k[i, 5]) * (k[i, 6] - k[i, 5])
                        denominator += error[i] * error[i]
                    }
                    if denominator > 0, h * (numerator / denominator).squareRoot() > 3.25 {
                        nonStiffRun = 0
                        stiffRun += 1
                        if stiffRun == 15 {
                            return Trajectory(time: t, state: y, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
                                              stoppedEarly: true, hitStepLimit: false, forcedSteps: forced, becameStiff: true, lastStepSize: h)
                        }
                    } else {
                        nonStiffRun += 1
                        if nonStiffRun == 6 { stiffRun = 0 }
                    }
                }
                // First same as last: the seventh stage is F at the new point.
                for i in 0..<n { k[i, 0] = k[i, 6] }
                h *= StepControl.stepFactor(error: norm, order: 5, maxGrowth: 10)
                if shouldStop(t, y) {
                    return Trajectory(time: t, state: y, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
                                      stoppedEarly: true, hitStepLimit: false, forcedSteps: forced)
                }
            } else {
                rejected += 1
                // A NaN estimate (an overflowing right-hand side, or a zero tolerance) shrinks the step too.
                h *= StepControl.stepFactor(error: norm, order: 5, maxGrowth: 10)
            }
        }
        return Trajectory(time: t, state: y, steps: steps, rejectedSteps: rejected, evaluations: evaluations,
                          stoppedEarly: false, hitStepLimit: false, forcedSteps: forced)
    }

    private func setColumn(_ k: inout Matrix, _ column: Int, _ values: [Double]) {
        let n = k.rows
        k.elements.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<n { buffer[column * n + i] = values[i] }
        }
    }
}
