import DurableFiles
import Foundation

extension NotebookRunner {
    /// Why a notebook could not be exported: one line naming the notebook.
    public struct ExportError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `folder/STEM.ipynb` for one notebook (``JupyterNotebook``), from the run the cache
    /// keeps for its current blocks, parameters, inputs and library.
    ///
    /// The run is first brought up to date as `notebook run` would (``run(_:)``: nothing executes
    /// when the cache already answers; otherwise it runs, and its report is written into the output
    /// folder as usual), so the export is never of a stale run. A run whose blocks failed is never
    /// cached, so such a notebook is not exported: the error names it and its report. The figures
    /// are drawn again from the run's tables (gnuplot, the same script and data as the report's) into
    /// a scratch folder; the notebook file is replaced atomically.
    ///
    /// Returns the file and whether the notebook succeeded (as ``Summary/succeeded``: a failed
    /// claim or figure is exported, in place, and makes it false).
    public func exportJupyter(_ document: NotebookDocument, to folder: URL) throws -> (file: URL, succeeded: Bool) {
        let summary = try run(document)
        let parameters = try resolvedParameters(document)
        let kernel = try kernels.kernel(document.kernel ?? .runtimeOnly, toolchain: toolchain, log: { _ in })
        let key = executionKey(document, parameters: Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) }), kernel: kernel)
        let cache = RunCache(root: options.cacheFolder)
        // A notebook without Swift blocks has no run to keep: its prose and figures stand alone.
        let kept: (record: ExecutionRecord?, tables: [String: String])? = document.swiftBlocks.isEmpty
            ? (nil, [:]) : cache.load(stem: document.stem, key: key).map { ($0.record, $0.tables) }
        guard let kept else {
            let report = summary.report.map { " (see \(Self.displayPath($0)))" } ?? ""
            throw ExportError(description: "\(document.path): not exported: its Swift blocks did not all run to the end\(report)")
        }
        var figures: [Int: JupyterNotebook.Figure] = [:]
        if !document.gnuplotBlocks.isEmpty {
            let scratch = try cache.scratchFolder(stem: document.stem)
            defer { cache.removeScratch(scratch) }
            for block in document.gnuplotBlocks {
                figures[block.index] = try exportFigure(block, tables: kept.tables, scratch: scratch)
            }
        }
        let notebook = JupyterNotebook(document: document, record: kept.record, tables: kept.tables, parameters: parameters, figures: figures)
        let destination = folder.appendingPathComponent("\(document.stem).ipynb")
        try AtomicFile.write(notebook.data(), to: destination)
        log("\(document.path): exported → \(Self.displayPath(destination))")
        return (destination, summary.succeeded)
    }

    /// Draws one figure from the run's tables, as the report's (``GnuplotRenderer``).
    private func exportFigure(_ block: GnuplotBlock, tables: [String: String], scratch: URL) throws -> JupyterNotebook.Figure {
        let missing = block.data.filter { tables[$0] == nil }
        guard missing.isEmpty else {
            return .failed(Diagnostic(
                line: block.fenceLine, message: "no Swift block emitted the table\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) (data=)",
                detail: ""))
        }
        guard let gnuplot = GnuplotRenderer.locate() else {
            return .failed(Diagnostic(line: block.fenceLine, message: "gnuplot is not installed (Debian: apt-get install gnuplot-nox; or make deps)", detail: ""))
        }
        let folder = scratch.appendingPathComponent("figure-\(block.index)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let diagnostic = try gnuplot.render(block, tables: tables, in: folder) { return .failed(diagnostic) }
        let svg = block.format == .png ? nil : try Data(contentsOf: folder.appendingPathComponent("figure.svg"))
        let png = try Data(contentsOf: folder.appendingPathComponent("figure.png"))
        return .drawn(svg: svg.map(LossyText.decode), png: png)
    }
}
