import Foundation
import XCTest

/// The gnuplot blocks' tables reach gnuplot through the C++ GnuplotBridge (gnuplot-iostream):
/// as named datablocks and as binary arrays, both carrying every digit of every number.
final class GnuplotRenderTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() {
        scratch.remove()
    }

    /// A table of numbers (one needing 17 digits) and words; figure `by-name`
    /// reads the datablock by column name, `by-position` the binary array by position, `by-label`
    /// the cells as text.
    static let notebook = """
    ---
    title: Tables to gnuplot
    ---
    # Tables to gnuplot

    ```swift
    var t = Table("t", columns: ["x", "y", "label"])
    for k in 0..<5 { t.append(Double(k), 0.1 * Double(k) + 0.2, "p\\(k)") }
    t.emit()
    ```

    ```gnuplot data=t figure=by-name size=600,400
    stats $t using "y" nooutput
    set label 1 sprintf("max %.17g", STATS_max) at graph 0.1, graph 0.9
    plot $t using "x":"y" with points pt 7 notitle
    ```

    ```gnuplot data=t figure=by-position size=600,400
    stats @t_binary using 2 nooutput
    set label 1 sprintf("max %.17g", STATS_max) at graph 0.1, graph 0.9
    plot @t_binary using 1:2 with points pt 7 notitle
    ```

    ```gnuplot data=t figure=by-label size=600,400
    plot $t using "x":"y":xticlabels(strcol("label") . ":" . strcol("x")) with points pt 7 notitle
    ```
    """

    /// The `translate(x,y)` of each point symbol in an SVG.
    static func points(_ svg: String) -> [String] {
        svg.components(separatedBy: "\n").filter { $0.contains("<use") }.compactMap { line in
            line.range(of: "translate\\([^)]*\\)", options: .regularExpression).map { String(line[$0]) }
        }
    }

    func testEveryDigitAndEveryWordReachGnuplotByNameAndByPosition() throws {
        try scratch.write("Notebooks/tables.md", Self.notebook)
        let outcome = try scratch.run(["run", "Notebooks/tables.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let byName = try scratch.read("out/by-name.svg")
        let byPosition = try scratch.read("out/by-position.svg")
        // 0.1 * 4 + 0.2 is 0.6000000000000001 in binary64: the 17th digit arrives both ways.
        XCTAssertEqual(0.1 * 4 + 0.2, 0.6000000000000001)
        XCTAssertTrue(byName.contains("max 0.60000000000000009"), "the datablock keeps every digit")
        XCTAssertTrue(byPosition.contains("max 0.60000000000000009"), "the binary array keeps every digit")
        // Cells verbatim, as the TSV has them (x is written 0.0, 1.0, …): tick labels p0:0.0 … p4:4.0.
        XCTAssertTrue(try scratch.read("out/data/tables/t.tsv").hasPrefix("x\ty\tlabel\n0.0\t0.2\tp0\n"))
        let byLabel = try scratch.read("out/by-label.svg")
        for k in 0..<5 { XCTAssertTrue(byLabel.contains(">p\(k):\(k).0<"), "p\(k):\(k).0") }
        let byNamePoints = Self.points(byName)
        XCTAssertEqual(byNamePoints.count, 5, "one symbol per row")
        XCTAssertEqual(byNamePoints, Self.points(byPosition), "the same points from the datablock and the binary array")
    }

    func testAGnuplotErrorNamesTheNotebookLineAndKeepsTheLastGoodFigure() throws {
        try scratch.write("Notebooks/tables.md", Self.notebook)
        XCTAssertEqual(try scratch.run(["run", "Notebooks/tables.md"]).status, 0)
        let good = try scratch.data("out/by-position.svg")
        try scratch.edit("Notebooks/tables.md") { $0.replacingOccurrences(of: "using 1:2 with points", with: "using 1:2 with pointz") }
        let outcome = try scratch.run(["run", "Notebooks/tables.md"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        // The notebook line of the by-position block's `plot`, where the error is.
        let line = try XCTUnwrap(scratch.read("Notebooks/tables.md").split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("with pointz") }) + 1
        XCTAssertEqual(line, 21)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/tables.md:\(line): gnuplot: unrecognized plot type"), outcome.stderr)
        XCTAssertEqual(try scratch.data("out/by-position.svg"), good, "the last good figure stays")
        XCTAssertFalse(scratch.exists("out/by-position.svg.part"))
    }
}
