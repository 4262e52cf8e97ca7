import Foundation
import NotebookEngine
import XCTest

/// A report says when it is older than its notebook or the library: `notebook run` rewrites the
/// index, which fills the stale notice at the top of each report older than its sources, and
/// `notebook status` lists the same verdicts.
final class ReportProvenanceTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Notebooks/prose.md", "---\ntitle: Prose only\n---\n# Prose only\n\nNo code.\n")
    }

    override func tearDown() {
        scratch.remove()
    }

    static let emptySlot = "<!--stale-notice--><!--/stale-notice-->"

    func testAReportOlderThanItsNotebookSaysSoUntilItIsRunAgain() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md", "Notebooks/prose.md"]).status, 0)
        var html = try scratch.read("out/cells.html")
        let digest = try XCTUnwrap(ReportProvenance.digest(ofNotebookAt: scratch.folder.appendingPathComponent("Notebooks/cells.md").path))
        XCTAssertEqual(digest.count, 16)
        XCTAssertTrue(html.contains("notebook digest \(digest)"), "the footer names what it was rendered from")
        XCTAssertTrue(html.contains(Self.emptySlot), "a fresh report carries no notice")
        XCTAssertEqual(try scratch.run(exactly: ["status", "--out", "out"]).status, 0, "every report current")

        // The notebook changes; another notebook's run rewrites the index, which marks this report.
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "Prose between the blocks.", with: "Edited prose.") }
        XCTAssertEqual(try scratch.run(["run", "Notebooks/prose.md"]).status, 0)
        html = try scratch.read("out/cells.html")
        XCTAssertTrue(html.contains("Older than its sources."), "the notice at its top")
        XCTAssertTrue(html.contains("Notebooks/cells.md changed since"))
        XCTAssertFalse(html.contains("<script"), "the report stays script-free")
        XCTAssertLessThan(
            try XCTUnwrap(html.range(of: "Older than its sources.")).lowerBound, try XCTUnwrap(html.range(of: "<main")).lowerBound,
            "above the report's content")
        XCTAssertTrue(try scratch.read("out/prose.html").contains(Self.emptySlot), "the current report is left unmarked")
        XCTAssertTrue(try scratch.read("out/index.html").contains("Stale: Notebooks/cells.md changed since"))
        XCTAssertEqual(try scratch.run(exactly: ["status", "--out", "out"]).status, 1, "a stale report")

        // Run again: current, the notice gone.
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        html = try scratch.read("out/cells.html")
        XCTAssertTrue(html.contains(Self.emptySlot))
        XCTAssertFalse(html.contains("Older than its sources."))
        XCTAssertFalse(try scratch.read("out/index.html").contains("Stale:"))
        XCTAssertEqual(try scratch.run(exactly: ["status", "--out", "out"]).status, 0)
    }

    func testAReportRenderedWithAnotherLibraryIsMarked() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md", "Notebooks/prose.md"]).status, 0)
        // As if the library had been different when cells.html was rendered.
        let manifest = "out/.notebooks.json"
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: scratch.data(manifest)) as? [[String: Any]])
        let changed = entries.map { entry -> [String: Any] in
            guard entry["stem"] as? String == "cells", var provenance = entry["provenance"] as? [String: Any] else { return entry }
            provenance["library"] = "0000000000000000"
            var copy = entry
            copy["provenance"] = provenance
            return copy
        }
        try scratch.write(manifest, try JSONSerialization.data(withJSONObject: changed))
        XCTAssertEqual(try scratch.run(["run", "Notebooks/prose.md"]).status, 0)
        let html = try scratch.read("out/cells.html")
        XCTAssertTrue(html.contains("the library (its sources or the compiler) changed since"))
        XCTAssertFalse(html.contains("Notebooks/cells.md changed since"), "the notebook itself did not change")
    }

    func testStalenessNamesEachCause() throws {
        let path = scratch.folder.appendingPathComponent("Notebooks/cells.md").path
        let digest = try XCTUnwrap(ReportProvenance.digest(ofNotebookAt: path))
        let recorded = ReportProvenance(notebook: digest, library: "abc", commit: "1234567")
        XCTAssertEqual(ReportProvenance.staleness(path: path, recorded: recorded, library: "abc"), [])
        XCTAssertEqual(ReportProvenance.staleness(path: path, recorded: recorded, library: nil), [], "library not compared")
        XCTAssertEqual(ReportProvenance.staleness(path: path, recorded: recorded, library: "abd").count, 1)
        XCTAssertEqual(ReportProvenance.staleness(path: path + ".gone", recorded: recorded, library: "abc"),
                       ["its notebook \(path).gone is no longer there"])
        XCTAssertEqual(ReportProvenance.staleness(path: path, recorded: nil, library: "abc").count, 1, "no record: never taken for current")
    }
}
