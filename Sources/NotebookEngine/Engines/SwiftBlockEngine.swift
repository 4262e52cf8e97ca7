import DurableFiles
import Foundation
import NotebookRuntime

/// `swift` blocks: the notebook's program. All of a notebook's Swift blocks are one program (each
/// block sees what the blocks before it declared), compiled against the notebook's kernel and run
/// once (``NotebookProgram``), or resumed at the first edited block (``BlockResumption``), or not
/// run at all when the cache keeps a run of the same keys.
///
/// - plan: the run's key and each block's (``NotebookRunner/executionKey(_:parameters:kernel:)``,
///   ``NotebookRunner/blockKeys(_:parameters:kernel:)``): the blocks and inline expressions by
///   meaning (``SwiftCanonicalForm``), the parameters, the kernel's digest and the declared inputs;
/// - execute: the cache's record of an identical run, or a run of the program, whose tables the
///   engines after it read;
/// - publish: the tables, the verdicts and the cut outputs into `data/NAME/`.
public struct SwiftBlockEngine: BlockEngine {
    static let fenceLanguage = "swift"
    public var language: String { Self.fenceLanguage }

    public init() {}

    public func plan(_ run: EngineRun) throws -> EngineKeys? {
        let (document, values, kernel) = (run.document, run.parameters, run.plan.kernel)
        return EngineKeys(
            run: run.runner.executionKey(document, parameters: values, kernel: kernel),
            blocks: run.runner.blockKeys(document, parameters: values, kernel: kernel))
    }

    public func execute(_ run: inout EngineRun) throws {
        let swift = try run.runner.executeSwift(run.plan)
        run.execution.record = swift.record
        run.execution.tables.merge(swift.tables) { _, emitted in emitted }
        run.execution.cached = swift.cached
        run.execution.blocksRun = swift.blocksRun
        run.execution.cutOutputs = swift.cutOutputs
    }

    public func publish(_ run: EngineRun) throws {
        try run.runner.publishSwift(run.plan, run.execution)
    }
}

extension NotebookRunner {
    /// The cache's record of an identical run, or a run of the program (resumed at the first edited
    /// block where an earlier run's values allow it).
    func executeSwift(_ plan: Plan) throws -> Execution {
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
    func publishSwift(_ plan: Plan, _ execution: Execution) throws {
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
}
