import ArgumentParser
import Foundation
import NotebookEngine

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean", abstract: "Remove the cache of runs and figures (reports and figures stay).")

    @Option(help: ArgumentHelp("The cache folder.", valueName: "dir"))
    var cache = ".notebook-cache"

    func run() throws {
        try RunCache(root: URL(fileURLWithPath: cache, isDirectory: true)).clear()
        print("notebook: removed \(cache)")
    }
}
