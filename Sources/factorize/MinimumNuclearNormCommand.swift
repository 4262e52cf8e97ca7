import ArgumentParser
import ImplicitRegularization

struct MinimumNuclearNormCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "min-nuclear-norm",
        abstract: "The minimum nuclear norm: min tr(X) s.t. A(X) = y, X ⪰ 0 (an SDP, interior-point).",
        discussion: """
            Prints {"status", "message", "feasible", "nuclear_norm", "lower_bound", "duality_gap", "residual", "iterations", "seconds"}. status: solved (certified |duality_gap| and residual ≤ 1e-8), inaccurate or iteration_limit (the best certified point, short of that), infeasible. The lower bound is certified by a dual-feasible point; with c = rms(y)/max_i ‖A_i‖_F (rms(y) = ‖y‖/√m), duality_gap = (nuclear_norm − lower_bound)/max(c, nuclear_norm) and residual = ‖A(X) − y‖/‖y‖, so that a problem scaled by any s > 0 gets the same status and an answer scaled by s.
            When no PSD X satisfies A(X) = y, prints {"status": "infeasible", "feasible": false, "certificate": {...}} with a Farkas certificate w (yᵀw = −1, λ_min(A*(w)) ≥ −1e-8/c, checked with its own round-off, "round_off"; "nuclear_norm_bound": no feasible X has a smaller nuclear norm, null when none exists at all) and exits 0.
            """)

    @OptionGroup var problem: ProblemArgument

    @Flag(help: "Also print the solution X, row-major.")
    var printSolution = false

    func run() throws {
        let problem = try problem.load()
        if let reason = ProblemSize.minimumNuclearNormRefusal(dimension: Double(problem.dimension), measurements: Double(problem.count)) {
            throw FactorizeError.invalidOption(option: self.problem.file, reason: "too large for min-nuclear-norm: \(reason)")
        }
        let (outcome, seconds) = try timed {
            do {
                return try MinimumNuclearNorm(problem: problem).solve()
            } catch {
                throw FactorizeError.solverFailed(solver: "min-nuclear-norm", reason: "\(error)")
            }
        }
        var report = JSONReport(outcome)
        switch outcome {
        case let .solution(solution):
            report.add("feasible", true)
            report.add("nuclear_norm", solution.nuclearNorm)
            report.add("lower_bound", solution.lowerBound)
            report.add("duality_gap", solution.dualityGap)
            report.add("residual", solution.residual)
            report.add("iterations", solution.iterations)
            report.add("seconds", seconds)
            if printSolution { report.add("X", numbers: solution.x.rowMajorElements) }
        case let .infeasible(certificate):
            report.add("feasible", false)
            var object = JSONReport()
            object.add("w", numbers: certificate.w)
            object.add("smallest_eigenvalue", certificate.smallestEigenvalue)
            object.add("round_off", certificate.roundOff)
            object.add("nuclear_norm_bound", certificate.nuclearNormBound)
            report.add("certificate", object: object)
            report.add("iterations", certificate.iterations)
            report.add("seconds", seconds)
        }
        report.print()
    }
}
