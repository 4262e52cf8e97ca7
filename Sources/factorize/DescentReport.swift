import ImplicitRegularization

extension JSONReport {
    /// The fields `gd` and `xgd` print for a run.
    init(_ result: DescentResult, problem: MeasurementProblem, seconds: Double) {
        self.init()
        add("nuclear_norm", result.status == .diverged ? nil : try? result.nuclearNorm())
        add("training_loss", result.loss)
        add("relative_training_error", result.relativeResidual)
        if let error = problem.reconstructionError(result.x) { add("relative_error", result.status == .diverged ? nil : error) }
        add("iterations", result.iterations)
        add("converged", result.converged)
        add("diverged", result.status == .diverged)
        add("status", result.status.rawValue)
        add("seconds", seconds)
    }
}
