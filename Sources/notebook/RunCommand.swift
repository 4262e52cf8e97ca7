import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run notebooks and write their reports (default: Notebooks/*.md).")

    /// The files, `--param`, `--cache` and `--timeout`.
    @OptionGroup var selection: NotebookSelection

    @Flag(help: "Re-run everything, ignoring the cache.")
    var force = false

    @Option(help: ArgumentHelp("Where reports, figures and tables go.", valueName: "dir"))
    var out = "Figures"

    @Option(help: ArgumentHelp(
        "Where the notebooks' independent units run: local (threads of each notebook's program) or slurm (a Slurm job array whose tasks are the notebook's own program; docs/slurm.md). Default: the notebook's executor:, else notebook.yml's, else $NOTEBOOK_EXECUTOR, else local.",
        valueName: "local|slurm"))
    var executor: String?

    @Option(help: ArgumentHelp("sbatch --partition for the Slurm executor (over executor.partition).", valueName: "name"))
    var partition: String?

    @Option(help: ArgumentHelp("sbatch --account for the Slurm executor (over executor.account).", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("sbatch --time, a task's wall time: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS (over executor.time).", valueName: "time"))
    var time: String?

    @Option(name: .customLong("cpus-per-task"), help: ArgumentHelp("sbatch --cpus-per-task, at least 1 (over executor.cpus-per-task).", valueName: "n"))
    var cpusPerTask: String?

    @Option(name: .customLong("array-max"), help: ArgumentHelp("At most this many tasks at once, --array=…%N, at least 1 (over executor.array-max).", valueName: "n"))
    var arrayMax: String?

    @Option(name: .customLong("sbatch"), parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "One more sbatch option, e.g. --sbatch --qos=short (repeatable; together they replace executor.sbatch).", valueName: "option"))
    var sbatchOptions: [String] = []

    /// The executor's keys given on the command line, in ``ExecutorDeclaration/keys`` order, with their values.
    var executorFlags: [(name: String, values: [String])] {
        [("partition", partition.map { [$0] }), ("account", account.map { [$0] }), ("time", time.map { [$0] }),
         ("cpus-per-task", cpusPerTask.map { [$0] }), ("array-max", arrayMax.map { [$0] }),
         ("sbatch", sbatchOptions.isEmpty ? nil : sbatchOptions)]
            .compactMap { name, values in values.map { (name, $0) } }
    }

    /// The flags as an executor declaration, each validated as its key in `executor:` is
    /// (``ExecutorDeclaration/set(_:_:)``); nil when none is given.
    func executorKeys() throws -> ExecutorDeclaration? {
        let flags = executorFlags
        guard !flags.isEmpty else { return nil }
        var keys = ExecutorDeclaration()
        for (name, values) in flags {
            if let reason = keys.set(name, values) { throw ValidationError("--\(name)\(reason)") }
        }
        return keys
    }

    func validate() throws {
        if let executor, !["local", "slurm"].contains(executor) {
            throw ValidationError("--executor must be local or slurm, got \(executor)")
        }
        if executor == "local", let first = executorFlags.first {
            throw ValidationError("--\(first.name) needs --executor slurm or executor: slurm")
        }
        _ = try executorKeys()
    }

    func run() throws {
        // Bad input of any kind (a malformed notebook, an unknown parameter, two notebooks of one
        // name, a folder that is not a cache) stops everything before anything runs: exit 2.
        // The executor reaches each program in its run manifest (NotebookSession.executorSettings).
        let (runner, documents) = try selection.runner(
            reports: out, force: force, executor: executor, executorKeys: try executorKeys(), executorFlag: executorFlags.first?.name)
        // Ctrl-C, SIGTERM, SIGHUP: kill the programs this run started, remove its scratch folders.
        RunnerCleanup.shared.installSignalHandlers()
        var failed = false
        for document in NotebookRunner.dependencyOrder(documents) {
            do {
                let summary = try runner.run(document)
                failed = failed || !summary.succeeded
            } catch {
                StandardError.write("notebook: \(document.path): \(Diagnostics.describe(error))\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
