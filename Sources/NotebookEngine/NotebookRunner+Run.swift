import DurableFiles
import Foundation
import NotebookRuntime

/// One notebook's run, in four phases that each hand the next a value: **plan** (the parameters,
/// the kernel and each engine's keys, decided before anything executes), **execute** (each
/// engine's blocks in registration order: the Swift blocks as one program or the cache's answer,
/// then the figures from their tables), **publish** (what each engine writes beside the report:
/// the tables, the verdicts and the cut outputs into `data/NAME/`), **render** (the report and the
/// index entry). The runner goes through its ``BlockEngines`` in each phase and never switches on
/// a block's language.
extension NotebookRunner {
    /// What a run of one notebook is, decided before anything executes.
    struct Plan {
        let document: NotebookDocument
        let parameters: [(name: String, value: ParameterValue, isDefault: Bool)]
        let kernel: NotebookKernel
        /// Each engine's keys by language (``BlockEngine/plan(_:)``).
        var keys: [String: EngineKeys] = [:]
        /// `OUT/data/NAME/`: the notebook's tables, verdicts and cut outputs.
        let dataFolder: URL
        let notebookDigest: String
        let say: (String) -> Void

        var values: [String: ParameterValue] { Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) }) }
        /// The Swift program's cache key, and each Swift block's (for resuming at the first edited block).
        var key: String { keys[SwiftBlockEngine.fenceLanguage]?.run ?? "" }
        var blockKeys: [String] { keys[SwiftBlockEngine.fenceLanguage]?.blocks ?? [] }
    }

    /// What executing the blocks gave, or what the cache kept of an identical run.
    struct Execution {
        /// The Swift program's record (its own or a kept run's).
        var record: ExecutionRecord?
        /// Each emitted table's TSV, by name.
        var tables: [String: String] = [:]
        var cached = false
        /// Swift blocks executed in this invocation (0 when the cache answered).
        var blocksRun = 0
        /// Where the whole output (or standard error) of each cut block is, to copy beside the
        /// report under the file name it gets there (a fresh run copies its own at once).
        var cutOutputs: [(name: String, copy: (URL) throws -> Void)] = []
        /// The gnuplot blocks' figures, in block order, and the files to write beside the report
        /// (nil data: a file to remove).
        var figures: [FigureResult] = []
        var figureFiles: [(data: Data?, url: URL)] = []
        /// What plugged engines' blocks gave: by language, then block index.
        var outputs: [String: [Int: EngineBlockOutput]] = [:]
    }

    /// What rendering wrote.
    struct Rendering {
        var report: URL
        var succeeded: Bool
    }

    /// Runs one notebook and writes its report; never throws for the notebook's own failures.
    public func run(_ document: NotebookDocument) throws -> Summary {
        let plan = try self.plan(document)
        let execution = try execute(plan)
        try publish(plan, execution)
        let rendering = try render(plan, execution)
        return summarize(plan, execution, rendering)
    }

    func plan(_ document: NotebookDocument) throws -> Plan {
        let say = { (text: String) in log("\(document.path): \(text)") }
        let notebookDigest = ReportProvenance.digest(ofNotebookAt: document.path) ?? "unreadable"
        let parameters = try resolvedParameters(document)
        // Prepared once per invocation (``PreparedKernels``); a runner kept alive across edits (the
        // preview) forgets its kernels before each run, so no run is keyed by a digest from before an edit.
        let kernel = try kernels.kernel(document.kernel ?? .runtimeOnly, toolchain: toolchain, log: say)
        var plan = Plan(
            document: document, parameters: parameters, kernel: kernel,
            dataFolder: options.outputFolder.appendingPathComponent("data/\(document.stem)", isDirectory: true),
            notebookDigest: notebookDigest, say: say)
        let run = EngineRun(runner: self, plan: plan, execution: Execution())
        for engine in engines.engines {
            if let keys = try engine.plan(run) { plan.keys[engine.language] = keys }
        }
        return plan
    }

    /// Each engine executes its blocks, in registration order, seeing what those before it gave.
    func execute(_ plan: Plan) throws -> Execution {
        var run = EngineRun(runner: self, plan: plan, execution: Execution())
        for engine in engines.engines { try engine.execute(&run) }
        return run.execution
    }

    /// Each engine writes what it computed beside the report.
    func publish(_ plan: Plan, _ execution: Execution) throws {
        let run = EngineRun(runner: self, plan: plan, execution: execution)
        for engine in engines.engines { try engine.publish(run) }
    }

    /// Writes the report and records the notebook in the folder's index.
    func render(_ plan: Plan, _ execution: Execution) throws -> Rendering {
        let (document, record, figures) = (plan.document, execution.record, execution.figures)

        var titles = Dictionary(
            IndexPage(folder: options.outputFolder).entries().map { ($0.stem, $0.title) } + siblings.map { ($0.stem, $0.title) },
            uniquingKeysWith: { _, latest in latest })
        titles[document.stem] = document.title
        let order = titles.keys.sorted()
        let position = order.firstIndex(of: document.stem)!
        let neighbour = { (k: Int) in order.indices.contains(k) ? (stem: order[k], title: titles[order[k]]!) : nil }
        let provenance = ReportProvenance(
            notebook: plan.notebookDigest, library: String(plan.kernel.digest.prefix(16)), commit: record?.commit ?? "not run",
            file: URL(fileURLWithPath: document.path).standardizedFileURL.path)
        let report = NotebookReport(document: document, run: .init(
            parameters: plan.parameters, record: record, cached: execution.cached, tables: execution.tables, figures: figures,
            engineOutputs: execution.outputs,
            dataLink: "data/\(document.stem)", previous: neighbour(position - 1), next: neighbour(position + 1),
            provenance: provenance))
        let reportURL = options.outputFolder.appendingPathComponent("\(document.stem).html")
        try AtomicFile.write(Data(try report.html().utf8), to: reportURL)

        let succeeded = (record?.succeeded ?? true) && (record?.claimsHeld ?? true)
            && !figures.contains { $0.status == .failed || $0.status == .notRun }
            && !execution.outputs.values.contains { $0.values.contains(where: \.failed) }
        try IndexPage(folder: options.outputFolder, front: try IndexPage.front(besides: document.path), kernelDigest: kernelDigest(ofNotebookAt:)).update(with: [.init(
            stem: document.stem, title: document.title, path: document.path, succeeded: succeeded, claims: record?.claims ?? [],
            findings: record?.findings ?? [],
            firstFigure: document.gnuplotBlocks.first?.figure,
            // When its results were computed, as its report says (a cached re-run keeps that run's time).
            updated: record?.finished ?? Date(), figures: document.gnuplotBlocks.map(\.figure),
            provenance: provenance)])
        return Rendering(report: reportURL, succeeded: succeeded)
    }

    /// The run on the terminal: the verdict (a finding not reproduced is a result, said as such,
    /// never a failure), then what ran or the first failure.
    func summarize(_ plan: Plan, _ execution: Execution, _ rendering: Rendering) -> Summary {
        let (document, record, say) = (plan.document, execution.record, plan.say)
        let reportPath = Self.displayPath(rendering.report)
        let figuresDrawn = execution.figures.filter { $0.status == .rendered }.count
        let findings = record?.findings ?? []
        let checks = record?.claims ?? []
        if !findings.isEmpty || !checks.isEmpty {
            let paper = findings.filter { !$0.isBeyondThePaper }
            var parts: [String] = []
            if !paper.isEmpty { parts.append("findings: " + FindingsHTML.countsText(paper)) }
            if paper.count < findings.count { parts.append("\(findings.count - paper.count) beyond the paper") }
            if !checks.isEmpty { parts.append("checks of our numerics: " + FindingsHTML.checksText(checks)) }
            say(parts.joined(separator: "; "))
        }
        if let failure = firstFailure(document, record: record, figures: execution.figures, outputs: execution.outputs) {
            say("FAILED: \(failure) → \(reportPath)")
        } else if execution.cached && figuresDrawn == 0 && execution.outputs.isEmpty {
            say("unchanged: nothing ran → \(reportPath)")
        } else {
            let restored = (record?.restoredBlocks).map { ", restored \($0) from an earlier run," } ?? ""
            let blocksRun = execution.blocksRun
            let ran = execution.cached ? "Swift results from the cache" :
                "ran \(blocksRun) Swift block\(blocksRun == 1 ? "" : "s")\(restored) in \(NotebookProgram.format(seconds: record?.runSeconds ?? 0)) (compiled in \(NotebookProgram.format(seconds: record?.compileSeconds ?? 0)))"
            say("\(ran), drew \(figuresDrawn) figure\(figuresDrawn == 1 ? "" : "s") → \(reportPath)")
        }
        return Summary(path: document.path, succeeded: rendering.succeeded, blocksRun: execution.blocksRun, figuresDrawn: figuresDrawn, report: rendering.report)
    }
}
