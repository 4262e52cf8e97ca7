import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

struct PreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Serve the notebooks' reports on 127.0.0.1, re-rendering them as they change (default: Notebooks/*.md).",
        discussion: """
        Renders each notebook as `notebook run` does (the cache decides what runs), serves --out at \
        http://127.0.0.1:PORT/, and watches the notebooks, their declared inputs and the library's \
        sources: a change re-runs the notebooks it concerns and the open pages reload (server-sent \
        events; the script is added to the pages as served, never to the files). A notebook that \
        cannot be rendered is served as a page of its errors. Ctrl-C stops it and everything it started.
        """)

    @OptionGroup var selection: NotebookSelection

    @Option(help: ArgumentHelp("Where reports, figures and tables go (and are served from).", valueName: "dir"))
    var out = "Figures"

    @Option(help: ArgumentHelp("The port on 127.0.0.1 (0: any free port, said on start).", valueName: "port"))
    var port: Int = Int(NotebookPreview.defaultPort)

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): expected 0 to 65535") }
    }

    func run() throws {
        let (runner, documents) = try selection.runner(reports: out)
        // Ctrl-C, SIGTERM, SIGHUP: kill the programs the runner started, remove its scratch folders.
        RunnerCleanup.shared.installSignalHandlers()
        let files = documents.map { URL(fileURLWithPath: $0.path) }
        let preview = NotebookPreview(
            runner: runner, files: files, port: UInt16(port),
            log: { StandardError.write("notebook: \($0)\n") })
        do {
            try preview.serve()
        } catch {
            StandardError.write("notebook: preview: \(Diagnostics.describe(error))\n")
            throw ExitCode(2)
        }
    }
}
