import DurableFiles
import Foundation
import NotebookRuntime

/// Runs notebooks: parse, compile and run the Swift blocks (or take the cached
/// results), draw the gnuplot blocks, and write the reports, the figures, the
/// tables and the index into the output folder.
///
/// Caching: a run is keyed by the Swift blocks, the parameters, the library's
/// sources, the notebook's declared inputs and the compiler; a figure by its
/// script, its tables and its size. So a prose edit re-renders only the HTML, a
/// gnuplot edit only that figure, and an unchanged notebook runs nothing. An edit to
/// Swift block k resumes at block k with the values blocks 0…k−1 left in a kept run
/// (``blockKeys(_:parameters:kernel:)``, ``BlockResumption``), or runs from the first block
/// when that cannot be done exactly (the log says why). Failed runs are not cached. Every file is replaced atomically, and a figure whose
/// drawing fails keeps its last good version.
public struct NotebookRunner {
    public struct Options {
        public var outputFolder: URL
        public var cacheFolder: URL
        /// `--param` overrides, by name, as typed.
        public var parameters: [(name: String, value: String)]
        public var force: Bool
        /// Overrides the notebooks' own `timeout`, in seconds.
        public var timeout: Double?
        /// `notebook run --executor`: the executor's kind over the notebooks' `executor:` (``ExecutorDeclaration``).
        public var executor: String? = nil
        /// `notebook run --partition`, `--time`, …: keys over the notebooks' `executor:` (``ExecutorDeclaration``; no kind).
        public var executorKeys: ExecutorDeclaration? = nil

        public init(outputFolder: URL, cacheFolder: URL, parameters: [(name: String, value: String)], force: Bool, timeout: Double?) {
            self.outputFolder = outputFolder
            self.cacheFolder = cacheFolder
            self.parameters = parameters
            self.force = force
            self.timeout = timeout
        }
    }

    /// What happened to one notebook.
    public struct Summary {
        public var path: String
        public var succeeded: Bool
        /// Swift blocks executed in this invocation (0 when the cache answered).
        public var blocksRun: Int
        public var figuresDrawn: Int
        public var report: URL?
    }

    public static let defaultTimeout = 3600.0

    public let toolchain: NotebookToolchain
    public let options: Options
    /// Every notebook of this invocation (stem and title): with those already in the output
    /// folder's index, the order in which reports link to their neighbours.
    public var siblings: [(stem: String, title: String)] = []
    public let log: (String) -> Void
    /// The engines that run the blocks, by language (``BlockEngines``): `swift` and `gnuplot`, and
    /// any registered before ``prepare(_:)`` (whose fences it then reads as blocks, not prose).
    public var engines = BlockEngines.standard
    /// The kernels this invocation has prepared, each once (``PreparedKernels``).
    public let kernels = PreparedKernels()
    var cache: RunCache { RunCache(root: options.cacheFolder) }
    /// The digest a report records of its notebook's kernel (``NotebookKernel/digest``: the kernel's
    /// code by meaning, the runtime, the compiler), to be told later whether it is older than its
    /// kernel; nil when the notebook cannot be read or its kernel cannot be prepared.
    public func kernelDigest(ofNotebookAt path: String) -> String? {
        let file = URL(fileURLWithPath: path)
        guard var document = try? NotebookParser().parse(contentsOf: file, displayPath: path) else { return nil }
        if document.kernel == nil {
            document.kernel = (try? KernelDeclaration.projectFile(above: file.standardizedFileURL.deletingLastPathComponent())) ?? .runtimeOnly
        }
        return (try? kernels.kernel(document.kernel!, toolchain: toolchain, log: { _ in })).map { String($0.digest.prefix(16)) }
    }

    public init(toolchain: NotebookToolchain, options: Options, log: @escaping (String) -> Void) {
        self.toolchain = toolchain
        self.options = options
        self.log = log
    }

