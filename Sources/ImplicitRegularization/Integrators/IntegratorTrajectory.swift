/// What an integration did, whichever integrator did it (``DormandPrince``, ``Rosenbrock``, or the
/// two in turn): the final time and state, accepted and rejected steps, right-hand-side and
/// Jacobian evaluations, and why it stopped.
public struct IntegratorTrajectory: Sendable {
    public var time: Double
    public var state: [Double]
    public var steps: Int
    public var rejectedSteps: Int
    public var evaluations: Int
    public var stoppedEarly: Bool
    public var hitStepLimit: Bool
    /// Steps accepted although their error estimate exceeded the tolerance, because the step
    /// had fallen to the resolution of t (`h ≤ 1e-14·max(|t|, 1)`): where this is not 0 the
    /// trajectory is not resolved to the tolerance asked for.
    public var forcedSteps: Int
    /// Jacobians evaluated (and matrices `I − γhJ` factored: ``factorizations``); 0 for Dormand–Prince.
    public var jacobians: Int = 0
    public var factorizations: Int = 0
    /// Dormand–Prince stopped because its steps had become limited by stability, not accuracy
    /// (``DormandPrince/Options/detectStiffness``).
    public var becameStiff: Bool = false
    /// The last accepted step's size, where an integrator that takes over may start (set when ``becameStiff``).
    public var lastStepSize: Double? = nil
}

extension IntegratorTrajectory {
    /// How a flow integrated by ``DormandPrince`` or ``Rosenbrock`` ended, for ``GradientFlow`` and ``CommutativeFlow``:
    ///
    /// - `.diverged` when the state or the residual is not finite;
    /// - `.stepLimit` when the cap on steps (accepted and rejected) came first;
    /// - `.inaccurate` when steps had to be accepted at the resolution of t (``forcedSteps``);
    /// - `.solved` when it reached the horizon T, if one was set, or else the residual target
    ///   `relativeResidual ≤ target` and, when a stationarity test is given, that test
    ///   (`stationarity.met`; `stationarity.value` says what was measured against what);
    /// - `.timeLimit` when, without a horizon, the time limit came first.
    func verdict(
        relativeResidual: Double, target: Double, horizon: Double?, relativeTolerance: Double, maxSteps: Int,
        stationarity: (met: Bool, value: String)? = nil
    ) -> (status: SolverStatus, message: String) {
        let error = relativeResidual.formatted(significantDigits: 3)
        let t = time.formatted(significantDigits: 6)
        if !relativeResidual.isFinite || !state.allSatisfy(\.isFinite) {
            return (.diverged, "the flow left every finite bound at t = \(t)")
        }
        if hitStepLimit {
            return (.stepLimit, "stopped at the cap of \(maxSteps) steps (\(rejectedSteps) rejected) at t = \(t), relative training error \(error)")
        }
        if forcedSteps > 0 {
            return (.inaccurate, "\(forcedSteps) steps were accepted at the resolution of t with their error above rtol \(relativeTolerance); relative training error \(error) at t = \(t)")
        }
        if let horizon {
            return (.solved, "integrated to T = \(horizon.formatted(significantDigits: 6)) at rtol \(relativeTolerance); relative training error \(error)")
        }
        let speed = stationarity.map { ", \($0.value)" } ?? ""
        if relativeResidual <= target, stationarity?.met ?? true {
            return (.solved, "relative training error \(error) ≤ \(target)\(speed) at t = \(t)")
        }
        return (.timeLimit, "reached the time limit t = \(t) with relative training error \(error) (target \(target))\(speed)")
    }
}
