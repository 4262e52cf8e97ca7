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

    func validate() throws {
        if let executor, !["local", "slurm"].contains(executor) {
            throw ValidationError("--executor must be local or slurm, got \(executor)")
        }
    }

    func run() throws {
        // Bad input of any kind (a malformed notebook, an unknown parameter, two notebooks of one
        // name, a folder that is not a cache) stops everything before anything runs: exit 2.
        // The executor reaches each program in its run manifest (NotebookSession.executorSettings).
        let (runner, documents) = try selection.runner(reports: out, force: force, executor: executor)
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
