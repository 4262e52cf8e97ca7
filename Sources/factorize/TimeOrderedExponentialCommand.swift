import ArgumentParser
import ImplicitRegularization

struct TimeOrderedExponentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toe",
        abstract: "The time-ordered exponential U ← exp(−η A*(r)) U: X stays PSD.",
        discussion: "Prints status, message and the fields of flow's solution; steps counts the exponentials applied (a fixed step: none is rejected).")

    @OptionGroup var problem: ProblemArgument
    @OptionGroup var start: FlowStartOptions
    @OptionGroup var stopping: StoppingOptions

    @Option(help: "The step η.")
    var step: Double = 0.1

    func validate() throws {
        try OptionCheck.positive(step, "--step")
    }

    func run() throws {
        let loaded = try problem.load()
        let initial = try start.start(for: loaded, file: problem.file)
        let (result, seconds) = try timed {
            try TimeOrderedExponential(problem: loaded, step: step, stopping: stopping.rule).run(from: initial)
        }
        var report = JSONReport(result, solution: result.x, loss: result.loss, relativeResidual: result.relativeResidual, problem: loaded)
        report.add("steps", result.iterations)
        report.add("seconds", seconds)
        report.print()
    }
}
