import DurableFiles
import Foundation
import NotebookRuntime

/// `gnuplot` blocks: figures drawn from the tables the Swift blocks emitted (the block's `data=`),
/// through gnuplot-iostream (``GnuplotRenderer``), into `NAME.svg` and `NAME.png` beside the
/// report. A figure is keyed by its script, its size, its format and its tables' text, so it
/// depends on what the engines before it computed: it has no key before they execute, and is
/// drawn again only when one of those changed. Execute draws into the cache (or finds the figure
/// there); publish writes the files beside the report. A figure that cannot be drawn keeps the
/// last good one on disk, and the report marks it stale.
public struct GnuplotBlockEngine: BlockEngine {
    static let fenceLanguage = "gnuplot"
    public var language: String { Self.fenceLanguage }

    public init() {}

    public func execute(_ run: inout EngineRun) throws {
        let (document, record, tables) = (run.document, run.execution.record, run.tables)
        var files: [(data: Data?, url: URL)] = []
        run.execution.figures = try document.gnuplotBlocks.map {
            try run.runner.draw($0, document: document, record: record, tables: tables, files: &files, say: run.plan.say)
        }
        run.execution.figureFiles = files
    }

    /// Writes each drawn figure's files beside the report (a file already equal is left as it is),
    /// and removes an SVG that a `format=png` figure no longer has.
    public func publish(_ run: EngineRun) throws {
        for (data, url) in run.execution.figureFiles {
            guard let data else {
                try? FileManager.default.removeItem(at: url)
                continue
            }
            if (try? Data(contentsOf: url)) != data { try AtomicFile.write(data, to: url) }
        }
    }
}

extension NotebookRunner {
    /// Draws one gnuplot block, from the cache when its script and tables are unchanged, adding the
    /// files to write beside the report to `files` (nil data: a file to remove).
    func draw(
        _ block: GnuplotBlock, document: NotebookDocument, record: ExecutionRecord?, tables: [String: String],
        files: inout [(data: Data?, url: URL)], say: (String) -> Void
    ) throws -> FigureResult {
        let start = Date()
        let svgURL = options.outputFolder.appendingPathComponent("\(block.figure).svg")
        let pngURL = options.outputFolder.appendingPathComponent("\(block.figure).png")
        let pngOnly = block.format == .png
        /// The last good figure on disk, shown (marked stale) when this run's drawing fails or does not happen.
        let lastGood = { (status: FigureResult.Status, diagnostic: Diagnostic?) -> FigureResult in
            pngOnly
                ? FigureResult(status: status, svg: nil, png: try? Data(contentsOf: pngURL), diagnostic: diagnostic, seconds: 0)
                : FigureResult(status: status, svg: (try? Data(contentsOf: svgURL)).map(LossyText.decode), diagnostic: diagnostic, seconds: 0)
        }
        let missing = block.data.filter { tables[$0] == nil }
        if !missing.isEmpty {
            let allRan = record?.succeeded ?? false
            if allRan || document.swiftBlocks.isEmpty {
                return lastGood(.failed, Diagnostic(
                    line: block.fenceLine,
                    message: "no Swift block emitted the table\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")) (data=)",
                    detail: ""))
            }
            return lastGood(.notRun, nil)
        }
        var hash = ContentHash()
        hash.add("figure-v1")
        hash.add(block.script)
        hash.add("\(block.size.width)x\(block.size.height)")
        if pngOnly { hash.add("format=png scale \(GnuplotRenderer.pngFontScale)") }
        for name in block.data { hash.add(name); hash.add(tables[name]!) }
        let key = hash.hex
        let cachedSVG = cache.figureFile(stem: document.stem, key: key, extension: "svg")
        let cachedPNG = cache.figureFile(stem: document.stem, key: key, extension: "png")
        var status = FigureResult.Status.cached
        if options.force || (!pngOnly && !FileManager.default.fileExists(atPath: cachedSVG.path))
            || !FileManager.default.fileExists(atPath: cachedPNG.path) {
            guard let gnuplot = GnuplotRenderer.locate() else {
                return lastGood(.failed, Diagnostic(
                    line: block.fenceLine, message: "gnuplot is not installed (Debian: apt-get install gnuplot-nox; or make deps)",
                    detail: ""))
            }
            say("drawing \(block.figure)…")
            let folder = try cache.scratchFolder(stem: document.stem)
            defer { cache.removeScratch(folder) }
            if let diagnostic = try gnuplot.render(block, tables: tables, in: folder) {
                var failed = lastGood(.failed, diagnostic)
                failed.seconds = Date().timeIntervalSince(start)
                return failed
            }
            if !pngOnly { try AtomicFile.copy(folder.appendingPathComponent("figure.svg"), to: cachedSVG) }
            try AtomicFile.copy(folder.appendingPathComponent("figure.png"), to: cachedPNG)
            status = .rendered
        }
        let png = try Data(contentsOf: cachedPNG)
        files.append((png, pngURL))
        if pngOnly {
            // An SVG left from when the block was drawn as SVG is not this figure: nothing may show or link it.
            files.append((nil, svgURL))
            return FigureResult(status: status, svg: nil, png: png, diagnostic: nil, seconds: Date().timeIntervalSince(start))
        }
        let svg = try Data(contentsOf: cachedSVG)
        files.append((svg, svgURL))
        return FigureResult(status: status, svg: LossyText.decode(svg), diagnostic: nil, seconds: Date().timeIntervalSince(start))
    }
}
