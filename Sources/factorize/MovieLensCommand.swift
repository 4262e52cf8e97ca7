import ArgumentParser
import DurableFiles
import Foundation
import ImplicitRegularization
import LinearAlgebra

struct MovieLensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movielens",
        abstract: "Figure 3 (iv): MovieLens-100k, fit on ua.base, tested on ua.test.",
        discussion: """
        Prints {"status", "message", "method", "nuclear_norm", "test_error", "training_error", "iterations", "seconds"}. \
        The data is found in --data DIR, else $MOVIELENS_DIR, else data/ml-100k; it is never in the repository \
        (its licence forbids redistribution). Methods: xgd, the zero-filled training matrix (the paper's X_gd); \
        gd, gradient descent on X = UVᵀ (d = 943) until the training error is --tolerance, with progress on stderr. \
        min-nuclear-norm, the minimum nuclear norm completion (factored, by the method of multipliers), bracketed by an \
        upper bound (a feasible point's nuclear norm) and a lower bound (a dual certificate) until their relative gap is \
        --gap, with "lower_bound" and "relative_gap" in the output.
        """)

    enum Method: String, ExpressibleByArgument, CaseIterable {
        case xgd, gd
        case minNuclearNorm = "min-nuclear-norm"
    }

    @Option(help: ArgumentHelp("The folder holding ua.base and ua.test.", valueName: "dir"))
    var data: String?

    @Option(help: "xgd, gd or min-nuclear-norm.")
    var method: Method

    @Option(help: "gd: the step η.")
    var step: Double = 1e-2

    @Option(help: "gd: ‖(U0, V0)‖_F.")
    var initNorm: Double = 1e-3

    @Option(help: "gd: d, the width of U and V (default min(943, 1682)).")
    var rank: Int = MovieLens.users

    @Option(help: "gd: the seed of U0 and V0.")
    var seed: UInt64 = 0

    @Option(help: "gd: c in f = ‖P_Ω(UVᵀ) − y‖²/(2c) (default σ₁(P_Ω(Y))/50).")
    var lossScale: Double?

    @Option(help: "gd: stop at this relative training error.")
    var tolerance: Double = 1e-2

    @Option(help: "gd: stop after this many iterations.")
    var maxIterations: Int = 20_000

    @Option(help: "min-nuclear-norm: stop at this relative gap between the bounds.")
    var gap: Double = 1e-4

    @Option(help: "min-nuclear-norm: stop after this many outer (multiplier) iterations, each of at most --inner-iterations L-BFGS steps.")
    var outerIterations: Int = 100

    @Option(help: "min-nuclear-norm: L-BFGS steps per outer iteration.")
    var innerIterations: Int = 200

    @Option(help: .hidden)
    var memory: Int = 5

    func validate() throws {
        try OptionCheck.positive(step, "--step")
        try OptionCheck.positive(initNorm, "--init-norm")
        guard (1...MovieLens.users).contains(rank) else { throw ValidationError("--rank must be an integer in 1…\(MovieLens.users), got \(rank)") }
        if let lossScale { try OptionCheck.positive(lossScale, "--loss-scale") }
        try OptionCheck.positive(tolerance, "--tolerance")
        try OptionCheck.nonNegative(maxIterations, "--max-iterations")
        try OptionCheck.positive(gap, "--gap")
        try OptionCheck.positive(outerIterations, "--outer-iterations")
        try OptionCheck.positive(innerIterations, "--inner-iterations")
        try OptionCheck.positive(memory, "--memory")
    }

    func run() throws {
        let folder = MovieLens.folder(given: data)
        let movieLens: MovieLens
        do {
            movieLens = try MovieLens.load(from: folder)
        } catch let error as MovieLens.LoadError {
            throw FactorizeError.invalidOption(option: "--data", reason: error.description)
        }
        let fit: MovieLens.Fit
        switch method {
        case .xgd:
            fit = try movieLens.zeroFilledFit()
        case .minNuclearNorm:
            var options = MinimumNuclearNormCompletion.Options()
            options.gapTolerance = gap
            options.maxIterations = outerIterations
            options.innerIterations = innerIterations
            options.memory = memory
            fit = try movieLens.minimumNuclearNormFit(options) { iteration, upper, lower, steps in
                StandardError.write("\rmovielens min-nuclear-norm: iteration \(iteration) (\(steps) L-BFGS steps), \(String(format: "%.2f", lower)) ≤ min ≤ \(String(format: "%.2f", upper))  ")
            }
            StandardError.write("\n")
        case .gd:
            var settings = MovieLens.DescentSettings()
            (settings.step, settings.initialNorm, settings.rank, settings.seed, settings.lossScale) = (step, initNorm, rank, seed, lossScale)
            settings.stopping = StoppingRule(tolerance: tolerance, maxIterations: maxIterations)
            fit = try movieLens.gradientDescentFit(settings) { iteration, error in
                StandardError.write("\rmovielens gd: iteration \(iteration), training error \(String(format: "%.4f", error))  ")
            }
            StandardError.write("\n")
        }
        var report = JSONReport(fit)
        report.add("method", method.rawValue)
        report.add("nuclear_norm", fit.nuclearNorm)
        if let lowerBound = fit.lowerBound, let relativeGap = fit.relativeGap {
            report.add("lower_bound", lowerBound)
            report.add("relative_gap", relativeGap)
        }
        report.add("test_error", fit.testError)
        report.add("training_error", fit.trainingError)
        report.add("iterations", fit.iterations)
        if let innerIterations = fit.innerIterations, let rank = fit.rank {
            report.add("inner_iterations", innerIterations)
            report.add("rank", rank)
        }
        if let lossScale = fit.lossScale { report.add("loss_scale", lossScale) }
        report.add("seconds", fit.seconds)
        report.print()
    }
}
