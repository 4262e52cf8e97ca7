import ImplicitRegularization
import LinearAlgebra

extension JSONReport {
    /// The fields `gd` and `xgd` print for a run.
    init(_ result: DescentResult, problem: MeasurementProblem, seconds: Double) {
        self.init(result)
        add("nuclear_norm", result.status == .diverged ? nil : try? result.nuclearNorm())
        add("training_loss", result.loss)
        add("relative_training_error", result.relativeResidual)
        if let error = problem.reconstructionError(result.x) { add("relative_error", result.status == .diverged ? nil : error) }
        add("iterations", result.iterations)
        add("seconds", seconds)
    }
}

extension JSONReport {
    /// The fields `flow` and `toe` open with: status and message, the solution X (row-major) and how well it fits.
    init(_ result: some SolverResult, solution x: Matrix, loss: Double, relativeResidual: Double, problem: MeasurementProblem) {
        self.init(result)
        add("nuclear_norm", try? x.nuclearNorm())
        add("training_loss", loss)
        add("relative_training_error", relativeResidual)
        if let error = problem.reconstructionError(x) { add("relative_error", error) }
        add("X", numbers: x.rowMajorElements)
    }
}
