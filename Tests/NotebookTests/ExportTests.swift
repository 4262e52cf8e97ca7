import Foundation
import XCTest

/// `notebook export --ipynb`: the prose with its computed values, each block's output, claims and
/// tables, the figures, as a Jupyter notebook that nbformat validates (and nbconvert opens).
final class ExportTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() { scratch.remove() }

    /// The sum of the first n squares, checked against its closed form n(n+1)(2n+1)/6 (30 for n = 4).
    static let notebook = """
        ---
        title: Squares
        parameters:
          n: 4
        ---
        # Squares

        The first block sums the squares.

        ```swift
        let n = Parameters.int("n")
        var total = 0
        var squares = Table("squares", columns: ["x", "y"])
        for x in 1...n { total += x * x; squares.append(Double(x), Double(x * x)) }
        squares.emit()
        print("total = \\(total)")
        check("the sum is n(n+1)(2n+1)/6", total == n * (n + 1) * (2 * n + 1) / 6)
        ```

        The sum of the first `{swift} n` squares is `{swift} total`.

        ```gnuplot data=squares figure=export-squares caption="y = x²" size=400,300
        plot $squares using "x":"y" with linespoints notitle
        ```

        """

    func testTheExportCarriesComputedProseOutputsClaimsTablesAndTheFigure() throws {
        try scratch.write("Notebooks/squares.md", Self.notebook)
        let outcome = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/squares.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("exported → jupyter/squares.ipynb"), outcome.stderr)
        XCTAssertTrue(scratch.exists("out/squares.html"), "the run it needed wrote its report as notebook run does")

        let data = try scratch.data("jupyter/squares.ipynb")
        let notebook = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(notebook["nbformat"] as? Int, 4)
        XCTAssertEqual(notebook["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(notebook["metadata"] as? [String: Any])
        XCTAssertEqual((metadata["kernelspec"] as? [String: Any])?["language"] as? String, "swift")
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.map { $0["cell_type"] as? String }, ["markdown", "markdown", "code", "markdown", "code"])
        let text = { (cell: [String: Any], key: String) in ((cell[key] as? [String]) ?? []).joined() }

        XCTAssertTrue(text(cells[0], "source").contains("Checks of our numerics: 1 of 1 held."), text(cells[0], "source"))
        // 1 + 4 + 9 + 16 = 30: the values the run computed, in place of the expressions.
        XCTAssertEqual(text(cells[3], "source"), "The sum of the first 4 squares is 30.")

        let swift = cells[2]
        XCTAssertEqual(swift["execution_count"] as? Int, 1)
        XCTAssertTrue(text(swift, "source").hasPrefix("let n = Parameters.int(\"n\")\n"))
        let outputs = try XCTUnwrap(swift["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.first?["output_type"] as? String, "stream")
        XCTAssertEqual(text(outputs[0], "text"), "total = 30\n")
        let displays = outputs.dropFirst().compactMap { $0["data"] as? [String: Any] }
        XCTAssertTrue(displays.contains { text($0, "text/plain") == "✓ held: the sum is n(n+1)(2n+1)/6 (line 17)" }, "\(displays)")
        XCTAssertTrue(displays.contains { text($0, "text/html").contains("<tr><td>4</td><td>16</td></tr>") }, "the table, row x = 4")

        let gnuplot = cells[4]
        XCTAssertEqual((gnuplot["metadata"] as? [String: Any])?["tags"] as? [String], ["gnuplot"])
        let figure = try XCTUnwrap(((gnuplot["outputs"] as? [[String: Any]])?.first?["data"]) as? [String: Any])
        XCTAssertTrue(text(figure, "image/svg+xml").contains("<svg"))
        let png = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(figure["image/png"] as? String)))
        XCTAssertEqual(png.prefix(4), Data([0x89, 0x50, 0x4e, 0x47]))
        // The figure drawn for the export is the report's: gnuplot draws the same SVG from the same script and table.
        XCTAssertEqual(text(figure, "image/svg+xml"), try scratch.read("out/export-squares.svg"))

        // Unchanged: nothing runs and the file is byte for byte the same.
        let again = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/squares.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("unchanged: nothing ran"), again.stderr)
        XCTAssertEqual(try scratch.data("jupyter/squares.ipynb"), data)

        // A parameter set for the export is the run's: n = 5 gives 55.
        let five = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/squares.md", "--param", "n=5", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(five.status, 0, five.stderr)
        let fiveCells = try XCTUnwrap((try JSONSerialization.jsonObject(with: try scratch.data("jupyter/squares.ipynb")) as? [String: Any])?["cells"] as? [[String: Any]])
        XCTAssertEqual(text(fiveCells[3], "source"), "The sum of the first 5 squares is 55.")
        XCTAssertTrue(text(fiveCells[0], "source").contains("`n` = `5`"))

        try Self.validate(scratch.folder.appendingPathComponent("jupyter/squares.ipynb"))
    }

    func testAFailedRunIsNotExportedAndBadArgumentsExitTwo() throws {
        let failed = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/trap.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(failed.status, 1, failed.stderr)
        XCTAssertTrue(failed.stderr.contains("notebook: Notebooks/trap.md: not exported: its Swift blocks did not all run to the end (see out/trap.html)"), failed.stderr)
        XCTAssertFalse(scratch.exists("jupyter/trap.ipynb"))

        // A figure gnuplot cannot draw is exported as an error at its line (24: the script's second line), and the export exits 1 as run would.
        try scratch.write("Notebooks/badplot.md", Self.notebook
            .replacingOccurrences(of: "with linespoints notitle", with: "with linespoints notitle\nplot nonsense(")
            .replacingOccurrences(of: "figure=export-squares", with: "figure=badplot"))
        let badPlot = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/badplot.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(badPlot.status, 1, badPlot.stderr)
        let plotCells = try XCTUnwrap((try JSONSerialization.jsonObject(with: try scratch.data("jupyter/badplot.ipynb")) as? [String: Any])?["cells"] as? [[String: Any]])
        let plotError = try XCTUnwrap((plotCells[4]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(plotError["output_type"] as? String, "error")
        XCTAssertTrue((plotError["evalue"] as? String ?? "").hasPrefix("Notebooks/badplot.md:24: gnuplot: invalid expression"), "\(plotError)")

        // Without Swift blocks nothing runs, and the prose is exported as it is.
        try scratch.write("Notebooks/prose.md", "---\ntitle: Prose\n---\n# Only prose\n\nNo blocks here.\n")
        let prose = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/prose.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(prose.status, 0, prose.stderr)
        let cells = try XCTUnwrap((try JSONSerialization.jsonObject(with: try scratch.data("jupyter/prose.ipynb")) as? [String: Any])?["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, 2)
        XCTAssertTrue(((cells[0]["source"] as? [String]) ?? []).joined().hasSuffix("It has no Swift blocks: nothing ran."))
        XCTAssertEqual((cells[1]["source"] as? [String]) ?? [], ["# Only prose\n", "\n", "No blocks here."])

        // Without --reports, the run that must happen first writes beside the export, never into Figures/.
        let elsewhere = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/prose.md", "--out", "elsewhere", "--cache", "cache"])
        XCTAssertEqual(elsewhere.status, 0, elsewhere.stderr)
        XCTAssertTrue(scratch.exists("elsewhere/prose.ipynb") && scratch.exists("elsewhere/prose.html"), elsewhere.stderr)
        XCTAssertFalse(scratch.exists("Figures"), "an export into another folder wrote into Figures/")

        let noFormat = try scratch.run(exactly: ["export", "Notebooks/cells.md"])
        XCTAssertEqual(noFormat.status, 2)
        XCTAssertTrue(noFormat.stderr.contains("choose a format: --ipynb"), noFormat.stderr)
    }

    /// nbformat's schema validation, and nbconvert's HTML (`make deps` installs both). Without them the
    /// test is skipped, saying so (XCTSkip), and under CI (`CI` set) it fails: CI must check the export.
    static func validate(_ file: URL) throws {
        // Valid, and written as nbformat writes it: nbformat's own writer gives the same bytes back.
        let script = """
            import nbformat, sys
            text = open(sys.argv[1], encoding='utf-8').read()
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
            print('valid', 'same' if nbformat.writes(notebook) + '\\n' == text else 'rewritten')
            """
        let check = try python(["-c", script, file.path])
        if check.status != 0 && check.output.contains("No module named 'nbformat'") {
            try missing("nbformat is not installed (make deps installs it): the schema check cannot run")
        }
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertEqual(check.output.trimmingCharacters(in: .whitespacesAndNewlines), "valid same")

        let html = try python(["-m", "nbconvert", "--to", "html", "--stdout", file.path])
        if html.status != 0 && html.output.contains("No module named nbconvert") {
            try missing("nbconvert is not installed (make deps installs it): the HTML conversion cannot run")
        }
        XCTAssertEqual(html.status, 0, String(html.output.suffix(2000)))
        XCTAssertTrue(html.output.contains("total = 55"), "nbconvert shows the block's output")
        XCTAssertTrue(html.output.contains("data:image/png;base64,") || html.output.contains("<svg"), "nbconvert shows the figure")
    }

    /// A missing Python module: a failure under CI (`CI` set, as `.ci/run` and CI services set it), a
    /// skip with its reason elsewhere; never a silent pass.
    static func missing(_ reason: String) throws -> Never {
        let ci = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false
        if ci { throw RequiredToolMissing(description: "ExportTests: \(reason) (CI is set: the check is required)") }
        throw XCTSkip("ExportTests: \(reason)")
    }

    struct RequiredToolMissing: Error, CustomStringConvertible { var description: String }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
