import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write each notebook with its last run's outputs as a Jupyter notebook (default: Notebooks/*.md).",
        discussion: """
        --ipynb writes OUT/NAME.ipynb (nbformat 4.5): the prose as markdown cells with the computed \
        inline values, each Swift block as a code cell with what it printed, its findings and checks and \
        its tables, each gnuplot block as a code cell tagged gnuplot carrying its figure (SVG and PNG). \
        The run is first brought up to date as `notebook run` would (nothing runs when the cache \
        answers; otherwise the notebook runs and its report goes to --reports, by default the folder of \
        --out, so that an export into another folder never writes into Figures/). A failed check or \
        figure is exported in place, with exit status 1 as `notebook run` gives; a notebook whose \
        blocks failed is not exported (exit status 1). Each file is replaced atomically.
        """)

    @OptionGroup var selection: NotebookSelection

    @Flag(help: "Write Jupyter notebooks (nbformat 4).")
    var ipynb = false

    @Option(help: ArgumentHelp("Where the exported notebooks go.", valueName: "dir"))
    var out = "Figures"

    @Option(help: ArgumentHelp("Where a run that must happen first writes its report, figures and tables (default: --out).", valueName: "dir"))
    var reports: String?

    func validate() throws {
        guard ipynb else { throw ValidationError("choose a format: --ipynb (the only one so far)") }
    }

    func run() throws {
        let (runner, documents) = try selection.runner(reports: reports ?? out)
        RunnerCleanup.shared.installSignalHandlers()
        var failed = false
        for document in NotebookRunner.dependencyOrder(documents) {
            do {
                let export = try runner.exportJupyter(document, to: URL(fileURLWithPath: out, isDirectory: true))
                failed = failed || !export.succeeded
            } catch {
                StandardError.write("notebook: \(Diagnostics.describe(error))\n")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