    /// Parses every notebook and checks the `--param` overrides against each,
    /// before anything runs: a malformed notebook or an unknown parameter stops here.
    ///
    /// Two notebooks with the same stem (`a/x.md`, `b/x.md`) would write the same report,
    /// tables and cache, and two drawing the same figure name the same files: both are
    /// refused, among the notebooks given and against those already rendered into the
    /// output folder from another file that still exists.
    public func prepare(_ files: [URL]) -> (documents: [NotebookDocument], errors: [NotebookError]) {
        var documents: [NotebookDocument] = []
        var errors: [NotebookError] = []
        var seenFiles: Set<String> = []
        for file in files {
            // The same file given twice is one notebook.
            guard seenFiles.insert(file.standardizedFileURL.resolvingSymlinksInPath().path).inserted else { continue }
            do {
                var document = try NotebookParser(languages: engines.pluggedLanguages).parse(contentsOf: file, displayPath: Self.displayPath(file))
                // The kernel: the front matter's, else the nearest project file's, else the runtime alone.
                let project = try ProjectFile.nearest(above: file.standardizedFileURL.deletingLastPathComponent())
                if document.kernel == nil {
                    document.kernel = project.file?.kernel ?? project.nearestPackage.map(KernelDeclaration.package) ?? .runtimeOnly
                }
                // The executor: the front matter's keys over the project file's (``ExecutorDeclaration``).
                document.projectExecutor = project.file?.executor
                // A product the package lacks, or a package SwiftPM cannot describe, is bad input too.
                let kernel = try kernels.kernel(document.kernel!, toolchain: toolchain, log: log)
                _ = try resolvedParameters(document)
                let badInputs = inputErrors(document, workingDirectory: kernel.workingDirectory)
                guard badInputs.isEmpty else { errors += badInputs; continue }
                documents.append(document)
            } catch let error as NotebookError {
                errors.append(error)
            } catch {
                errors.append(.unreadable(path: file.path, reason: "\(error)"))
            }
        }
        errors += nameClashes(documents)
        return (documents, errors)
    }

    /// Notebooks (given, or rendered before into the output folder) sharing a stem or a figure name.
    func nameClashes(_ documents: [NotebookDocument]) -> [NotebookError] {
        var errors: [NotebookError] = []
        var stems: [String: String] = [:]
        var figures: [String: String] = [:]
        for document in documents {
            if let other = stems[document.stem] {
                errors.append(.duplicateNotebook(stem: document.stem, first: other, second: document.path))
            } else {
                stems[document.stem] = document.path
            }
            for block in document.gnuplotBlocks {
                if let other = figures[block.figure], other != document.path {
                    errors.append(.duplicateFigureAcrossNotebooks(figure: block.figure, first: other, second: document.path))
                } else {
                    figures[block.figure] = document.path
                }
            }
        }
        // Rendered earlier from another file that still exists (a file that moved is not a clash).
        let given = Set(documents.map(\.stem))
        for entry in IndexPage(folder: options.outputFolder).entries() {
            let exists = FileManager.default.fileExists(atPath: entry.path)
            guard exists else { continue }
            if let path = stems[entry.stem], !Self.samePath(path, entry.path) {
                errors.append(.duplicateNotebook(stem: entry.stem, first: entry.path, second: path))
            }
            guard !given.contains(entry.stem) else { continue }
            for figure in entry.figures ?? [] {
                if let path = figures[figure] {
                    errors.append(.duplicateFigureAcrossNotebooks(figure: figure, first: entry.path, second: path))
                }
            }
        }
        return errors
    }

