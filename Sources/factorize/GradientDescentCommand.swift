import ArgumentParser
import ImplicitRegularization
import LinearAlgebra

struct GradientDescentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gd",
        abstract: "Gradient descent on U for ½‖A(UUᵀ) − y‖² (equation (2)), from U0 = α·G/‖G‖_F.",
        discussion: """
            Prints {"status", "message", "nuclear_norm", "training_loss", "relative_training_error", "relative_error" (when the file has "planted"), "iterations", "seconds"}. status: solved (relative training error ≤ --tolerance), iteration_limit or diverged (a step too large: reported, not a failure).
            """)

    @OptionGroup var problem: ProblemArgument

    @Option(help: "d, the number of columns of U (1…n).")
    var rank: Int

    @Option(help: "α = ‖U0‖_F.")
    var initNorm: Double?

    @Flag(help: "Start from the top-d eigenpairs of X_gd (the SVD initialisation) instead of a random U0.")
    var svdInit = false

    @Option(help: "A fixed step η.")
    var step: Double?

    @Flag(help: "The exact line search η_ELS.")
    var lineSearch = false

    @Option(help: "The line search's clip (default \(ExactLineSearch.defaultMaxStep)).")
    var maxStep: Double?

    @Option(help: "The seed of U0's Gaussian draw.")
    var seed: UInt64 = 0

    @OptionGroup var stopping: StoppingOptions

    func validate() throws {
        try OptionCheck.positive(rank, "--rank")
        switch (step, lineSearch) {
        case (nil, false): throw ValidationError("give a step policy: --step S or --line-search")
        case (.some, true): throw ValidationError("--step and --line-search exclude each other")
        case let (.some(step), false):
            try OptionCheck.positive(step, "--step")
            if maxStep != nil { throw ValidationError("--max-step goes with --line-search") }
        case (nil, true):
            if let maxStep { try OptionCheck.positive(maxStep, "--max-step") }
        }
        switch (initNorm, svdInit) {
        case (nil, false): throw ValidationError("give --init-norm A (or --svd-init)")
        case (.some, true): throw ValidationError("--init-norm and --svd-init exclude each other")
        case let (.some(alpha), false):
            try OptionCheck.positive(alpha, "--init-norm")
        case (nil, true): break
        }
    }

    func run() throws {
        let problem = try problem.load()
        guard rank <= problem.dimension else {
            throw FactorizeError.invalidOption(option: "--rank", reason: "must be at most n = \(problem.dimension), got \(rank)")
        }
        let policy: StepPolicy = step.map { .fixed($0) } ?? .exactLineSearch(maxStep: maxStep ?? ExactLineSearch.defaultMaxStep)
        let (result, seconds) = try timed {
            let u0: Matrix
            if let initNorm {
                u0 = FactorInitialization.gaussian(dimension: problem.dimension, rank: rank, norm: initNorm, seed: seed)
            } else {
                let xgd = try ProjectedGradientDescent(problem: problem, stopping: stopping.rule).run()
                u0 = try FactorInitialization.spectral(of: xgd.x, rank: rank)
            }
            return FactorizedGradientDescent(problem: problem, stopping: stopping.rule).run(from: u0, policy: policy)
        }
        JSONReport(result, problem: problem, seconds: seconds).print()
    }
}
