import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

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
        subcommands: [RunCommand.self, ExportCommand.self, PreviewCommand.self, StatusCommand.self, VerifyCommand.self, CleanCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// As ArgumentParser's, but a usage error exits 2 (not 64) with one line on standard
    /// error, like every other kind of bad input.
    static func main() {
        // A closed standard descriptor would be taken by the next file opened (a report, a cache
        // record) and receive what was meant for the terminal: hold each closed one on /dev/null.
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(descriptor, F_GETFD) < 0 {
            let null = open("/dev/null", O_RDWR)
            if null >= 0 && null != descriptor { dup2(null, descriptor); close(null) }
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode || error is CleanExit {
                exit(withError: error)
            }
            if code == .validationFailure {
                let message = message(for: error).textLines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? "bad arguments"
                let stripped = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
                StandardError.write("notebook: \(stripped) (see notebook --help)\n")
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

private extension String {
    var textLines: [String] { split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init) }
}
