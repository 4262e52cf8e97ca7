import ArgumentParser
import Foundation

/// `notebook`: runs Markdown notebooks (prose, ```swift and ```gnuplot blocks) into HTML reports and figures.
@main
struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Run Markdown notebooks into HTML reports, figures and tables.",
        discussion: """
        A notebook is a Markdown file: ```swift blocks form one program (they share state, in order, \
        and call the project's library), ```gnuplot blocks draw the tables those blocks emit. \
        Unchanged notebooks are not re-run. Exit status: 0 when every notebook succeeded, 1 when one \
        failed (its report still shows the error in place), 2 for bad arguments or a malformed notebook.
        """,
        subcommands: [RunCommand.self, CleanCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
