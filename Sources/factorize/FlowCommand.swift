import ArgumentParser
import ImplicitRegularization
import LinearAlgebra

/// The start of a flow: the file's `"flow"` U0, or `--init-norm`/`--seed`.
struct FlowStartOptions: ParsableArguments {
    @Option(help: "‖U0‖_F of a Gaussian start (d = n); default: the file's \"flow\".U0.")
    var initNorm: Double?

    @Option(help: "The seed of the Gaussian start.")
    var seed: UInt64 = 1

    func validate() throws {
        if let initNorm { try OptionCheck.positive(initNorm, "--init-norm") }
    }

    func start(for problem: MeasurementProblem, file: String) throws -> Matrix {
        if let initNorm {
            return FactorInitialization.gaussian(dimension: problem.dimension, rank: problem.dimension, norm: initNorm, seed: seed)
        }
        guard let flow = problem.flow else {
            throw ValidationError("\(file) has no \"flow\".U0: give --init-norm A (and --seed K)")
        }
        return flow.initialFactor
    }
}

struct FlowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "The gradient flow dU/dt = −2 A*(A(UUᵀ) − y) U (Dormand–Prince 5(4) or RODAS4, rtol 1e-10).",
        discussion: """
        Runs to --time T (default: the file's "flow".T), or, with neither, until ‖A(X) − y‖/‖y‖ ≤ --tolerance \
        (and, with --stationarity S, t‖Ẋ‖/‖X‖ ≤ S: X within about S, relatively, of its limit). \
        --integrator: dormand-prince (explicit; its steps stall where the flow turns stiff), stiff (RODAS4 with the analytic Jacobian; its step matrix by Woodbury when m ≤ n·d/2, else a dense LU of order n·d) \
        or automatic (the default: Dormand–Prince until it turns stiff, RODAS4 after). \
        Prints {"status", "message", "nuclear_norm", "training_loss", "relative_training_error", "X" (row-major), "time", "steps", "rejected_steps", "evaluations", "jacobians", "stationarity" (t‖Ẋ‖/‖X‖ where it stopped), "remaining_bound" (with --decade-certificate: its bound on ‖X(∞) − X‖/‖X‖, null where its model was not met), "seconds"}. \
        status: solved (reached T, or the tolerance without a horizon), time_limit, step_limit, inaccurate (steps forced at the resolution of t) or diverged.
        """)

    @OptionGroup var problem: ProblemArgument
    @OptionGroup var start: FlowStartOptions

    @Option(help: "The horizon T.")
    var time: Double?

    @Option(help: "Without a horizon: stop when the relative residual is at most this.")
    var tolerance: Double = 1e-8

    @Option(help: "The integrator's relative tolerance.")
    var rtol: Double = 1e-10

    @Option(help: "automatic (Dormand–Prince until it turns stiff, then RODAS4), dormand-prince or stiff (RODAS4 throughout).")
    var integrator: String = FlowIntegrator.automatic.rawValue

    @Option(help: "Without a horizon: also require t‖Ẋ‖/‖X‖ ≤ this (default: no such test).")
    var stationarity: Double?

    @Flag(help: "With --stationarity S: also accept the decade certificate (X's displacement over the last two decades of t, a power law t^-p fitted, p ≥ 0.3, its remainder ≤ S), Figure 4's criterion for flows that approach their limit slowly; the speed test then counts only with the residual at round-off.")
    var decadeCertificate = false

    @Option(help: "Without a horizon: the time limit (time_limit when reached first).")
    var maxTime: Double = GradientFlow.Options().maxTime

    func validate() throws {
        if let time { try OptionCheck.positive(time, "--time") }
        try OptionCheck.positive(tolerance, "--tolerance")
        guard rtol.isFinite, rtol > 0, rtol < 1 else { throw ValidationError("--rtol must be a number in (0, 1), got \(rtol)") }
        guard FlowIntegrator(rawValue: integrator) != nil else {
            throw ValidationError("--integrator must be one of \(FlowIntegrator.allCases.map(\.rawValue).joined(separator: ", ")), got \(integrator)")
        }
        if let stationarity { try OptionCheck.positive(stationarity, "--stationarity") }
        if decadeCertificate, stationarity == nil { throw ValidationError("--decade-certificate needs --stationarity S (the bound it certifies)") }
        try OptionCheck.positive(maxTime, "--max-time")
    }

    func run() throws {
        let loaded = try problem.load()
        let initial = try start.start(for: loaded, file: problem.file)
        let horizon = time ?? (start.initNorm == nil ? loaded.flow?.horizon : nil)
        var options = GradientFlow.Options()
        options.integrator = FlowIntegrator(rawValue: integrator)!  // checked in validate()
        options.stationarityTolerance = stationarity ?? .infinity
        options.maxTime = maxTime
        options.residualTolerance = tolerance
        options.relativeTolerance = rtol
        options.decadeCertificate = decadeCertificate
        let (result, seconds) = timed { GradientFlow(problem: loaded, options: options).run(from: initial, horizon: horizon) }
        var report = JSONReport(result, solution: result.x, loss: result.loss, relativeResidual: result.relativeResidual, problem: loaded)
        report.add("time", result.time)
        report.add("steps", result.steps)
        report.add("rejected_steps", result.rejectedSteps)
        report.add("evaluations", result.evaluations)
        report.add("jacobians", result.jacobians)
        report.add("stationarity", result.stationarity)
        if decadeCertificate { report.add("remaining_bound", result.remainingBound) }
        report.add("seconds", seconds)
        report.print()
    }
}
