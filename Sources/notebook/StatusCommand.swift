import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

/// `notebook status`: which reports are older than their notebook or the library.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the reports in the output folder and whether each is older than its notebook or the library.",
        discussion: """
        Compares what each report was rendered from (its notebook's digest, the library's digest) with \
        the notebook and the library now; writes nothing (`notebook run` marks stale reports in the \
        index and at their top). Exit status: 0 when every report is current, 1 when one is stale.
        """)

    @Option(help: ArgumentHelp("The folder of reports.", valueName: "dir"))
    var out = "Figures"

    func run() throws {
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        let runner: NotebookRunner
        do {
            let toolchain = try NotebookToolchain.locate()
            runner = NotebookRunner(
                toolchain: toolchain,
                options: .init(outputFolder: folder, cacheFolder: folder, parameters: [], force: false, timeout: nil),
                log: { _ in })
        } catch {
            StandardError.write("notebook: \(Diagnostics.describe(error))\n")
            throw ExitCode(2)
        }
        let reports = ReportProvenance.reports(in: folder, kernelDigest: runner.kernelDigest(ofNotebookAt:))
        guard !reports.isEmpty else {
            print("notebook: no reports in \(out) (run `notebook run --out \(out)` first)")
            return
        }
        for report in reports {
            let verdict = report.reasons.isEmpty ? "current" : "STALE: " + report.reasons.joined(separator: "; ")
            print("\(out)/\(report.stem).html  \(report.path)  \(verdict)")
        }
        if reports.contains(where: { !$0.reasons.isEmpty }) { throw ExitCode(1) }
    }
}