    private static func samePath(_ a: String, _ b: String) -> Bool {
        URL(fileURLWithPath: a).standardizedFileURL.resolvingSymlinksInPath().path
            == URL(fileURLWithPath: b).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The path as messages and `#sourceLocation` show it: relative to the current folder when inside it.
    static func displayPath(_ file: URL) -> String {
        let current = FileManager.default.currentDirectoryPath + "/"
        let path = file.standardizedFileURL.path
        return path.hasPrefix(current) ? String(path.dropFirst(current.count)) : path
    }

    func resolvedParameters(_ document: NotebookDocument) throws -> [(name: String, value: ParameterValue, isDefault: Bool)] {
        var resolved = document.parameters.map { (name: $0.name, value: $0.value, isDefault: true) }
        for (name, text) in options.parameters {
            guard let index = resolved.firstIndex(where: { $0.name == name }) else {
                throw NotebookError.unknownParameter(path: document.path, name: name, declared: resolved.map(\.name))
            }
            let value = ParameterValue(parsing: text)
            if ParameterValue.isNonFiniteNumber(text), case .text = resolved[index].value {} else if ParameterValue.isNonFiniteNumber(text) {
                throw NotebookError.badParameterValue(path: document.path, name: name, value: text, expected: "a finite number")
            }
            guard resolved[index].value.accepts(value) else {
                let expected: String
                switch resolved[index].value {
                case .boolean: expected = "true or false"
                case .integer: expected = "an integer"
                case .real: expected = "a number"
                case .text: expected = "text"
                }
                throw NotebookError.badParameterValue(path: document.path, name: name, value: text, expected: expected)
            }
            resolved[index].value = value
            resolved[index].isDefault = value == document.parameters[index].value
        }
        return resolved
    }

    /// Where `document`'s independent units run (``ExecutorDeclaration/resolve(commandLine:frontMatter:projectFile:environment:)``):
    /// `--executor`, the front matter, `notebook.yml`, `NOTEBOOK_EXECUTOR`, local. Handed to the program in
    /// its manifest, and in no key: a result does not depend on where its units ran.
    public func executor(of document: NotebookDocument) -> RunManifest.Executor {
        ExecutorDeclaration.resolve(
            commandLine: options.executor, commandLineKeys: options.executorKeys, frontMatter: document.executor, projectFile: document.projectExecutor,
            environment: ProcessInfo.processInfo.environment[ExecutorDeclaration.environmentVariable])
    }

    /// What the blocks that ran wrote on standard error, into the log (the report folds it):
    /// nothing a notebook says on its standard error is lost from the terminal.
    func logErrors(_ blocks: [BlockResult], document: NotebookDocument, say: (String) -> Void) {
        for (index, block) in blocks.enumerated() where block.status != .notRun {
            guard let errors = block.errors, !errors.isEmpty else { continue }
            let line = document.swiftBlocks.indices.contains(index) ? " (line \(document.swiftBlocks[index].fenceLine))" : ""
            let cut = block.errorsAreCut
                ? "\n  … cut at \(NotebookReport.bytes(errors.utf8.count)) of \(NotebookReport.bytes(block.errorBytes ?? 0)); "
                    + "the whole is data/\(document.stem)/\(NotebookReport.errorFileName(block: index)) beside the report" : ""
            let text = errors.hasSuffix("\n") ? String(errors.dropLast()) : errors
            say("standard error of Swift block \(index + 1)\(line):\n" + text.textLines.map { "  " + $0 }.joined(separator: "\n") + cut)
        }
    }

    func firstFailure(
        _ document: NotebookDocument, record: ExecutionRecord?, figures: [FigureResult], outputs: [String: [Int: EngineBlockOutput]] = [:]
    ) -> String? {
        if let failed = record?.blocks.first(where: { $0.status == .failed || $0.status == .timedOut }),
           let diagnostic = failed.diagnostic {
            return "\(document.path):\(diagnostic.line ?? 0): \(diagnostic.message)"
        }
        if let failed = figures.first(where: { $0.status == .failed }), let diagnostic = failed.diagnostic {
            return "\(document.path):\(diagnostic.line ?? 0): \(diagnostic.message)"
        }
        if figures.contains(where: { $0.status == .notRun }) { return "a figure was not drawn: its data did not come" }
        for case .block(let block) in document.segments where outputs[block.language]?[block.index]?.failed == true {
            return "\(document.path):\(block.fenceLine): the \(block.language) block failed"
        }
        if let claim = record?.claims?.first(where: { !$0.held }) {
            let count = record!.claims!.filter { !$0.held }.count
            return "\(document.path):\(claim.line): the check \"\(claim.text)\" failed" + (count > 1 ? " (and \(count - 1) more)" : "")
        }
        return nil
    }

    /// The key of a notebook's run: its Swift blocks and inline expressions by meaning
    /// (``SwiftCanonicalForm``: a comment or formatting edit keeps the key), the parameters, the
    /// kernel's digest (its code by meaning, the runtime, the compiler) and the declared inputs.
    func executionKey(_ document: NotebookDocument, parameters: [String: ParameterValue], kernel: NotebookKernel) -> String {
        var hash = ContentHash()
        // v3: standard output and error apart in the record (``BlockResult/errors``).
        hash.add("execution-v3")
        for block in document.swiftBlocks { hash.add("block \(block.index)"); hash.add(swiftSource: Array(block.code.utf8)) }
        for inline in document.inlineExpressions {
            hash.add("inline after \(inline.afterBlock ?? -1)"); hash.add(swiftSource: Array(inline.code.utf8))
        }
        addContext(of: document, parameters: parameters, kernel: kernel, to: &hash)
        return hash.hex
    }

    /// Each Swift block's key: key k is the parameters, kernel and inputs (as in the run's key),
    /// blocks 0…k by meaning and the inline expressions evaluated before block k. A run whose first
    /// k keys match a kept run's resumes at block k with that run's values (``BlockResumption``):
    /// a change to block k, or to an inline expression just before it, re-runs k, k+1, …; a
    /// changed parameter, input or kernel changes every key.
    func blockKeys(_ document: NotebookDocument, parameters: [String: ParameterValue], kernel: NotebookKernel) -> [String] {
        var hash = ContentHash()
        hash.add("blocks-v2")
        addContext(of: document, parameters: parameters, kernel: kernel, to: &hash)
        let inlines = document.inlineExpressions
        var keys: [String] = []
        for block in document.swiftBlocks {
            for inline in inlines where (inline.afterBlock ?? -1) == block.index - 1 {
                hash.add("inline after \(inline.afterBlock ?? -1)"); hash.add(swiftSource: Array(inline.code.utf8))
            }
            hash.add("block \(block.index)"); hash.add(swiftSource: Array(block.code.utf8))
            keys.append(hash.hex)
        }
        return keys
    }

    /// The kernel's digest with the values (or absence) of the environment variables it declares:
    /// what a run's key holds and what the program's own state keys on (``RunManifest/kernel``), so
    /// that neither serves a result computed under another value.
    static func resultDigest(of kernel: NotebookKernel) -> String {
        guard !kernel.declaration.environment.isEmpty else { return kernel.digest }
        var hash = ContentHash()
        hash.add(kernel.digest)
        for name in kernel.declaration.environment {
            hash.add("environment \(name)")
            hash.add(ProcessInfo.processInfo.environment[name].map { "=" + $0 } ?? "unset")
        }
        return String(hash.hex.prefix(16))
    }

    /// The parameters, the kernel's digest and the declared inputs, into a key.
    private func addContext(of document: NotebookDocument, parameters: [String: ParameterValue], kernel: NotebookKernel, to hash: inout ContentHash) {
        for name in parameters.keys.sorted() { hash.add(name); hash.add("\(parameters[name]!)") }
        hash.add(Self.resultDigest(of: kernel))
        for input in document.inputs {
            hash.add(input)
            if input.hasPrefix("$") {
                // An environment variable naming a file or folder: its value and what it names.
                let value = ProcessInfo.processInfo.environment[String(input.dropFirst())] ?? ""
                hash.add(value)
                if !value.isEmpty { hash.add(fileOrFolder: URL(fileURLWithPath: value, relativeTo: kernel.workingDirectory)) }
            } else if let notebook = Self.notebookStem(input) {
                // Another notebook: what this one reads of it is its tables.
                hash.add(fileOrFolder: options.outputFolder.appendingPathComponent("data/\(notebook)", isDirectory: true))
            } else {
                let url = input.hasPrefix("/") ? URL(fileURLWithPath: input) : kernel.workingDirectory.appendingPathComponent(input)
                hash.add(fileOrFolder: url)
            }
        }
    }

    /// The kept run to resume from: the one whose block keys agree with `blockKeys` the longest
    /// (at least the first block), when its snapshot is complete and ``BlockResumption`` accepts
    /// it. Its snapshot (the log's lines through block from−1 and the value files they name,
    /// hard-linked: ``RunCache/linkSnapshot(stem:key:through:into:)``), tables and whole outputs of
    /// the blocks before the resume point are taken into `folder`, so that the new run holds them too.
    func resumption(
        _ document: NotebookDocument, blockKeys: [String], into folder: URL, say: (String) -> Void, fullRun: (String) -> Void
    ) throws -> (plan: BlockResumption, record: ExecutionRecord)? {
        // The candidates, best first: most blocks in common, then the newest. Only the one chosen
        // is checked (its files read whole); one that fails its check is named and passed over.
        var candidates: [(common: Int, key: String, record: ExecutionRecord)] = []
        for (runKey, record) in cache.uncheckedRecords(stem: document.stem) where record.succeeded {
            guard let keys = record.blockKeys, keys.count == record.blocks.count else { continue }
            let common = zip(keys, blockKeys).prefix { $0 == $1 }.count
            if common > 0 { candidates.append((common, runKey, record)) }
        }
        candidates.sort { ($0.common, $0.record.finished) > ($1.common, $1.record.finished) }
        let chosen = candidates.first { candidate in
            guard let reason = cache.rejection(stem: document.stem, key: candidate.key) else { return true }
            say("the kept run \(candidate.key.prefix(12))… is not resumed from: \(reason)")
            return false
        }
        guard let best = chosen else { return nil }
        let from = best.common
        // The snapshot after block from−1: its log's lines and value files, linked into the new run's folder.
        func discardSnapshot() {
            for name in [NotebookState.logName, NotebookState.valuesFolderName] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        }
        guard let snapshot = try cache.linkSnapshot(stem: document.stem, key: best.key, through: from - 1, into: folder) else {
            discardSnapshot()
            fullRun("the earlier run's snapshot after block \(from) is incomplete")
            return nil
        }
        let plan = BlockResumption(from: from, snapshot: snapshot)
        if let reason = plan.refusal(document: document, items: BlockResumption.items(document.swiftBlocks)) {
            discardSnapshot()
            fullRun("\(reason)")
            return nil
        }
        // The whole outputs and tables of the restored blocks, for the new run's record.
        let items = (0..<from).flatMap { [NotebookSession.outputFileName(block: $0), NotebookSession.errorFileName(block: $0)] }
            + best.record.tables.filter { $0.block < from }.map { "tables/\($0.name).tsv" }
        guard try cache.copy(stem: document.stem, key: best.key, items: items, into: folder) else {
            fullRun("the earlier run was removed from the cache meanwhile")
            return nil
        }
        let count = document.swiftBlocks.count
        let restored = from == 1 ? "block 1" : "blocks 1–\(from)"
        let running = from == count ? "no block (only the inline values after it)" : from + 1 == count ? "block \(count)" : "blocks \(from + 1)–\(count)"
        say("restored \(restored) from the run of \(Self.timestamp(best.record.finished)); running \(running)")
        return (plan, best.record)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    /// A resumed run's outcome with the restored blocks' results, tables, checks, findings and inline values
    /// taken from the earlier run.
    static func merge(
        _ outcome: NotebookProgram.Outcome, restoring earlier: ExecutionRecord, before from: Int, document: NotebookDocument
    ) -> NotebookProgram.Outcome {
        var merged = outcome
        for index in 0..<from { merged.blocks[index] = earlier.blocks[index] }
        let emitted = Set(outcome.tables.map(\.name))
        merged.tables = earlier.tables.filter { $0.block < from && !emitted.contains($0.name) } + outcome.tables
        merged.claims = (earlier.claims ?? []).filter { $0.block < from } + outcome.claims
        merged.findings = (earlier.findings ?? []).filter { $0.block < from } + outcome.findings
        let restoredInlines = Set(document.inlineExpressions.filter { ($0.afterBlock ?? -1) < from - 1 }.map(\.id))
        merged.inlines = (earlier.inlines ?? [:]).filter { restoredInlines.contains($0.key) }.merging(outcome.inlines) { $1 }
        return merged
    }

    /// The stem of an input that is a notebook (`Notebooks/figure1.md` → `figure1`), else nil.
    static func notebookStem(_ input: String) -> String? {
        input.hasSuffix(".md") ? String(input.split(separator: "/").last!.dropLast(3)) : nil
    }

    /// The documents in an order that runs each after the notebooks it lists in `inputs`
    /// (otherwise as given).
    public static func dependencyOrder(_ documents: [NotebookDocument]) -> [NotebookDocument] {
        var ordered: [NotebookDocument] = []
        var placed = Set<String>()
        func place(_ document: NotebookDocument, visiting: Set<String>) {
            guard !placed.contains(document.stem), !visiting.contains(document.stem) else { return }
            for stem in document.inputs.compactMap(notebookStem) {
                if let dependency = documents.first(where: { $0.stem == stem }) {
                    place(dependency, visiting: visiting.union([document.stem]))
                }
            }
            placed.insert(document.stem)
            ordered.append(document)
        }
        for document in documents { place(document, visiting: []) }
        return ordered
    }

    /// The commit of the git work tree holding `folder` (the kernel's package), with what differed from it.
    func commit(in folder: URL) -> String {
        guard let git = ChildProcess.find("git") else { return "unknown" }
        let head = try? ChildProcess(executable: git, arguments: ["rev-parse", "--short", "HEAD"], directory: folder, timeout: 10).run()
        guard let head, head.status == 0 else { return "unknown" }
        // What differed from the commit, leaving out the output folder when it is in the project
        // (a run writes it as it goes). A status git cannot give is said, never taken for clean.
        let root = folder.standardizedFileURL.path + "/"
        let output = options.outputFolder.standardizedFileURL.path
        var arguments = ["status", "--porcelain", "--untracked-files=no"]
        if output.hasPrefix(root) { arguments += ["--", ".", ":(exclude)" + String(output.dropFirst(root.count))] }
        let status = try? ChildProcess(executable: git, arguments: arguments, directory: folder, timeout: 10).run()
        guard let status, status.status == 0 else { return head.output.trimmingCharacters(in: .whitespacesAndNewlines) + "+unknown changes" }
        let changed = status.output.textLines.map { $0.dropFirst(3).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let hash = head.output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !changed.isEmpty else { return hash }
        let shown = changed.prefix(8).joined(separator: ", ") + (changed.count > 8 ? " and \(changed.count - 8) more" : "")
        return hash + "+changes (\(shown))"
    }
}
