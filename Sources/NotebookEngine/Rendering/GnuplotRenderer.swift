import Foundation
import NotebookRuntime
import GnuplotBridge

/// Draws a ` ```gnuplot ` block: hands the named tables to gnuplot through gnuplot-iostream
/// (``GnuplotTables``: each table a datablock `$NAME`, tab separated, the header row read as
/// column names, so `using "d":"error"` works, its cells verbatim; and a binary array of its
/// numbers, `NAME.bin`, read by position with `plot @NAME_binary using 1:2`), sets the terminal, and loads the block's script from its
/// own file so that gnuplot's `"block.gp" line K` maps to a notebook line.
///
/// Two processes draw the SVG and the PNG (`pngcairo`) from a fresh state each, each within
/// 120 s; a figure is written as `figure.EXT.part` and renamed only when gnuplot succeeded and
/// wrote something, so a failed drawing leaves no half-written file. A `format=png` block draws
/// the PNG alone (``terminals(for:)``).
struct GnuplotRenderer {
    let gnuplot: URL

    static func locate() -> GnuplotRenderer? {
        ChildProcess.find("gnuplot").map(GnuplotRenderer.init)
    }

    /// The terminals a block is drawn on, by file extension.
    ///
    /// `format=png`: `pngcairo` at twice the block's size, its fonts, lines and points scaled so
    /// that, shown at the block's size, it reads as the SVG would. Measured against the SVG
    /// terminal in Chromium: pngcairo draws a font of N points N·4/3 px high (the SVG terminal N
    /// px), so at 2× the fonts take `fontscale 1.5` (2 · 3/4); lines `linewidth 2`; points
    /// `pointscale 3` (pngcairo's points are 2/3 of the SVG terminal's at equal `ps`).
    static func terminals(for block: GnuplotBlock) -> [(ext: String, terminal: String)] {
        let (width, height) = block.size
        switch block.format {
        case .svg:
            return [
                ("svg", "set terminal svg size \(width),\(height) fixed enhanced font 'Helvetica,14' background rgb 'white'"),
                ("png", "set terminal pngcairo size \(width),\(height) enhanced font 'Helvetica,12' background rgb 'white'"),
            ]
        case .png:
            return [("png", "set terminal pngcairo size \(2 * width),\(2 * height) enhanced font 'Helvetica,14' "
                + "fontscale \(pngFontScale) linewidth 2 pointscale 3 background rgb 'white'")]
        }
    }

    /// A `format=png` figure's font scale: a font of N points is N · 4/3 · 1.5 = 2N px in the PNG,
    /// N CSS px at the block's size, as N is in its SVG.
    static let pngFontScale = 1.5

    /// Renders into `folder/figure.svg` and `folder/figure.png` (the PNG alone for `format=png`);
    /// a diagnostic on failure.
    func render(
        _ block: GnuplotBlock, tables: [String: String], in folder: URL
    ) throws -> Diagnostic? {
        try Data(block.script.utf8).write(to: folder.appendingPathComponent("block.gp"))
        let named = block.data.map { GnuplotTables.Table(name: $0, tsv: tables[$0] ?? "") }
        if let failure = GnuplotTables.write(named, into: folder) {
            return Diagnostic(line: block.fenceLine, message: "gnuplot: \(failure)", detail: "")
        }
        for (ext, terminal) in Self.terminals(for: block) {
            let script = "load 'data.gp'\n\(terminal)\nset output 'figure.\(ext).part'\nload 'block.gp'\nunset output\n"
            let outcome = try ChildProcess(
                executable: gnuplot, arguments: [], directory: folder, input: script, timeout: 120
            ).run()
            let part = folder.appendingPathComponent("figure.\(ext).part")
            let size = (try? FileManager.default.attributesOfItem(atPath: part.path)[.size] as? Int) ?? 0
            if outcome.status != 0 || outcome.timedOut || size == 0 {
                return diagnostic(outcome, block: block)
            }
            let final = folder.appendingPathComponent("figure.\(ext)")
            try? FileManager.default.removeItem(at: final)
            try FileManager.default.moveItem(at: part, to: final)
        }
        return nil
    }

