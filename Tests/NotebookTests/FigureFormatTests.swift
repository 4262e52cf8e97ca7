import Foundation
import XCTest

/// `format=png`: a dense figure drawn as a PNG alone, at twice the block's size, and shown inline
/// at the block's size with the same caption, alt text and figure markup as an SVG.
final class FigureFormatTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() { scratch.remove() }

    static func notebook(format: String) -> String {
        """
        # Dense

        ```swift
        var cloud = Table("cloud", columns: ["x", "y"])
        for k in 0..<5000 { cloud.append(Double(k % 100), Double(k / 100)) }
        cloud.emit()
        ```

        ```gnuplot data=cloud figure=dense caption="A cloud of 5,000 points" size=400,300\(format)
        set xlabel "x" font ",14"
        plot $cloud using "x":"y" with points pt 7 ps 0.3 notitle
        ```

        """
    }

    /// A PNG's width and height, from its IHDR chunk.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data)
        guard bytes.count > 24, bytes.prefix(4) == [0x89, 0x50, 0x4e, 0x47] else { return nil }
        let number = { (at: Int) in bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        return (number(16), number(20))
    }

    func testAPNGFigureIsDrawnAtTwiceItsSizeShownAtItsSizeAndLeavesNoSVG() throws {
        try scratch.write("Notebooks/dense.md", Self.notebook(format: ""))
        XCTAssertEqual(try scratch.run(["run", "Notebooks/dense.md"]).status, 0)
        let svgBytes = try scratch.data("out/dense.svg").count
        XCTAssertTrue(try scratch.read("out/dense.html").contains("data:image/svg+xml;base64,"))

        try scratch.edit("Notebooks/dense.md") { $0.replacingOccurrences(of: "size=400,300", with: "size=400,300 format=png") }
        let outcome = try scratch.run(["run", "Notebooks/dense.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("drawing dense"), outcome.stderr)
        XCTAssertFalse(scratch.exists("out/dense.svg"), "the SVG of the earlier drawing is gone: nothing shows or links it")
        let png = try scratch.data("out/dense.png")
        let size = try XCTUnwrap(Self.pngSize(png))
        XCTAssertEqual(size.width, 800)
        XCTAssertEqual(size.height, 600)
        let html = try scratch.read("out/dense.html")
        XCTAssertFalse(html.contains("data:image/svg+xml"))
        XCTAssertFalse(html.contains("dense.svg"), "no link to an SVG")
        XCTAssertTrue(html.contains("<figure><a class=\"full-size\" href=\"dense.png\"><img src=\"data:image/png;base64,\(png.base64EncodedString())\" width=\"400\" height=\"300\" alt=\"A cloud of 5,000 points\"/></a>"), "inline, at the block's size")
        XCTAssertTrue(html.contains("<figcaption><strong>dense</strong>: A cloud of 5,000 points · <a href=\"dense.png\">PNG</a></figcaption>"))
        XCTAssertTrue(html.contains("id=\"figure-dense\""))
        XCTAssertLessThan(png.count, svgBytes, "5,000 points: the PNG is the smaller")
        XCTAssertTrue(try scratch.read("out/index.html").contains("src=\"dense.png\""), "the index card shows it")

        // What ReportFigureLegibilityTests reads of a PNG figure in a report: its width as shown, and the
        // SVG it stands for, drawn again from the report's tables, whose x label is the script's 14 px.
        let shown = ReportFigureLegibilityTests.inlinePNGs(html)
        XCTAssertEqual(shown.count, 1)
        XCTAssertEqual(shown.first?.width, 400)
        XCTAssertEqual(shown.first?.figure, "dense")
        XCTAssertEqual(ReportFigureLegibilityTests.pngWidth(png), 800)
        let drawn = try XCTUnwrap(try ReportFigureLegibilityTests.equivalentSVG(
            of: "dense", html: html, folder: scratch.folder.appendingPathComponent("out"), root: scratch.folder))
        XCTAssertEqual(drawn.width, 400)
        XCTAssertEqual(ReportFigureLegibilityTests.measure(drawn.svg)?.smallest, 14)

        // Unchanged: drawn from the cache, the report the same.
        let again = try scratch.run(["run", "Notebooks/dense.md"])
        XCTAssertTrue(again.stderr.contains("unchanged: nothing ran"), again.stderr)
        XCTAssertEqual(try scratch.data("out/dense.png"), png)

        // The Jupyter export carries the PNG alone.
        let export = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/dense.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let notebook = try XCTUnwrap(try JSONSerialization.jsonObject(with: scratch.data("jupyter/dense.ipynb")) as? [String: Any])
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        let figure = try XCTUnwrap(((cells.last?["outputs"] as? [[String: Any]])?.first?["data"]) as? [String: Any])
        XCTAssertNil(figure["image/svg+xml"])
        XCTAssertEqual(Self.pngSize(try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(figure["image/png"] as? String)))).map { [$0.width, $0.height] }, [800, 600])
    }

    func testAFailedPNGDrawingKeepsTheLastGoodPNG() throws {
        try scratch.write("Notebooks/dense.md", Self.notebook(format: " format=png"))
        XCTAssertEqual(try scratch.run(["run", "Notebooks/dense.md"]).status, 0)
        let good = try scratch.data("out/dense.png")
        try scratch.edit("Notebooks/dense.md") { $0.replacingOccurrences(of: "with points", with: "with pointz") }
        let outcome = try scratch.run(["run", "Notebooks/dense.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(try scratch.data("out/dense.png"), good)
        let html = try scratch.read("out/dense.html")
        XCTAssertTrue(html.contains("Showing the last good figure"))
        XCTAssertTrue(html.contains("data:image/png;base64,\(good.base64EncodedString())"))
    }

    func testAnUnknownFormatIsRefusedAtItsLine() throws {
        try scratch.write("Notebooks/dense.md", Self.notebook(format: " format=jpeg"))
        let outcome = try scratch.run(["run", "Notebooks/dense.md"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/dense.md:9"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("'jpeg' is not a figure format (svg or png)"), outcome.stderr)
    }
}
