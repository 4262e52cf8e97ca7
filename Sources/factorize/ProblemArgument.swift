import ArgumentParser
import ImplicitRegularization

/// The problem file every solving subcommand reads.
struct ProblemArgument: ParsableArguments {
    @Argument(help: "A problem file (JSON; the format is in SPEC.md).")
    var file: String

    func load() throws -> MeasurementProblem { try ProblemFile.read(path: file) }
}

/// The stopping rule's options, shared by `gd` and `xgd`.
struct StoppingOptions: ParsableArguments {
    @Option(help: "Stop when ‖A(X) − y‖/‖y‖ is at most this.")
    var tolerance: Double = StoppingRule.standard.tolerance

    @Option(help: "Stop after this many iterations (reported as \"iteration-cap\").")
    var maxIterations: Int = StoppingRule.standard.maxIterations

    func validate() throws {
        guard tolerance.isFinite, tolerance > 0 else { throw ValidationError("--tolerance must be a positive number, got \(tolerance)") }
        guard maxIterations >= 0 else { throw ValidationError("--max-iterations must be at least 0, got \(maxIterations)") }
    }

    var rule: StoppingRule { StoppingRule(tolerance: tolerance, maxIterations: maxIterations) }
}
