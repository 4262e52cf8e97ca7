import Foundation
import XCTest

/// A block's standard error is kept apart from its output: the report shows the output as
/// printed and the standard error folded after it (open when the block failed or timed out),
/// the terminal gets it, the cache and a block-level resume keep it, and the Jupyter export
/// carries it as a `stderr` stream.
final class StandardErrorTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() { scratch.remove() }

    static let notebook = """
        ---
        title: Streams
        ---
        # Streams

        ```swift
        print("result on standard output")
        FileHandle.standardError.write(Data("notice: chunk \\(1 + 2) recomputed\\nnotice: second line\\n".utf8))
        print("more output")
        let answer = 42
        ```

        ```swift
        print("second block: \\(answer)")
        ```

        """

    /// The HTML of Swift block `number`'s section (1-based), tags kept.
    func section(_ html: String, block number: Int) -> String {
        guard let start = html.range(of: "id=\"block-\(number)\"") else { return "" }
        let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)?.lowerBound ?? html.endIndex
        return String(html[start.lowerBound..<end])
    }

    /// The text of the block's `<pre class="output">`.
    func output(_ section: String) -> String {
        guard let start = section.range(of: "<pre class=\"output\">"),
              let end = section.range(of: "</pre>", range: start.upperBound..<section.endIndex) else { return "" }
        return String(section[start.upperBound..<end.lowerBound])
    }

    func testStandardErrorIsFoldedApartAndTheCachedAndResumedRunsShowTheSame() throws {
        try scratch.write("Notebooks/streams.md", Self.notebook)
        let first = try scratch.run(["run", "Notebooks/streams.md"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let html = try scratch.read("out/streams.html")
        let block = section(html, block: 1)
        XCTAssertEqual(output(block), "result on standard output\nmore output\n", "the output as printed, without the notices")
        XCTAssertTrue(
            block.contains("<details class=\"stderr\"><summary>standard error (2 lines)</summary>"
                + "<pre>notice: chunk 3 recomputed\nnotice: second line</pre></details>"), block)
        XCTAssertLessThan(
            try XCTUnwrap(block.range(of: "<pre class=\"output\">")).lowerBound, try XCTUnwrap(block.range(of: "details class=\"stderr\"")).lowerBound,
            "after the output")
        XCTAssertFalse(section(html, block: 2).contains("stderr"), "a block that wrote none has none")
        XCTAssertEqual(html.components(separatedBy: "notice: chunk 3 recomputed").count, 2, "only in the folded element (the listing computes it)")
        // The terminal keeps it.
        XCTAssertTrue(first.stderr.contains("standard error of Swift block 1 (line 6):\n  notice: chunk 3 recomputed\n  notice: second line"), first.stderr)

        // From the cache: the same sections.
        let cached = try scratch.run(["run", "Notebooks/streams.md"])
        XCTAssertTrue(cached.stderr.contains("unchanged: nothing ran"), cached.stderr)
        let again = try scratch.read("out/streams.html")
        XCTAssertEqual(section(again, block: 1), block)
        XCTAssertEqual(section(again, block: 2), section(html, block: 2))

        // Block 2 edited: block 1 is restored from the kept run, its standard error with it.
        try scratch.edit("Notebooks/streams.md") { $0.replacingOccurrences(of: "second block:", with: "block two:") }
        let resumed = try scratch.run(["run", "Notebooks/streams.md"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("restored block 1"), resumed.stderr)
        XCTAssertFalse(resumed.stderr.contains("standard error of Swift block 1"), "block 1 did not run again")
        let restored = try scratch.read("out/streams.html")
        XCTAssertEqual(section(restored, block: 1).replacingOccurrences(of: #" · [0-9.]+ m?s"#, with: "", options: .regularExpression),
                       block.replacingOccurrences(of: #" · [0-9.]+ m?s"#, with: "", options: .regularExpression))
        XCTAssertTrue(section(restored, block: 2).contains("block two: 42"))

        // The Jupyter export: a stdout stream, then a stderr stream.
        let export = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/streams.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(export.status, 0, export.stderr)
        let notebook = try XCTUnwrap(try JSONSerialization.jsonObject(with: scratch.data("jupyter/streams.ipynb")) as? [String: Any])
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        let code = try XCTUnwrap(cells.first { $0["cell_type"] as? String == "code" })
        let outputs = try XCTUnwrap(code["outputs"] as? [[String: Any]])
        let streams = outputs.filter { $0["output_type"] as? String == "stream" }
        XCTAssertEqual(streams.map { $0["name"] as? String }, ["stdout", "stderr"])
        XCTAssertEqual((streams[0]["text"] as? [String])?.joined(), "result on standard output\nmore output\n")
        XCTAssertEqual((streams[1]["text"] as? [String])?.joined(), "notice: chunk 3 recomputed\nnotice: second line\n")
    }

    func testAFailedBlockShowsItsStandardErrorOpen() throws {
        try scratch.write("Notebooks/fails.md", """
            # Fails

            ```swift
            print("before the failure")
            FileHandle.standardError.write(Data("warning: the input looks wrong\\n".utf8))
            let values = [1, 2, 3]
            print(values[values.count + 1])
            ```

            """)
        let outcome = try scratch.run(["run", "Notebooks/fails.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("FAILED: Notebooks/fails.md:7: Fatal error: Index out of range"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("  warning: the input looks wrong"), outcome.stderr)
        let block = section(try scratch.read("out/fails.html"), block: 1)
        XCTAssertEqual(output(block), "before the failure")
        XCTAssertFalse(block.contains("output cut"), "nothing of the output is missing: " + block)
        XCTAssertTrue(block.contains("<details class=\"stderr open\" open><summary>standard error ("), block)
        XCTAssertTrue(block.contains("warning: the input looks wrong\n"), block)
        XCTAssertTrue(block.contains("Fatal error: Index out of range"), "the trap's message is in it: " + block)
        XCTAssertTrue(block.contains("Notebooks/fails.md:7"), "the error names the line")
    }

    func testATimedOutBlockShowsItsStandardErrorOpen() throws {
        try scratch.write("Notebooks/slow.md", """
            ---
            timeout: 2
            ---
            # Slow

            ```swift
            FileHandle.standardError.write(Data("starting the long part\\n".utf8))
            Thread.sleep(forTimeInterval: 60)
            ```

            """)
        let outcome = try scratch.run(["run", "Notebooks/slow.md"])
        XCTAssertEqual(outcome.status, 1)
        let block = section(try scratch.read("out/slow.html"), block: 1)
        XCTAssertTrue(block.contains("<details class=\"stderr open\" open><summary>standard error (1 line)</summary><pre>starting the long part</pre>"), block)
    }
}
