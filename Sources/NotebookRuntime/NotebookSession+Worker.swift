#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

extension NotebookSession {
    /// Where the notebook's independent units run: `local` (threads of this program, the default) or
    /// `slurm` (the tasks of a Slurm job array whose workers are this program, ``workerCommand``);
    /// the kind of ``executorConfiguration``.
    public static var executor: String { executorConfiguration.kind }

    /// The executor the runner resolved (`notebook run --executor`, then the front matter's
    /// `executor:`, then `notebook.yml`'s, then `NOTEBOOK_EXECUTOR`, else local), from the run's
    /// manifest; outside the runner, `NOTEBOOK_EXECUTOR`'s kind alone.
    public static var executorConfiguration: RunManifest.Executor {
        if let resolved = RunManifest.current?.executor { return resolved }
        let value = ProcessInfo.processInfo.environment[executorVariable] ?? ""
        return RunManifest.Executor(kind: value.isEmpty ? "local" : value)
    }

    /// ``executorConfiguration`` with this program as its ``workerCommand``, as JSON: what the kernel's
    /// library turns into its executor in one call (this project's
    /// `WorkExecutor(notebookSettings: NotebookSession.executorSettings)`).
    public static var executorSettings: String {
        var settings = executorConfiguration
        settings.worker = workerCommand
        return settings.json
    }

    /// The environment variable that names the executor's kind when neither `--executor` nor an
    /// `executor:` does.
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
