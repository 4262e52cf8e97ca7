import Foundation
import NotebookEngine
import NotebookRuntime
import XCTest

/// `notebook verify`: a render's tables set against a reference's, column by column, with the
/// tolerances a notebook declares in `verify:`, and its verdicts statement by statement.
final class VerificationTests: XCTestCase {
    private func tolerances(_ yaml: String) throws -> VerificationTolerances {
        try NotebookParser().parse("---\ntitle: T\nverify:\n\(yaml)\n---\ntext\n", path: "v.md").verification
    }

    func testTolerancesAreReadMostSpecificFirst() throws {
        let t = try tolerances("""
          default: 1e-12
          sweep: {tolerance: 1e-6, basis: "runs stop within 1e-6 of their limit"}
          sweep.count: 0
        """)
        XCTAssertEqual(t.tolerance(table: "sweep", column: "count").value, 0)
        XCTAssertEqual(t.tolerance(table: "sweep", column: "count").entry, "sweep.count")
        XCTAssertEqual(t.tolerance(table: "sweep", column: "norm").value, 1e-6)
        XCTAssertEqual(t.tolerance(table: "sweep", column: "norm").basis, "runs stop within 1e-6 of their limit")
        XCTAssertEqual(t.tolerance(table: "other", column: "x").value, 1e-12)
        XCTAssertEqual(t.tolerance(table: "other", column: "x").entry, "default")
        XCTAssertEqual(try tolerances("  sweep: 1e-3").tolerance(table: "x", column: "y").value, 0, "no default: identical cells")
    }

