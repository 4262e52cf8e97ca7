import Foundation
import XCTest

/// The index card of a report shows when its results were computed: the time its report says,
/// which a later run that takes them from the cache keeps.
final class IndexCardTimeTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() { scratch.remove() }

    /// The report's "Computed TIME at commit" time.
    func reportTime() throws -> String {
        let html = try scratch.read("out/cells.html")
        let range = try XCTUnwrap(html.range(of: #"Computed [0-9T:Z-]+ at commit"#, options: .regularExpression))
        return String(html[range].dropFirst("Computed ".count).dropLast(" at commit".count))
    }

    /// The time on cells' card in the index.
    func cardTime() throws -> String {
        let html = try scratch.read("out/index.html")
        let card = try XCTUnwrap(html.range(of: "href=\"cells.html\"><img")).upperBound
        let end = try XCTUnwrap(html.range(of: "</a>", range: card..<html.endIndex)).lowerBound
        let range = try XCTUnwrap(html.range(of: #"computed [0-9T:Z-]+"#, options: .regularExpression, range: card..<end))
        return String(html[range].dropFirst("computed ".count))
    }

    func testTheCardShowsWhenTheResultsWereComputedAsTheReportDoes() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let computed = try reportTime()
        XCTAssertEqual(try cardTime(), computed)

        // Later, a prose edit: the report is rendered again from the cached results.
        Thread.sleep(forTimeInterval: 1.2)
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "Prose between the blocks.", with: "Edited prose.") }
        let cached = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(cached.status, 0, cached.stderr)
        XCTAssertTrue(try scratch.read("out/cells.html").contains("Edited prose."))
        XCTAssertTrue(try scratch.read("out/cells.html").contains("(from the cache: nothing changed since)"))
        XCTAssertEqual(try reportTime(), computed, "the report says when its results were computed")
        XCTAssertEqual(try cardTime(), computed, "and so does its card, not the time of the cached re-run")

        // A run that computes again moves both.
        Thread.sleep(forTimeInterval: 1.2)
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md", "--force"]).status, 0)
        XCTAssertNotEqual(try reportTime(), computed)
        XCTAssertEqual(try cardTime(), try reportTime())
    }
}
