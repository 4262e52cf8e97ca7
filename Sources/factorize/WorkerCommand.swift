import ArgumentParser
import Foundation
import ImplicitRegularization
import LinearAlgebra

/// `factorize worker PLAN --task N`: one task of a search run as a Slurm job array. Reads the plan
/// (``ExhaustiveSearch/WorkerPlan``), refuses one made for other code (one line on stderr, exit 2),
/// and computes chunk `N` of the plan into the run's folder, written atomically. Started by the batch
/// script of ``SlurmArray``; hidden from the help.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Compute one task of a search's worker plan (run by a Slurm job array).",
        shouldDisplay: false)

    @Argument(help: "The plan file (slurm/plan.json in the run's folder).")
    var plan: String

    @Option(help: "The task's index in the plan (SLURM_ARRAY_TASK_ID).")
    var task: Int

    func run() throws {
        BLASThreads.set(1)
        try OptionCheck.nonNegative(task, "--task")
        let plan = try ExhaustiveSearch.WorkerPlan.load(
            URL(fileURLWithPath: plan), programDigest: try ExhaustiveSearch.WorkerPlan.digestOfThisProgram())
        try plan.compute(task: task)
    }
}