    /// gnuplot's `"block.gp" line K: message` becomes the notebook line of the block's K-th line.
    private func diagnostic(_ outcome: ChildProcess.Outcome, block: GnuplotBlock) -> Diagnostic {
        let lines = outcome.output.textLines.filter { !$0.isEmpty }
        var line: Int?
        var message = outcome.timedOut ? "gnuplot did not finish within 120 s" : "gnuplot failed (exit status \(outcome.status))"
        if let located = lines.first(where: { $0.contains("\"block.gp\" line ") }),
           let range = located.range(of: "\"block.gp\" line ") {
            let rest = located[range.upperBound...]
            if let number = Int(rest.prefix(while: \.isNumber)) { line = block.firstCodeLine + number - 1 }
            message = rest.drop(while: { $0.isNumber || $0 == ":" || $0 == " " }).trimmingCharacters(in: .whitespaces)
        } else if let first = lines.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("Warning") }) {
            message = first
        }
        return Diagnostic(line: line ?? block.fenceLine, message: "gnuplot: \(message)", detail: outcome.output)
    }
}

/// A gnuplot block's tables, handed to the C++ `GnuplotBridge` (gnuplot-iostream) as arrays: it
/// writes `data.gp` (each table a datablock, its cells verbatim) and `NAME.bin` (its numbers).
enum GnuplotTables {
    struct Table {
        var name: String
        var columns: [String]
        /// Row-major cells, as the TSV has them.
        var cells: [String]

        /// A TSV table: the header row, then one row per line (a short row padded with empty cells,
        /// a long one cut to the header's width).
        init(name: String, tsv: String) {
            self.name = name
            let table = NotebookRuntime.Table(tsv: tsv)
            columns = table.columns
            cells = table.rows.flatMap { $0 }
        }

        var rowCount: Int { columns.isEmpty ? 0 : cells.count / columns.count }

        /// Each cell's value in the binary array: the number it reads as, NaN when it is not a finite number.
        var values: [Double] {
            cells.map { Double($0.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil } ?? .nan }
        }
    }

    /// Writes `folder/data.gp` and each `folder/NAME.bin`; the bridge's message on failure.
    static func write(_ tables: [Table], into folder: URL) -> String? {
        // C strings that live until the call returns.
        var strings: [UnsafeMutablePointer<CChar>?] = []
        defer { strings.forEach { free($0) } }
        func c(_ text: String) -> UnsafePointer<CChar>? {
            let copy = strdup(text)
            strings.append(copy)
            return UnsafePointer(copy)
        }
        let names = tables.map { c($0.name) }
        let columns = tables.map { $0.columns.map(c) }
        let cells = tables.map { $0.cells.map(c) }
        let values = tables.map(\.values)
        var error = [CChar](repeating: 0, count: 1024)
        let status: Int32 = withPointers(columns) { columnPointers in
            withPointers(cells) { cellPointers in
                withPointers(values) { valuePointers in
                    let described = tables.indices.map { k in
                        GnuplotTable(
                            name: names[k], column_count: tables[k].columns.count, columns: columnPointers[k],
                            row_count: tables[k].rowCount, cells: cellPointers[k], values: valuePointers[k])
                    }
                    return gnuplot_bridge_write_tables(folder.path, described, described.count, &error, error.count)
                }
            }
        }
        guard status != 0 else { return nil }
        return String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Calls `body` with a base address for each array (valid only inside `body`).
    private static func withPointers<Element, Result>(
        _ arrays: [[Element]], _ body: ([UnsafePointer<Element>?]) -> Result
    ) -> Result {
        var pointers: [UnsafePointer<Element>?] = []
        func next(_ k: Int) -> Result {
            guard k < arrays.count else { return body(pointers) }
            return arrays[k].withUnsafeBufferPointer { buffer in
                pointers.append(buffer.baseAddress)
                return next(k + 1)
            }
        }
        return next(0)
    }
}

extension GnuplotBlock {
    /// The block drawn as an SVG from `tables` (by name, TSV text), in a scratch folder, whatever
    /// its `format`: for a `format=png` figure, the drawing whose text its PNG is scaled to match
    /// (``GnuplotRenderer/terminals(for:)``), so its text sizes can be measured
    /// (`ReportFigureLegibilityTests`). Nil when gnuplot is missing; throws gnuplot's diagnostic.
    public func drawnAsSVG(tables: [String: String]) throws -> String? {
        guard let gnuplot = GnuplotRenderer.locate() else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-svg-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var block = self
        block.format = .svg
        if let diagnostic = try gnuplot.render(block, tables: tables, in: folder) {
            throw NotebookError.unreadable(path: "gnuplot block at line \(fenceLine)", reason: diagnostic.message)
        }
        return LossyText.decode(try Data(contentsOf: folder.appendingPathComponent("figure.svg")))
    }
}
