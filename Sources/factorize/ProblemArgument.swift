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

    @Option(help: "Stop after this many iterations (reported as status \"iteration_limit\").")
    var maxIterations: Int = StoppingRule.standard.maxIterations

    func validate() throws {
        try OptionCheck.positive(tolerance, "--tolerance")
        try OptionCheck.nonNegative(maxIterations, "--max-iterations")
    }

    var rule: StoppingRule { StoppingRule(tolerance: tolerance, maxIterations: maxIterations) }
}
