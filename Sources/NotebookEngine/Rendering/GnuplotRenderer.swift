import Foundation

/// Draws a ` ```gnuplot ` block: hands the named tables to gnuplot as datablocks
/// (`$NAME`, tab separated, the header row read as column names, so
/// `using "d":"error"` works), sets the terminal, and loads the block's script
/// from its own file so that gnuplot's `"block.gp" line K` maps to a notebook line.
///
/// Two processes draw the SVG and the PNG (`pngcairo`) from a fresh state each.
struct GnuplotRenderer {
    let gnuplot: URL

    static func locate() -> GnuplotRenderer? {
        ChildProcess.find("gnuplot").map(GnuplotRenderer.init)
    }

    /// Renders into `folder/figure.svg` and `folder/figure.png`; a diagnostic on failure.
    func render(
        _ block: GnuplotBlock, tables: [String: String], in folder: URL
    ) throws -> Diagnostic? {
        try Data(block.script.utf8).write(to: folder.appendingPathComponent("block.gp"))
        var datablocks = "set datafile separator tab\nset datafile columnheaders\n"
        for name in block.data {
            datablocks += "$\(name) << EOD\n\(tables[name] ?? "")EOD\n"
        }
        try Data(datablocks.utf8).write(to: folder.appendingPathComponent("data.gp"))
        let (width, height) = block.size
        let terminals = [
            ("svg", "set terminal svg size \(width),\(height) fixed enhanced font 'Helvetica,14' background rgb 'white'"),
            ("png", "set terminal pngcairo size \(width),\(height) enhanced font 'Helvetica,12' background rgb 'white'"),
        ]
        for (ext, terminal) in terminals {
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