    func testMalformedTolerancesAreBadInputAtTheirLine() {
        let cases: [(yaml: String, line: Int, words: String)] = [
            ("  sweep: -1", 4, "finite number ≥ 0"),
            ("  sweep: many", 4, "finite number ≥ 0"),
            ("  sweep: .nan", 4, "finite number ≥ 0"),
            ("  1sweep: 1e-6", 4, "a key is default"),
            ("  sweep.: 1e-6", 4, "a key is default"),
            ("  sweep: {tolerance: 1e-6, colour: red}", 4, "the fields are tolerance, absolute, where and basis"),
            ("  sweep: {tolerance: 1e-6, absolute: -1}", 4, "finite number ≥ 0 or any"),
            ("  - 1e-6", 3, "verify is a mapping"),
        ]
        for (yaml, line, words) in cases {
            XCTAssertThrowsError(try tolerances(yaml), yaml) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("v.md:\(line): "), "\(yaml): \(text)")
                XCTAssertTrue(text.contains(words), "\(yaml): \(text)")
            }
        }
    }

    private func table(_ rows: [[String]], columns: [String] = ["name", "delta", "status"]) -> Table {
        Table(columns: columns, rows: rows)
    }

    func testNumericColumnsWithinTheirToleranceRelativeToTheColumnsScale() throws {
        let tolerances = try self.tolerances("  runs: {tolerance: 1e-6, basis: stationarity}")
        let reference = table([["a", "1.5", "solved"], ["b", "1e-13", "solved"], ["c", "0.25", "solved"]])
        // 1e-13 → 3e-13 is a relative change of 2 but 1.3e-13 of the column's scale 1.5; 0.25 moves by 6e-7 of it.
        let candidate = table([["a", "1.5", "solved"], ["b", "3e-13", "solved"], ["c", "0.2500009", "solved"]])
        let comparison = TableComparison(table: "runs", reference: reference, candidate: candidate, tolerances: tolerances)
        XCTAssertEqual(comparison.outcome, .withinTolerance)
        let delta = try XCTUnwrap(comparison.columns.first { $0.name == "delta" })
        XCTAssertEqual(delta.outcome, .withinTolerance)
        XCTAssertEqual(delta.differingRows, 2)
        XCTAssertEqual(delta.row, 3, "the largest difference is row 3's")
        XCTAssertEqual(try XCTUnwrap(delta.largestDifference), 9e-7 / 1.5, accuracy: 1e-12)
        XCTAssertEqual(comparison.columns.first { $0.name == "name" }?.outcome, .identical)
        XCTAssertEqual(TableComparison(table: "runs", reference: reference, candidate: reference, tolerances: tolerances).outcome, .identical)
    }

    func testBeyondTheTolerance() throws {
        let tolerances = try self.tolerances("  runs: 1e-6")
        let reference = table([["a", "1.5", "solved"], ["b", "0.5", "solved"]])
        let candidate = table([["a", "1.5", "solved"], ["b", "0.5015", "solved"]])
        let delta = try XCTUnwrap(TableComparison(table: "runs", reference: reference, candidate: candidate, tolerances: tolerances)
            .columns.first { $0.name == "delta" })
        XCTAssertEqual(delta.outcome, .beyond)
        XCTAssertEqual(try XCTUnwrap(delta.largestDifference), 0.0015 / 1.5, accuracy: 1e-12)
        XCTAssertEqual(delta.row, 2)
        XCTAssertEqual(delta.reference, "0.5")
        XCTAssertEqual(delta.candidate, "0.5015")
        // With no tolerance declared, any numeric difference is beyond; the same number written
        // otherwise is not.
        let strict = try XCTUnwrap(TableComparison(table: "runs", reference: reference, candidate: candidate, tolerances: .init())
            .columns.first { $0.name == "delta" })
        XCTAssertEqual(strict.outcome, .beyond)
        let rewritten = table([["a", "1.50", "solved"], ["b", "5e-1", "solved"]])
        XCTAssertEqual(TableComparison(table: "runs", reference: reference, candidate: rewritten, tolerances: .init()).outcome, .withinTolerance)
    }

    /// An absolute part covers a column of round-off residuals; `any` accepts any value of a diagnostic.
    func testAbsoluteToleranceAndDiagnostics() throws {
        let tolerances = try self.tolerances("""
          runs.delta: {tolerance: 1e-6, absolute: 1e-12, basis: "residuals below 1e-12 are round-off"}
          runs.status: {tolerance: any, basis: "never numbers: text stays compared"}
          steps: {tolerance: any, basis: "how the integrator went"}
        """)
        let reference = table([["a", "3.5e-14", "solved"], ["b", "1.2e-15", "solved"]])
        // 3.5e-14 → 3.1e-14 is 11% of the column's scale but 4e-15 absolute: within 1e-12.
        let residuals = TableComparison(table: "runs", reference: reference,
                                        candidate: table([["a", "3.1e-14", "solved"], ["b", "1.9e-15", "solved"]]), tolerances: tolerances)
        XCTAssertEqual(residuals.columns.first { $0.name == "delta" }?.outcome, .withinTolerance)
        let far = TableComparison(table: "runs", reference: reference,
                                  candidate: table([["a", "2e-12", "solved"], ["b", "1.2e-15", "solved"]]), tolerances: tolerances)
        XCTAssertEqual(far.columns.first { $0.name == "delta" }?.outcome, .beyond, "2e-12 − 3.5e-14 is beyond 1e-12")
        let status = TableComparison(table: "runs", reference: reference,
                                     candidate: table([["a", "3.5e-14", "time_limit"], ["b", "1.2e-15", "solved"]]), tolerances: tolerances)
        XCTAssertEqual(status.columns.first { $0.name == "status" }?.outcome, .beyond, "any tolerance leaves text compared")
        // where: a Δ compared only in the rows whose run is solved; the status itself stays compared.
        let conditional = try self.tolerances("  runs.delta: {tolerance: 1e-6, where: \"status=solved\"}")
        let stopped = table([["a", "0.5", "solved"], ["b", "2903.85", "diverged"]])
        let moved = TableComparison(table: "runs", reference: stopped,
                                    candidate: table([["a", "0.5", "solved"], ["b", "2902.30", "diverged"]]), tolerances: conditional)
        XCTAssertEqual(moved.outcome, .identical, "a diverged run's stopping point is not compared")
        let solvedMoved = TableComparison(table: "runs", reference: stopped,
                                          candidate: table([["a", "0.51", "solved"], ["b", "2903.85", "diverged"]]), tolerances: conditional)
        XCTAssertEqual(solvedMoved.outcome, .beyond)
        XCTAssertThrowsError(try self.tolerances("  runs.delta: {tolerance: 1e-6, where: status}"))
        let steps = TableComparison(table: "steps", reference: table([["a", "3251", "x"]], columns: ["name", "steps", "s"]),
                                    candidate: table([["a", "9999", "x"]], columns: ["name", "steps", "s"]), tolerances: tolerances)
        XCTAssertEqual(steps.outcome, .withinTolerance)
    }

    func testTextStatusesNaNAndShapes() throws {
        let tolerances = try self.tolerances("  default: 1")
        let reference = table([["a", "1", "solved"], ["b", "NaN", "time_limit"]])
        let status = TableComparison(table: "runs", reference: reference,
                                     candidate: table([["a", "1", "solved"], ["b", "NaN", "solved"]]), tolerances: tolerances)
        XCTAssertEqual(status.columns.first { $0.name == "status" }?.outcome, .beyond, "a status that changed is beyond any tolerance")
        XCTAssertEqual(status.columns.first { $0.name == "delta" }?.outcome, .identical)
        let nan = TableComparison(table: "runs", reference: reference,
                                  candidate: table([["a", "1", "solved"], ["b", "0.5", "time_limit"]]), tolerances: tolerances)
        XCTAssertEqual(nan.columns.first { $0.name == "delta" }?.outcome, .beyond, "NaN against a number is infinitely far")
        let rows = TableComparison(table: "runs", reference: reference, candidate: table([["a", "1", "solved"]]), tolerances: tolerances)
        XCTAssertEqual(rows.outcome, .beyond)
        XCTAssertEqual(rows.notes, ["1 rows where the reference has 2"])
        let columns = TableComparison(table: "runs", reference: reference,
                                      candidate: table([["a", "1"], ["b", "NaN"]], columns: ["name", "delta"]), tolerances: tolerances)
        XCTAssertEqual(columns.notes, ["columns missing: status"])
        XCTAssertEqual(TableComparison(table: "runs", reference: reference, candidate: nil, tolerances: tolerances).notes, ["missing from the new render"])
    }

    func testTableReadsWhatTheRuntimeWrites() {
        let table = Table(tsv: "a\tb\r\n1\t\n2\t3\t4\n")
        XCTAssertEqual(table.columns, ["a", "b"])
        XCTAssertEqual(table.rows, [["1", ""], ["2", "3"]])
        XCTAssertEqual(Table(tsv: table.tsv), table)
    }

    /// Two renders of a notebook through the built `notebook`: the same render verifies (exit 0),
    /// a table edited beyond its tolerance or a changed verdict does not (exit 1, named in the
    /// summary and the page), a missing folder is bad input (exit 2).
    func testVerifyCommandEndToEnd() throws {
        let process = try NotebookProcess()
        defer { process.remove() }
        let notebook = """
        ---
        title: Verified
        verify:
          runs: {tolerance: 1e-6, basis: "a stand-in for a solver's tolerance"}
        ---
        ```swift
        var runs = Table("runs", columns: ["d", "norm", "status"])
        for d in 1...3 { runs.append(d, 1.0 / Double(d), "solved") }
        runs.emit()
        check("norms positive", runs.doubles("norm").allSatisfy { $0 > 0 })
        finding("the norm falls with d", paper: "§0: “falls”", ours: "1, 0.5, 0.333",
                .comparing(0, reproducedWithin: 1e-3, differsWithin: 1e-1), basis: "exact")
        ```
        """
        try notebook.write(to: process.folder.appendingPathComponent("Notebooks/verified.md"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try process.run(["run", "Notebooks/verified.md"]).status, 0)
        let verdicts = try process.read("out/data/verified/\(VerdictTable.fileName)")
        XCTAssertEqual(Table(tsv: verdicts).rows.map { [$0[0], $0[2]] }, [["check", "held"], ["finding", "reproduced"]])

        let copy = process.folder.appendingPathComponent("again")
        try FileManager.default.copyItem(at: process.folder.appendingPathComponent("out"), to: copy)
        let verify = ["verify", "Notebooks/verified.md", "--reference", "out", "--candidate", "again"]
        XCTAssertEqual(try process.run(exactly: verify).status, 0)
        XCTAssertTrue(try process.read("again/verify.html").contains("Reproduced"))

        // Within the tolerance: 1/3 written to 7 digits moves it by 1.7e-8 of the column's scale 1.
        let runs = copy.appendingPathComponent("data/verified/runs.tsv")
        let text = try String(contentsOf: runs, encoding: .utf8)
        try text.replacingOccurrences(of: "0.3333333333333333", with: "0.3333333").write(to: runs, atomically: true, encoding: .utf8)
        XCTAssertEqual(try process.run(exactly: verify).status, 0)
        XCTAssertTrue(try process.read("again/verify.html").contains("within tolerance"))

        // Beyond it: 0.5 → 0.51.
        try text.replacingOccurrences(of: "\t0.5\t", with: "\t0.51\t").write(to: runs, atomically: true, encoding: .utf8)
        XCTAssertEqual(try process.run(exactly: verify).status, 1)
        let page = try process.read("again/verify.html")
        XCTAssertTrue(page.contains("Not reproduced"), page)
        XCTAssertTrue(page.contains("row 2: 0.5 → 0.51"), page)
        XCTAssertTrue(page.contains("a stand-in for a solver&#39;s tolerance"), page)

        // A verdict that changed.
        try text.write(to: runs, atomically: true, encoding: .utf8)
        let verdictFile = copy.appendingPathComponent("data/verified/\(VerdictTable.fileName)")
        try verdicts.replacingOccurrences(of: "\treproduced\t", with: "\tnot_reproduced\t").write(to: verdictFile, atomically: true, encoding: .utf8)
        XCTAssertEqual(try process.run(exactly: verify).status, 1)
        XCTAssertTrue(try process.read("again/verify.html").contains("the norm falls with d"))

        XCTAssertEqual(try process.run(exactly: ["verify", "Notebooks/verified.md", "--reference", "nowhere", "--candidate", "again"]).status, 2)
    }
}
