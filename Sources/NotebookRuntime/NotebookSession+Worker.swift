#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

extension NotebookSession {
    /// Where the notebook's independent units run, as `notebook run --executor` (or the environment
    /// variable `NOTEBOOK_EXECUTOR`) says: `local` (threads of this program, the default) or `slurm`
    /// (the tasks of a Slurm job array whose workers are this program, ``workerCommand``).
    public static var executor: String {
        let value = ProcessInfo.processInfo.environment[executorVariable] ?? "local"
        return value.isEmpty ? "local" : value
    }

    /// The environment variable that carries ``executor`` from the runner to the program.
    public static let executorVariable = "NOTEBOOK_EXECUTOR"

    /// The option that starts this program as a worker instead of a notebook.
    public static let workerOption = "--notebook-worker"

    /// This program as a worker: `PROGRAM --notebook-worker`, to which a job array's batch script
    /// appends the plan and the task (`PLAN --task N`).
    public static var workerCommand: [String] {
        [URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, workerOption]
    }

    /// Called first by every generated program. When it was started as
    /// `PROGRAM --notebook-worker PLAN --task N`, it computes that task through the kernel's C function
    /// `int notebook_kernel_worker(const char *plan, int task)` (looked up by name, as the provenance is;
    /// this project's computes one chunk of the exhaustive search) and exits with its status, before any
    /// block or inline expression runs: 2, with one line on stderr, when the kernel has no worker or the
    /// arguments are not a plan and a task. Otherwise it returns at once.
    public static func runWorkerIfAsked() {
        let arguments = CommandLine.arguments
        guard let position = arguments.firstIndex(of: workerOption) else { return }
        let rest = Array(arguments[(position + 1)...])
        guard rest.count == 3, rest[1] == "--task", let task = Int32(rest[2]), task >= 0 else {
            fputs("notebook worker: expected \(workerOption) PLAN --task N, got \(rest.joined(separator: " "))\n", stderr)
            exit(2)
        }
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "notebook_kernel_worker") else {
            fputs("notebook worker: this notebook's kernel has no worker (no notebook_kernel_worker function)\n", stderr)
            exit(2)
        }
        typealias Worker = @convention(c) (UnsafePointer<CChar>, Int32) -> Int32
        let worker = unsafeBitCast(symbol, to: Worker.self)
        let status = rest[0].withCString { worker($0, task) }
        fflush(stdout)
        exit(status)
    }
}
