import Foundation
import XCTest

/// Where a report puts a block's tables: after the figure drawn from them, not between the block
/// (and its claims) and the figure; a table no figure draws stays under its block.
final class ReportLayoutTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() {
        scratch.remove()
    }

    func testTablesFollowTheFigureDrawnFromThem() throws {
        try scratch.write("Notebooks/order.md", """
        ---
        title: Order
        ---
        # Order

        ```swift
        var drawn = Table("drawn", columns: ["x", "y"])
        var kept = Table("kept", columns: ["k"])
        for x in 0..<3 { drawn.append(Double(x), Double(x * x)); kept.append(x) }
        drawn.emit()
        kept.emit()
        check("three rows", drawn.rows.count == 3)
        ```

        Prose between the block and its figure.

        ```gnuplot data=drawn figure=order-figure size=400,300
        plot $drawn using "x":"y" with lines notitle
        ```

        The end.
        """)
        let outcome = try scratch.run(["run", "Notebooks/order.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try scratch.read("out/order.html")
        let block = scratch.section(html, block: 1)
        XCTAssertFalse(block.contains("Table  drawn"), "the drawn table is not under its block")
        XCTAssertTrue(block.contains("Table  kept"), "a table no figure draws stays under its block")
        XCTAssertTrue(block.contains("three rows"), "the claim stays under its block")
        let figure = try XCTUnwrap(html.range(of: "<figure")).lowerBound
        let drawn = try XCTUnwrap(html.range(of: "Table <code>drawn</code>")).lowerBound
        let prose = try XCTUnwrap(html.range(of: "Prose between the block and its figure.")).lowerBound
        let end = try XCTUnwrap(html.range(of: "The end.")).lowerBound
        XCTAssertLessThan(prose, figure)
        XCTAssertLessThan(figure, drawn, "the table after its figure")
        XCTAssertLessThan(drawn, end, "and before the prose after the figure")
    }
}
