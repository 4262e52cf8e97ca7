import Foundation
import LinearAlgebra

/// The notebook kernel's worker: `int notebook_kernel_worker(const char *plan, int task)`, which a
/// notebook program started as a Slurm task (`PROGRAM --notebook-worker PLAN --task N`) calls before
/// any block runs. It computes task `task` of the ``ExhaustiveSearch/WorkerPlan`` in the file `plan`
/// (OpenBLAS on one thread) and returns 0; 2 when it refuses the plan (another executable digest, search
/// version or chunk key), 1 when the computation or a write fails; either with one line on stderr.
@_cdecl("notebook_kernel_worker")
public func notebookKernelWorker(_ plan: UnsafePointer<CChar>, _ task: Int32) -> Int32 {
    BLASThreads.set(1)
    do {
        let plan = try ExhaustiveSearch.WorkerPlan.load(
            URL(fileURLWithPath: String(cString: plan)), programDigest: try ExhaustiveSearch.WorkerPlan.digestOfThisProgram())
        try plan.compute(task: Int(task))
        return 0
    } catch let refusal as ExhaustiveSearch.WorkerPlan.Refusal {
        StandardError.write("notebook worker: \(refusal.description)\n")
        return 2
    } catch {
        StandardError.write("notebook worker: \(error)\n")
        return 1
    }
}
