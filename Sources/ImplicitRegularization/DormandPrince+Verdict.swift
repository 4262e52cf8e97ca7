extension DormandPrince.Trajectory {
    /// How a flow integrated by ``DormandPrince`` ended, for ``GradientFlow`` and ``CommutativeFlow``:
    ///
    /// - `.diverged` when the state or the residual is not finite;
    /// - `.stepLimit` when the cap on steps (accepted and rejected) came first;
    /// - `.inaccurate` when steps had to be accepted at the resolution of t (``forcedSteps``);
    /// - `.solved` when it reached the horizon T, if one was set, or else the residual target
    ///   `relativeResidual ≤ target`;
    /// - `.timeLimit` when, without a horizon, the time limit came first.
    func verdict(
        relativeResidual: Double, target: Double, horizon: Double?, relativeTolerance: Double, maxSteps: Int
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
        if relativeResidual <= target {
            return (.solved, "relative training error \(error) ≤ \(target) at t = \(t)")
        }
        return (.timeLimit, "reached the time limit t = \(t) with relative training error \(error) (target \(target))")
    }
}
