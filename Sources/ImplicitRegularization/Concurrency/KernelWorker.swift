import Foundation
import LinearAlgebra

/// The notebook kernel's worker: `int notebook_kernel_worker(const char *plan, int task)`, which a
/// notebook program started as a Slurm task (`PROGRAM --notebook-worker PLAN --task N`) calls before
/// any block runs. It computes task `task` of the plan in the file `plan`, whichever its kind
/// (``WorkerPlanDispatch``: a chunk of an exhaustive search, a unit of Figure 1's sweep), with OpenBLAS
/// on one thread, and returns 0; 2 when it refuses the plan (an unknown kind, another executable digest,
/// version or key), 1 when the computation or a write fails; either with one line on stderr.
@_cdecl("notebook_kernel_worker")
public func notebookKernelWorker(_ plan: UnsafePointer<CChar>, _ task: Int32) -> Int32 {
    BLASThreads.set(1)
    do {
        try WorkerPlanDispatch.compute(
            planFile: URL(fileURLWithPath: String(cString: plan)), task: Int(task), programDigest: try WorkerPlanDispatch.digestOfThisProgram())
        return 0
    } catch let refusal as WorkerPlanRefusal {
        StandardError.write("notebook worker: \(refusal.description)\n")
        return 2
    } catch {
        StandardError.write("notebook worker: \(error)\n")
        return 1
    }
}
