import Foundation
import XCTest

/// Runs the built `notebook` command on the small notebooks in `Notebooks/` beside this file.
final class NotebookEndToEndTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() {
        scratch.remove()
    }

    func testOutputsSitUnderTheirBlocksAndTheTableReachesTheSVG() throws {
        let outcome = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try scratch.read("out/cells.html")
        XCTAssertTrue(scratch.section(html, block: 1).contains("block one: 7 points"))
        XCTAssertTrue(scratch.section(html, block: 1).contains("library digest from the runner: true"), "the run manifest's kernel digest reaches the program")
        XCTAssertFalse(scratch.section(html, block: 1).contains("block two"))
        XCTAssertTrue(scratch.section(html, block: 2).contains("block two sees scale = 2.0"))
        XCTAssertEqual(
            try scratch.read("out/data/cells/squares.tsv"),
            "x\ty\n0.0\t0.0\n1.0\t2.0\n2.0\t8.0\n3.0\t18.0\n4.0\t32.0\n5.0\t50.0\n6.0\t72.0\n")
        let svg = try scratch.read("out/cells-squares.svg")
        let points = svg.components(separatedBy: "\n").filter { $0.contains("<use") && $0.contains("translate(") }
        XCTAssertEqual(points.count, 7, "one point symbol per table row")
        XCTAssertEqual(try scratch.data("out/cells-squares.png").prefix(4), Data([0x89, 0x50, 0x4e, 0x47]))
        XCTAssertTrue(html.contains("data:image/svg+xml;base64,"), "the figure is inline")
        XCTAssertTrue(try scratch.read("out/index.html").contains("cells.html"))
    }

    func testAnUnchangedRunExecutesNothingAndAProseEditOnlyRerenders() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let program = scratch.folder.appendingPathComponent("cache/cells")
        let second = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("unchanged: nothing ran"), second.stderr)
        XCTAssertFalse(second.stderr.contains("compiling"))

        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "Prose between the blocks.", with: "Edited prose.") }
        let third = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertFalse(third.stderr.contains("compiling"), third.stderr)
        XCTAssertFalse(third.stderr.contains("drawing"), third.stderr)
        XCTAssertTrue(try scratch.read("out/cells.html").contains("Edited prose."))

        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "lw 4", with: "lw 3") }
        let fourth = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertFalse(fourth.stderr.contains("compiling"), fourth.stderr)
        XCTAssertTrue(fourth.stderr.contains("drawing cells-squares"), fourth.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: program.path))

        let forced = try scratch.run(["run", "Notebooks/cells.md", "--force"])
        XCTAssertTrue(forced.stderr.contains("compiling"), forced.stderr)
    }

    func testParametersAreTypedOverriddenAndUnknownOnesRefused() throws {
        let outcome = try scratch.run(["run", "Notebooks/cells.md", "--param", "points=3"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertEqual(try scratch.read("out/data/cells/squares.tsv").split(separator: "\n").count, 4)
        XCTAssertTrue(try scratch.read("out/cells.html").contains("Run with non-default parameters: points = 3"))

        let unknown = try scratch.run(["run", "Notebooks/cells.md", "--param", "pionts=3"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("Notebooks/cells.md: error: unknown parameter 'pionts' (it declares points, scale)"), unknown.stderr)

        let mistyped = try scratch.run(["run", "Notebooks/cells.md", "--param", "points=many"])
        XCTAssertEqual(mistyped.status, 2)
        XCTAssertTrue(mistyped.stderr.contains("parameter 'points' = 'many' is not an integer"), mistyped.stderr)
    }

    func testATrapIsReportedAtItsNotebookLineAndLaterBlocksDoNotRun() throws {
        let outcome = try scratch.run(["run", "Notebooks/trap.md", "Notebooks/cells.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("FAILED: Notebooks/trap.md:11: Fatal error: Index out of range"), outcome.stderr)
        let html = try scratch.read("out/trap.html")
        XCTAssertTrue(scratch.section(html, block: 1).contains("first block ran"))
        XCTAssertTrue(scratch.section(html, block: 2).contains("second block starts"))
        XCTAssertTrue(scratch.section(html, block: 2).contains("Notebooks/trap.md:11"))
        XCTAssertTrue(scratch.section(html, block: 3).contains("not run"))
        XCTAssertFalse(html.contains("third block never runs\n</pre>"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: scratch.folder.appendingPathComponent("out/cells.html").path),
                      "the other notebook still renders")
    }

    func testACompileErrorPointsAtTheNotebookLineAndEarlierBlocksStillRun() throws {
        let outcome = try scratch.run(["run", "Notebooks/compile-error.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/compile-error.md:8: error: cannot convert value of type 'String'"), outcome.stderr)
        let html = try scratch.read("out/compile-error.html")
        XCTAssertTrue(scratch.section(html, block: 1).contains("first block ran"))
        XCTAssertTrue(scratch.section(html, block: 2).contains("failed"))
    }

    func testATimeoutStopsTheProgramAndSaysSo() throws {
        let start = Date()
        let outcome = try scratch.run(["run", "Notebooks/timeout.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/timeout.md:6: did not finish within the time limit of 2.0 s"), outcome.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/timeout.html"), block: 1).contains("going to sleep"))
    }

    func testAFailedDrawingKeepsTheLastGoodFigure() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let good = try scratch.data("out/cells-squares.svg")
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "with linespoints", with: "with linezpoints") }
        let outcome = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/cells.md:30: gnuplot: unrecognized plot type"), outcome.stderr)
        XCTAssertEqual(try scratch.data("out/cells-squares.svg"), good)
        XCTAssertTrue(try scratch.read("out/cells.html").contains("Showing the last good figure"))
    }

    func testMalformedNotebooksGetFileAndLine() throws {
        let unterminated = scratch.folder.appendingPathComponent("Notebooks/unterminated.md")
        try Data("# Title\n\n```swift\nprint(1)\n".utf8).write(to: unterminated)
        var outcome = try scratch.run(["run", "Notebooks/unterminated.md"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/unterminated.md:3: error: the code fence ```swift opened here is never closed"), outcome.stderr)

        try Data("# Title\n\n```gnuplot data=t colour=red\nplot $t\n```\n".utf8).write(to: unterminated)
        outcome = try scratch.run(["run", "Notebooks/unterminated.md"])
        XCTAssertEqual(outcome.status, 2)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/unterminated.md:3: error: unknown block option 'colour' (known options: data, figure, caption, size, format)"), outcome.stderr)
    }

    /// A notebook reads another's tables (`inputs: [Notebooks/writer.md]`): the writer runs first
    /// whatever the order given, the reader re-runs when the writer's tables change, and an input
    /// `$NAME` re-runs it when the environment variable points elsewhere.
    func testANotebookReadsAnotherNotebooksTablesAndFollowsItsInputs() throws {
        try scratch.write("Notebooks/writer.md", """
            ```swift
            var words = Table("words", columns: ["word"])
            words.append("alpha")
            words.emit()
            ```
            """)
        try scratch.write("Notebooks/reader.md", """
            ---
            inputs: [Notebooks/writer.md, $READER_INPUT]
            ---
            ```swift
            print("read: " + Table.load("words", from: "writer").strings("word").joined(separator: ","))
            ```
            """)
        try scratch.write("one.txt", "1")
        try scratch.write("two.txt", "2")
        let first = try scratch.run(["run", "Notebooks/reader.md", "Notebooks/writer.md"], environment: ["READER_INPUT": "one.txt"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertLessThan(try XCTUnwrap(first.stderr.range(of: "writer.md: ran")).lowerBound,
                          try XCTUnwrap(first.stderr.range(of: "reader.md: ran")).lowerBound, first.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/reader.html"), block: 1).contains("read: alpha"))

        let unchanged = try scratch.run(["run", "Notebooks/reader.md", "Notebooks/writer.md"], environment: ["READER_INPUT": "one.txt"])
        XCTAssertTrue(unchanged.stderr.contains("reader.md: unchanged"), unchanged.stderr)
        let moved = try scratch.run(["run", "Notebooks/reader.md"], environment: ["READER_INPUT": "two.txt"])
        XCTAssertTrue(moved.stderr.contains("reader.md: ran"), moved.stderr)

        try scratch.edit("Notebooks/writer.md") { $0.replacingOccurrences(of: "\"alpha\"", with: "\"beta\"") }
        let edited = try scratch.run(["run", "Notebooks/writer.md", "Notebooks/reader.md"], environment: ["READER_INPUT": "two.txt"])
        XCTAssertEqual(edited.status, 0, edited.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/reader.html"), block: 1).contains("read: beta"))
    }
}
