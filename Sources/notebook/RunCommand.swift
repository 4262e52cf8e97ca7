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

    func validate() throws {
        if let timeout, !NotebookParser.acceptsTimeout(timeout) {
            throw ValidationError(
                "--timeout \(timeout): expected a number of seconds, more than 0 and at most \(Int(NotebookParser.longestTimeout))")
        }
        for text in parameters {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw ValidationError("--param '\(text)': expected KEY=VALUE")
            }
        }
    }

    func run() throws {
        let overrides = parameters.map { text -> (name: String, value: String) in
            let equals = text.firstIndex(of: "=")!
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        let urls = try notebookFiles()
        let toolchain: NotebookToolchain
        do {
            toolchain = try NotebookToolchain.locate()
        } catch {
            FileHandle.standardError.write(Data("notebook: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let cacheFolder = RunCache(root: URL(fileURLWithPath: cache, isDirectory: true))
        var runner = NotebookRunner(
            toolchain: toolchain,
            options: .init(
                outputFolder: URL(fileURLWithPath: out, isDirectory: true),
                cacheFolder: cacheFolder.root,
                parameters: overrides, force: force, timeout: timeout),
            log: { FileHandle.standardError.write(Data("notebook: \($0)\n".utf8)) })
        // Bad input of any kind (a malformed notebook, an unknown parameter, two notebooks of one
        // name, a folder that is not a cache) stops everything before anything runs: exit 2.
        let (documents, errors) = runner.prepare(urls)
        for error in errors { FileHandle.standardError.write(Data("\(error)\n".utf8)) }
        if !errors.isEmpty { throw ExitCode(2) }
        runner.siblings = documents.map { ($0.stem, $0.title) }
        do {
            try cacheFolder.prepare()
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(2)
        }
        // Ctrl-C, SIGTERM, SIGHUP: kill the programs this run started, remove its scratch folders.
        RunnerCleanup.shared.installSignalHandlers()
        var failed = false
        for document in NotebookRunner.dependencyOrder(documents) {
            do {
                let summary = try runner.run(document)
                failed = failed || !summary.succeeded
            } catch {
                FileHandle.standardError.write(Data("notebook: \(document.path): \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func notebookFiles() throws -> [URL] {
        if !files.isEmpty {
            for file in files {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: file, isDirectory: &isFolder) else {
                    throw ValidationError("no such notebook: \(file)")
                }
                if isFolder.boolValue { throw ValidationError("\(file) is a folder, not a notebook") }
            }
            return files.map { URL(fileURLWithPath: $0) }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "Notebooks")) ?? []
        let notebooks = names.filter { $0.hasSuffix(".md") && $0 != "README.md" && $0 != "index.md" }.sorted()
        guard !notebooks.isEmpty else { throw ValidationError("no notebooks given and none in ./Notebooks") }
        return notebooks.map { URL(fileURLWithPath: "Notebooks/\($0)") }
    }
}
