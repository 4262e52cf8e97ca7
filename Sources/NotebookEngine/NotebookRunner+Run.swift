import DurableFiles
import Foundation
import NotebookRuntime

/// One notebook's run, in four phases that each hand the next a value: **plan** (the parameters,
/// the kernel and the cache keys, decided before anything executes), **execute** (the Swift blocks
/// as one program, or the cache's answer), **publish** (the tables, the verdicts and the cut
/// outputs into `data/NAME/`), **render** (the figures, the report and the index entry).
extension NotebookRunner {
    /// What a run of one notebook is, decided before anything executes.
    struct Plan {
        let document: NotebookDocument
        let parameters: [(name: String, value: ParameterValue, isDefault: Bool)]
        let kernel: NotebookKernel
        /// The whole run's cache key, and each block's (for resuming at the first edited block).
        let key: String
        let blockKeys: [String]
        /// `OUT/data/NAME/`: the notebook's tables, verdicts and cut outputs.
        let dataFolder: URL
        let notebookDigest: String
        let say: (String) -> Void

        var values: [String: ParameterValue] { Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) }) }
    }

    /// What executing the Swift blocks gave, or what the cache kept of an identical run.
    struct Execution {
        var record: ExecutionRecord?
        /// Each emitted table's TSV, by name.
        var tables: [String: String] = [:]
        var cached = false
        /// Swift blocks executed in this invocation (0 when the cache answered).
        var blocksRun = 0
        /// Where the whole output (or standard error) of each cut block is, to copy beside the
        /// report under the file name it gets there (a fresh run copies its own at once).
        var cutOutputs: [(name: String, copy: (URL) throws -> Void)] = []
    }

    /// What rendering wrote.
    struct Rendering {
        var figures: [FigureResult]
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
        let values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
        // Prepared once per invocation (``PreparedKernels``); a runner kept alive across edits (the
        // preview) forgets its kernels before each run, so no run is keyed by a digest from before an edit.
        let kernel = try kernels.kernel(document.kernel ?? .runtimeOnly, toolchain: toolchain, log: say)
        return Plan(
            document: document, parameters: parameters, kernel: kernel,
            key: executionKey(document, parameters: values, kernel: kernel),
            blockKeys: blockKeys(document, parameters: values, kernel: kernel),
            dataFolder: options.outputFolder.appendingPathComponent("data/\(document.stem)", isDirectory: true),
            notebookDigest: notebookDigest, say: say)
    }

    /// The cache's record of an identical run, or a run of the program (resumed at the first edited
    /// block where an earlier run's values allow it).
    func execute(_ plan: Plan) throws -> Execution {
        let (document, key, say) = (plan.document, plan.key, plan.say)
        let blocks = document.swiftBlocks
        var execution = Execution()
        cache.sweepAbandonedScratch(stem: document.stem)
        if !options.force, let kept = cache.load(stem: document.stem, key: key, say: say) {
            execution.record = kept.record
            execution.tables = kept.tables
            execution.cached = true
            for (index, block) in kept.record.blocks.enumerated() {
                if block.outputIsCut {
                    execution.cutOutputs.append((NotebookReport.outputFileName(block: index), {
                        try cache.copy(stem: document.stem, key: key, file: NotebookSession.outputFileName(block: index), to: $0) }))
                }
                if block.errorsAreCut {
                    execution.cutOutputs.append((NotebookReport.errorFileName(block: index), {
                        try cache.copy(stem: document.stem, key: key, file: NotebookSession.errorFileName(block: index), to: $0) }))
                }
            }
            return execution
        }
        guard !blocks.isEmpty else { return execution }
        var folder = try cache.scratchFolder(stem: document.stem)
        // Removed however this ends (a thrown error too); a no-op once stored (renamed away).
        defer { cache.removeScratch(folder) }
        let timeout = options.timeout ?? document.timeout ?? Self.defaultTimeout
        var manifest = RunManifest(
            outputFolder: folder.path,
            dataFolder: options.outputFolder.appendingPathComponent("data", isDirectory: true).standardizedFileURL.path,
            cacheFolder: cache.stateFolder(stem: document.stem).standardizedFileURL.path,
            parameters: plan.values, kernel: Self.resultDigest(of: plan.kernel), executor: executor(of: document))
        // Why this run, which an earlier one could have spared blocks of, ran every block (for the report).
        var fullRun: String?
        func noteFullRun(_ reason: String) { fullRun = reason; say("running from the first block: \(reason)") }
        var resumed = options.force ? nil : try resumption(document, blockKeys: plan.blockKeys, into: folder, say: say, fullRun: noteFullRun)
        if resumed != nil { manifest.restoreFolder = folder.appendingPathComponent(NotebookState.valuesFolderName).path }
        var outcome = try NotebookProgram(document: document, blocks: blocks, resumption: resumed?.plan).execute(
            toolchain: toolchain, kernel: plan.kernel, folder: folder, manifest: manifest, timeout: timeout, log: say)
        if let failure = outcome.resumeFailure {
            noteFullRun(failure)
            cache.removeScratch(folder)
            folder = try cache.scratchFolder(stem: document.stem)
            (resumed, manifest.outputFolder, manifest.restoreFolder) = (nil, folder.path, nil)
            outcome = try NotebookProgram(document: document, blocks: blocks).execute(
                toolchain: toolchain, kernel: plan.kernel, folder: folder, manifest: manifest, timeout: timeout, log: say)
        }
        execution.blocksRun = outcome.blocks.filter { $0.status != .notRun }.count
        logErrors(outcome.blocks, document: document, say: say)
        if let resumed { outcome = Self.merge(outcome, restoring: resumed.record, before: resumed.plan.from, document: document) }
        let fresh = ExecutionRecord(
            key: key, blocks: outcome.blocks, tables: outcome.tables, compileSeconds: outcome.compileSeconds,
            runSeconds: outcome.runSeconds, commit: commit(in: plan.kernel.workingDirectory), toolchain: toolchain.compilerVersion(), finished: Date(),
            inlines: outcome.inlines, claims: outcome.claims, findings: outcome.findings, blockKeys: plan.blockKeys, restoredBlocks: resumed?.plan.from,
            fullRunReason: fullRun, kernelProvenance: outcome.kernelProvenance)
        execution.record = fresh
        for table in fresh.tables {
            if let text = try? Data(contentsOf: folder.appendingPathComponent("tables/\(table.name).tsv")) {
                execution.tables[table.name] = LossyText.decode(text)
            }
        }
        // Copy the cut outputs beside the report now: the scratch folder goes when this scope ends.
        for (index, block) in fresh.blocks.enumerated() {
            if block.outputIsCut {
                try AtomicFile.copy(
                    folder.appendingPathComponent(NotebookSession.outputFileName(block: index)),
                    to: plan.dataFolder.appendingPathComponent(NotebookReport.outputFileName(block: index)))
            }
            if block.errorsAreCut {
                try AtomicFile.copy(
                    folder.appendingPathComponent(NotebookSession.errorFileName(block: index)),
                    to: plan.dataFolder.appendingPathComponent(NotebookReport.errorFileName(block: index)))
            }
        }
        if fresh.succeeded {
            try cache.store(fresh, from: folder, stem: document.stem)
        }
        return execution
    }

    /// Writes the tables, the verdicts and the cut outputs into `data/NAME/`, and, after a run that
    /// succeeded, removes what an earlier run left there that this one did not write.
    func publish(_ plan: Plan, _ execution: Execution) throws {
        let dataFolder = plan.dataFolder
        for (name, copy) in execution.cutOutputs {
            try copy(dataFolder.appendingPathComponent(name))
        }
        for (name, text) in execution.tables {
            try AtomicFile.write(Data(text.utf8), to: dataFolder.appendingPathComponent("\(name).tsv"))
        }
        guard let record = execution.record, record.succeeded else { return }
        let verdicts = VerdictTable.table(findings: record.findings ?? [], claims: record.claims ?? [])
        try AtomicFile.write(Data(verdicts.tsv.utf8), to: dataFolder.appendingPathComponent(VerdictTable.fileName))
        let blocks = record.blocks
        let cut = Set(blocks.indices.filter { blocks[$0].outputIsCut }.map(NotebookReport.outputFileName)
            + blocks.indices.filter { blocks[$0].errorsAreCut }.map(NotebookReport.errorFileName))
        let stale = (try? FileManager.default.contentsOfDirectory(atPath: dataFolder.path)) ?? []
        for name in stale {
            let staleTable = name.hasSuffix(".tsv") && execution.tables[String(name.dropLast(4))] == nil && name != VerdictTable.fileName
            let staleOutput = name.hasPrefix("block-") && (name.hasSuffix("-output.txt") || name.hasSuffix("-stderr.txt"))
                && !cut.contains(name)
            if staleTable || staleOutput { try? FileManager.default.removeItem(at: dataFolder.appendingPathComponent(name)) }
        }
    }

    /// Draws the figures, writes the report and records the notebook in the folder's index.
    func render(_ plan: Plan, _ execution: Execution) throws -> Rendering {
        let (document, record) = (plan.document, execution.record)
        let figures = try document.gnuplotBlocks.map { try draw($0, document: document, record: record, tables: execution.tables, say: plan.say) }

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
            dataLink: "data/\(document.stem)", previous: neighbour(position - 1), next: neighbour(position + 1),
            provenance: provenance))
        let reportURL = options.outputFolder.appendingPathComponent("\(document.stem).html")
        try AtomicFile.write(Data(try report.html().utf8), to: reportURL)

        let succeeded = (record?.succeeded ?? true) && (record?.claimsHeld ?? true)
            && !figures.contains { $0.status == .failed || $0.status == .notRun }
        try IndexPage(folder: options.outputFolder, front: try IndexPage.front(besides: document.path), kernelDigest: kernelDigest(ofNotebookAt:)).update(with: [.init(
            stem: document.stem, title: document.title, path: document.path, succeeded: succeeded, claims: record?.claims ?? [],
            findings: record?.findings ?? [],
            firstFigure: document.gnuplotBlocks.first?.figure,
            // When its results were computed, as its report says (a cached re-run keeps that run's time).
            updated: record?.finished ?? Date(), figures: document.gnuplotBlocks.map(\.figure),
            provenance: provenance)])
        return Rendering(figures: figures, report: reportURL, succeeded: succeeded)
    }

    /// The run on the terminal: the verdict (a finding not reproduced is a result, said as such,
    /// never a failure), then what ran or the first failure.
    func summarize(_ plan: Plan, _ execution: Execution, _ rendering: Rendering) -> Summary {
        let (document, record, say) = (plan.document, execution.record, plan.say)
        let reportPath = Self.displayPath(rendering.report)
        let figuresDrawn = rendering.figures.filter { $0.status == .rendered }.count
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
        if let failure = firstFailure(document, record: record, figures: rendering.figures) {
            say("FAILED: \(failure) → \(reportPath)")
        } else if execution.cached && figuresDrawn == 0 {
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
