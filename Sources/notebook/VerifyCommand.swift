import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

/// `notebook verify`: did a render reproduce a reference render?
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Compare a render's tables and verdicts with a reference render's, column by column.",
        discussion: """
        Both folders are report folders as `notebook run --out` writes them (tables in data/NAME/*.tsv). \
        Each numeric column must be identical or within the tolerance its notebook declares in its front \
        matter (verify:), relative to the column's scale; text identical; every finding's and check's \
        verdict the same. Prints a summary and writes verify.html into the new render's folder. \
        `make verify` re-renders and runs this against the committed references. \
        Exit status: 0 reproduced, 1 not reproduced, 2 bad input.
        """)

    @Argument(help: "Notebook files whose tables to compare (default: every Notebooks/*.md).")
    var files: [String] = []

    @Option(help: ArgumentHelp("The reference render's folder.", valueName: "dir"))
    var reference: String

    @Option(help: ArgumentHelp("The new render's folder.", valueName: "dir"))
    var candidate = "Figures"

    func run() throws {
        for folder in [reference, candidate] {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                StandardError.write("notebook verify: no such folder: \(folder)\n")
                throw ExitCode(2)
            }
        }
        let urls = try NotebookSelection.notebookFiles(files)
        var documents: [NotebookDocument] = []
        var failed = false
        for url in urls {
            do {
                documents.append(try NotebookParser().parse(contentsOf: url, displayPath: url.relativePath))
            } catch {
                StandardError.write("\(error)\n")
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
        let verification = RenderVerification(
            documents: documents, reference: URL(fileURLWithPath: reference, isDirectory: true),
            candidate: URL(fileURLWithPath: candidate, isDirectory: true))
        let page = URL(fileURLWithPath: candidate, isDirectory: true).appendingPathComponent("verify.html")
        do {
            try Data(verification.html.utf8).write(to: page, options: .atomic)
        } catch {
            StandardError.write("notebook verify: cannot write \(page.path): \(error.localizedDescription)\n")
            throw ExitCode(1)
        }
        print(verification.summary)
        print("notebook verify: \(page.path)")
        if !verification.reproduced { throw ExitCode(1) }
    }
}
