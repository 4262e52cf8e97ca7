import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean", abstract: "Remove the cache of runs, figures and the notebooks' own state (reports and figures stay).")

    @Option(help: ArgumentHelp("The cache folder.", valueName: "dir"))
    var cache = ".notebook-cache"

    /// Removes the folder only when it is recognisably a notebook cache (the `CACHEDIR.TAG`
    /// that `notebook run` writes); anything else is refused with exit status 2.
    func run() throws {
        do {
            switch try RunCache(root: URL(fileURLWithPath: cache, isDirectory: true)).clear() {
            case .cache:
                print("notebook: removed \(cache)")
            case .link(let target):
                print("notebook: removed the link \(cache) only; the cache it pointed to, \(target), stays "
                    + "(notebook clean --cache \(target) removes it)")
            case .nothing:
                print("notebook: no cache at \(cache): nothing to remove")
            }
        } catch let error as NotebookError {
            StandardError.write("notebook: \(Diagnostics.describe(error))\n")
            throw ExitCode(2)
        }
    }
}
