import ArgumentParser
import ImplicitRegularization

struct ProjectedGradientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xgd",
        abstract: "X_gd: projected gradient descent on X from 0, X ← P_psd(X − η A*(A(X) − y)), η = 1/‖A‖²_op.",
        discussion: "Prints the same fields as gd.")

    @OptionGroup var problem: ProblemArgument
    @OptionGroup var stopping: StoppingOptions

    func run() throws {
        let problem = try problem.load()
        let (result, seconds) = try timed { try ProjectedGradientDescent(problem: problem, stopping: stopping.rule).run() }
        JSONReport(result, problem: problem, seconds: seconds).print()
    }
}
