import Foundation
import NotebookEngine
import XCTest

/// Block-level re-execution: an edit to block k re-runs blocks k, k+1, … with the values blocks
/// 0…k−1 left, restored from the earlier run's snapshot; whatever cannot be restored runs from
/// the top. Which blocks ran is read from side effects (a counter file per block), never from timing.
final class BlockResumptionTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Notebooks/state.md", Self.notebook)
    }

    override func tearDown() {
        scratch.remove()
    }

    /// Four blocks; the first two count their runs in `ran-1.txt`, `ran-2.txt`. The first leaves
    /// a Codable value (a struct with a NaN, an infinity and 0.1 + 0.2), an array, a table and a
    /// function; the second a table built from them; the third only prints; the fourth reads all of it.
    static let notebook = """
        ---
        title: Kept state
        parameters:
          scale: 2
        ---
        ```swift
        func count(_ file: String) -> Int {
            let url = URL(fileURLWithPath: file)
            let runs = ((try? String(contentsOf: url, encoding: .utf8)).flatMap { Int($0) } ?? 0) + 1
            try! "\\(runs)".write(to: url, atomically: true, encoding: .utf8)
            return runs
        }
        struct Summary: Codable, Equatable {
            var total: Double
            var odd: [Double]
        }
        let firstRuns = count("ran-1.txt")
        var values = (1...5).map { Double($0) * Double(Parameters.int("scale")) }
        let summary = Summary(total: values.reduce(0, +),
                              odd: [.nan, -.infinity, 0.1 + 0.2])
        let handle = FileHandle.standardError
        print("block one ran")
        check("the first block total is 15 times the scale", summary.total == 15 * Double(Parameters.int("scale")))
        ```

        The total is `{swift} summary.total`.

        ```swift
        let secondRuns = count("ran-2.txt")
        var table = Table("doubled", columns: ["x"])
        for v in values { table.append(2 * v) }
        table.emit()
        print("block two: \\(values.count) values")
        ```

        ```swift
        print("a block of statements only")
        ```

        ```swift
        print("block three: total \\(summary.total), sum \\(table.doubles("x").reduce(0, +))")
        print("exact: \\(summary.odd[0].isNaN) \\(summary.odd[1] == -.infinity) \\((summary.odd[2]).bitPattern == (0.1 + 0.2).bitPattern)")
        ```

        """

    func runs(_ block: Int) throws -> Int { Int(try scratch.read("ran-\(block).txt")) ?? -1 }

    func render(_ arguments: [String] = []) throws -> NotebookProcess.Outcome {
        let outcome = try scratch.run(["run", "Notebooks/state.md"] + arguments)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        return outcome
    }

    func testALastBlockEditRestoresTheEarlierBlocksValuesExactly() throws {
        _ = try render()
        XCTAssertEqual(try runs(1), 1)
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "block three: total", with: "block three, edited: total") }
        let edited = try render()
        XCTAssertTrue(edited.stderr.contains("restored blocks 1–3 from the run of"), edited.stderr)
        XCTAssertTrue(edited.stderr.contains("running block 4"), edited.stderr)
        XCTAssertEqual(try runs(1), 1, "the first block did not run again")
        XCTAssertEqual(try runs(2), 1, "nor the second")
        let html = try scratch.read("out/state.html")
        XCTAssertTrue(scratch.section(html, block: 4).contains("block three, edited: total 30.0, sum 60.0"), scratch.section(html, block: 4))
        XCTAssertTrue(scratch.section(html, block: 4).contains("exact: true true true"), "NaN, -inf and 0.1 + 0.2 come back bit for bit")
        XCTAssertTrue(scratch.section(html, block: 1).contains("block one ran"), "the restored block's output is the earlier run's")
        XCTAssertTrue(html.contains("The total is <span class=\"inline-value\">30<"), "the inline value before block two is kept")
        XCTAssertEqual(try scratch.read("out/data/state/doubled.tsv"), "x\n4.0\n8.0\n12.0\n16.0\n20.0\n", "the restored block's table is kept")
        XCTAssertTrue(html.contains("the first block total is 15 times the scale"), "its claim too")
    }

    func testAMiddleEditRerunsFromThatBlock() throws {
        _ = try render()
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "append(2 * v)", with: "append(3 * v)") }
        let edited = try render()
        XCTAssertTrue(edited.stderr.contains("restored block 1 from the run of"), edited.stderr)
        XCTAssertEqual(try runs(1), 1)
        XCTAssertEqual(try runs(2), 2)
        XCTAssertTrue(scratch.section(try scratch.read("out/state.html"), block: 4).contains("sum 90.0"))
        // An edit to the first block re-runs everything.
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "print(\"block one ran\")", with: "print(\"block one ran again\")") }
        _ = try render()
        XCTAssertEqual(try runs(1), 2)
        XCTAssertEqual(try runs(2), 3)
    }

    func testACommentEditRunsNothingAndAValueThatIsNotCodableRunsFromTheTop() throws {
        _ = try render()
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "print(\"block two", with: "// a comment\nprint(\"block two") }
        let commented = try render()
        XCTAssertTrue(commented.stderr.contains("unchanged: nothing ran"), commented.stderr)
        // The last block now uses `handle`, a FileHandle: no snapshot holds it.
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "print(\"exact:", with: "_ = handle\nprint(\"exact:") }
        let fallback = try render()
        XCTAssertTrue(fallback.stderr.contains("running from the first block"), fallback.stderr)
        XCTAssertTrue(fallback.stderr.contains("uses 'handle'"), fallback.stderr)
        XCTAssertEqual(try runs(1), 2)
        XCTAssertEqual(try runs(2), 2)
    }

    func testForceAndAParameterChangeRerunEverything() throws {
        _ = try render()
        _ = try render(["--force"])
        XCTAssertEqual(try runs(1), 2)
        XCTAssertEqual(try runs(2), 2)
        let changed = try render(["--param", "scale=3"])
        XCTAssertFalse(changed.stderr.contains("restored"), changed.stderr)
        XCTAssertEqual(try runs(1), 3)
        XCTAssertTrue(scratch.section(try scratch.read("out/state.html"), block: 4).contains("sum 90.0"))
        // Back to the first parameters, then a last-block edit: it resumes from the run with those.
        try scratch.edit("Notebooks/state.md") { $0.replacingOccurrences(of: "block three: total", with: "block three again: total") }
        let resumed = try render()
        XCTAssertTrue(resumed.stderr.contains("restored blocks 1–3"), resumed.stderr)
        XCTAssertEqual(try runs(1), 3)
        XCTAssertTrue(scratch.section(try scratch.read("out/state.html"), block: 4).contains("sum 60.0"))
    }

    /// A block with a top-level `#if` still runs (its names are not saved: one may not be declared),
    /// and an edit after it runs from the first block.
    func testABlockWithATopLevelIfRunsAndIsNotRestored() throws {
        try scratch.write("Notebooks/conditional.md", """
            ```swift
            #if NEVER_DEFINED
            let hidden = 1
            #endif
            let shown = 2
            ```

            ```swift
            print("shown is \\(shown)")
            ```

            """)
        let first = try scratch.run(["run", "Notebooks/conditional.md"])
        XCTAssertEqual(first.status, 0, first.stderr)
        try scratch.edit("Notebooks/conditional.md") { $0.replacingOccurrences(of: "shown is", with: "shown, edited, is") }
        let second = try scratch.run(["run", "Notebooks/conditional.md"])
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("running from the first block"), second.stderr)
        XCTAssertTrue(second.stderr.contains("#if at the top level"), second.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/conditional.html"), block: 2).contains("shown, edited, is 2"))
    }

    /// A value that is not Codable (a progress counter), named only by the initializer of a
    /// Codable one, stands in for the type checker: a later edit still resumes, twice.
    func testAValueOnlyARestoredInitializerNamesDoesNotStopTheResume() throws {
        try scratch.write("Notebooks/ticks.md", """
            ```swift
            final class Ticks { var count = 0; func tick() { count += 1 } }
            let ticks = Ticks()
            let runs = ((try? String(contentsOfFile: "ran-1.txt", encoding: .utf8)).flatMap { Int($0) } ?? 0) + 1
            try! "\\(runs)".write(toFile: "ran-1.txt", atomically: true, encoding: .utf8)
            let squares = (1...4).map { k -> Int in ticks.tick(); return k * k }
            ```

            ```swift
            print("squares \\(squares)")
            ```

            """)
        XCTAssertEqual(try scratch.run(["run", "Notebooks/ticks.md"]).status, 0)
        for (before, edit) in [("squares", "squares, edited,"), ("squares, edited,", "squares, edited twice,")] {
            try scratch.edit("Notebooks/ticks.md") { $0.replacingOccurrences(of: #"print(""# + before, with: #"print(""# + edit) }
            let outcome = try scratch.run(["run", "Notebooks/ticks.md"])
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("restored block 1"), outcome.stderr)
            XCTAssertTrue(scratch.section(try scratch.read("out/ticks.html"), block: 2).contains("\(edit) [1, 4, 9, 16]"))
        }
        XCTAssertEqual(try runs(1), 1, "the first block ran once")
    }

    func testTopLevelItemsAreReadAsTheRestoreNeedsThem() {
        let items = SwiftTopLevel("""
            @MainActor
            func f() -> Int { 1 }
            nonisolated(unsafe) var counts: [String: Int] = [:]  // a comment { (
            let total = values
                .map { $0 * 2 }
                .reduce(0, +)
            let label = "braces { in \\(total) strings" +
                "continue"
            let (a, b) = (1, 2)
            let x = 1, y = 2
            for v in values { print(v) }
            #if DEBUG
            #endif
            struct S: Codable { var x: Int }
            let s = try S(x: 1); print(s)
            @available(*, deprecated, message: "old")
            @inline(__always)
            func g() {}
            """).items
        XCTAssertEqual(items.count, 13, items.map(\.text).joined(separator: "\n---\n"))
        XCTAssertEqual(items[0].kind, .declaration(function: "f"))
        XCTAssertEqual(items[1].kind, .binding(.init(introducer: "nonisolated(unsafe) var", name: "counts", type: "[String: Int]", initializer: "[:]")))
        XCTAssertEqual(items[2].kind, .binding(.init(introducer: "let", name: "total", type: nil, initializer: "values\n    .map { $0 * 2 }\n    .reduce(0, +)")))
        XCTAssertEqual(items[2].line, 3)
        guard case .binding(let label) = items[3].kind else { return XCTFail("\(items[3])") }
        XCTAssertEqual(label.name, "label")
        XCTAssertTrue(items[3].identifiers.contains("total"), "a name inside an interpolation counts as used")
        guard case .unsupported = items[4].kind, case .unsupported = items[5].kind else { return XCTFail("\(items[4]) \(items[5])") }
        XCTAssertEqual(items[6].kind, .statement)
        guard case .unsupported = items[7].kind else { return XCTFail("\(items[7])") }
        XCTAssertEqual(items[9].kind, .declaration(function: nil))
        XCTAssertEqual(items[10].kind, .binding(.init(introducer: "let", name: "s", type: nil, initializer: "try S(x: 1)")))
        XCTAssertEqual(items[11].kind, .statement)
        XCTAssertEqual(items[12].kind, .declaration(function: "g"), "attributes on lines of their own stay with their declaration")
    }
}
