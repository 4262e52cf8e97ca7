import ArgumentParser
import Foundation
import NotebookEngine

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run notebooks and write their reports (default: Notebooks/*.md).")

    @Argument(help: "Notebook files (default: every Notebooks/*.md).")
    var files: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a parameter the front matter declares.", valueName: "key=value"))
    var parameters: [String] = []

    @Flag(help: "Re-run everything, ignoring the cache.")
    var force = false

    @Option(help: ArgumentHelp("Where reports, figures and tables go.", valueName: "dir"))
    var out = "Figures"

    @Option(help: ArgumentHelp("Where runs are cached.", valueName: "dir"))
    var cache = ".notebook-cache"

    @Option(help: ArgumentHelp("Time limit of each notebook's program, in seconds (default: the notebook's own, else 3600).", valueName: "seconds"))
    var timeout: Double?

    func run() throws {
        let overrides = try parameters.map { text -> (name: String, value: String) in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--param '\(text)': expected KEY=VALUE")
            }
            return (parts[0], parts[1])
        }
        let urls = try notebookFiles()
        let toolchain: NotebookToolchain
        do {
            toolchain = try NotebookToolchain.locate()
        } catch {
            FileHandle.standardError.write(Data("notebook: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let runner = NotebookRunner(
            toolchain: toolchain,
            options: .init(
                outputFolder: URL(fileURLWithPath: out, isDirectory: true),
                cacheFolder: URL(fileURLWithPath: cache, isDirectory: true),
                parameters: overrides, force: force, timeout: timeout),
            log: { FileHandle.standardError.write(Data("notebook: \($0)\n".utf8)) })
        let (documents, errors) = runner.prepare(urls)
        for error in errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
        if errors.contains(where: { if case .unknownParameter = $0 { return true }; if case .badParameterValue = $0 { return true }; return false }) {
            throw ExitCode(2)
        }
        var failed = !errors.isEmpty
        for document in NotebookRunner.dependencyOrder(documents) {
            do {
                let summary = try runner.run(document)
                failed = failed || !summary.succeeded
            } catch {
                FileHandle.standardError.write(Data("notebook: \(document.path): \(error)\n".utf8))
                failed = true
            }
        }
        if !errors.isEmpty { throw ExitCode(2) }
        if failed { throw ExitCode(1) }
    }

    private func notebookFiles() throws -> [URL] {
        if !files.isEmpty {
            for file in files where !FileManager.default.fileExists(atPath: file) {
                throw ValidationError("no such notebook: \(file)")
            }
            return files.map { URL(fileURLWithPath: $0) }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "Notebooks")) ?? []
        let notebooks = names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
        guard !notebooks.isEmpty else { throw ValidationError("no notebooks given and none in ./Notebooks") }
        return notebooks.map { URL(fileURLWithPath: "Notebooks/\($0)") }
    }
}
