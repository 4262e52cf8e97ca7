import ArgumentParser
import DurableFiles
import Foundation
import NotebookEngine

/// The notebooks a command works on and how they run: the files (default: every
/// `Notebooks/*.md`), `--param`, `--cache` and `--timeout`, as `notebook run` takes them.
struct NotebookSelection: ParsableArguments {
    @Argument(help: "Notebook files (default: every Notebooks/*.md).")
    var files: [String] = []

    @Option(name: .customLong("param"), help: ArgumentHelp("Set a parameter the front matter declares.", valueName: "key=value"))
    var parameters: [String] = []

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

    /// A runner writing its reports into `reports`, and the parsed notebooks; bad input of any
    /// kind (a malformed notebook, an unknown parameter, a folder that is not a cache) is one line
    /// each on standard error and exit status 2, before anything runs.
    /// `executor`: `notebook run --executor`, over the notebooks' own `executor:`; `executorKeys`: its
    /// `--partition`, `--time`, … over the notebooks' keys. Those keys with a notebook whose executor resolves
    /// to local are refused (`executorFlag`, the first flag given, named), exit 2.
    func runner(
        reports: String, force: Bool = false, executor: String? = nil, executorKeys: ExecutorDeclaration? = nil, executorFlag: String? = nil
    ) throws -> (runner: NotebookRunner, documents: [NotebookDocument]) {
        let overrides = parameters.map { text -> (name: String, value: String) in
            let equals = text.firstIndex(of: "=")!
            return (String(text[..<equals]), String(text[text.index(after: equals)...]))
        }
        let urls = try notebookFiles()
        if let kind = ProcessInfo.processInfo.environment[ExecutorDeclaration.environmentVariable], !kind.isEmpty,
           !ExecutorDeclaration.kinds.contains(kind) {
            StandardError.write("notebook: \(ExecutorDeclaration.environmentVariable)=\(kind): unknown executor (known: \(ExecutorDeclaration.kinds.joined(separator: ", ")))\n")
            throw ExitCode(2)
        }
        let toolchain: NotebookToolchain
        do {
            toolchain = try NotebookToolchain.locate()
        } catch {
            StandardError.write("notebook: \(Diagnostics.describe(error))\n")
            throw ExitCode(2)
        }
        let cacheFolder = RunCache(root: URL(fileURLWithPath: cache, isDirectory: true))
        var options = NotebookRunner.Options(
            outputFolder: URL(fileURLWithPath: reports, isDirectory: true), cacheFolder: cacheFolder.root,
            parameters: overrides, force: force, timeout: timeout)
        options.executor = executor
        options.executorKeys = executorKeys
        var runner = NotebookRunner(toolchain: toolchain, options: options, log: { StandardError.write("notebook: \($0)\n") })
        let (documents, errors) = runner.prepare(urls)
        for error in errors { StandardError.write("\(error)\n") }
        if !errors.isEmpty { throw ExitCode(2) }
        if let flag = executorFlag, let local = documents.first(where: { runner.executor(of: $0).kind == "local" }) {
            StandardError.write("notebook: \(local.path): --\(flag) needs --executor slurm or executor: slurm (this notebook's executor is local)\n")
            throw ExitCode(2)
        }
        runner.siblings = documents.map { ($0.stem, $0.title) }
        do {
            try cacheFolder.prepare()
        } catch let error as NotebookError {
            StandardError.write("\(error)\n")
            throw ExitCode(2)
        } catch {
            StandardError.write("notebook: the cache \(cache): \(Diagnostics.describe(error))\n")
            throw ExitCode(2)
        }
        return (runner, documents)
    }

    func notebookFiles() throws -> [URL] {
        try Self.notebookFiles(files)
    }

    /// `files`, each checked to be a file, or every `Notebooks/*.md` (but README and index) when none.
    static func notebookFiles(_ files: [String]) throws -> [URL] {
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
