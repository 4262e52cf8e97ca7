import ArgumentParser
import Foundation
import ImplicitRegularization
import LinearAlgebra

/// `factorize worker PLAN --task N`: one task of a run as a Slurm job array. Reads the plan, whichever
/// its kind (``WorkerPlanDispatch``: an exhaustive search's chunks, Figure 1's sweep units), refuses one
/// made for other code (one line on stderr, exit 2), and computes task `N`'s result into the run's
/// folder, written atomically. Started by the batch
/// script of ``SlurmArray``; hidden from the help.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Compute one task of a worker plan (run by a Slurm job array).",
        shouldDisplay: false)

    @Argument(help: "The plan file (slurm/plan.json in the run's folder).")
    var plan: String

    @Option(help: "The task's index in the plan (SLURM_ARRAY_TASK_ID).")
    var task: Int

    func run() throws {
        BLASThreads.set(1)
        try OptionCheck.nonNegative(task, "--task")
        try WorkerPlanDispatch.compute(
            planFile: URL(fileURLWithPath: plan), task: task, programDigest: try WorkerPlanDispatch.digestOfThisProgram())
    }
}
