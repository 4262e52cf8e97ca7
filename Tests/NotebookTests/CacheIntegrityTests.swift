import Foundation
import XCTest

/// A kept run is served only as it was stored: a table edited on disk, a snapshot edited, or two
/// runs' folders swapped are named and recomputed, never served.
final class CacheIntegrityTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws { scratch = try NotebookProcess() }
    override func tearDown() { scratch.remove() }

    /// The run folders kept for `cells`.
    func runs() throws -> [URL] {
        let folder = scratch.folder.appendingPathComponent("cache/cells/runs", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    func testAnEditedTableOrSnapshotIsRecomputed() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let original = try scratch.read("out/data/cells/squares.tsv")
        let run = try XCTUnwrap(try runs().first)
        let table = run.appendingPathComponent("tables/squares.tsv")
        try original.replacingOccurrences(of: "\t18.0", with: "\t99.0").write(to: table, atomically: true, encoding: .utf8)
        let again = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("is not served: its files changed after it was stored"), again.stderr)
        XCTAssertTrue(again.stderr.contains("ran 2 Swift blocks"), again.stderr)
        XCTAssertEqual(try scratch.read("out/data/cells/squares.tsv"), original, "the recomputed table, not the edited one")

        // A snapshot value edited: the resumption from it is refused, the blocks run.
        let kept = try XCTUnwrap(try runs().first)
        let snapshot = try XCTUnwrap(FileManager.default.subpaths(atPath: kept.path)?.first { $0.hasPrefix("values/") && $0.hasSuffix(".json") })
        let file = kept.appendingPathComponent(snapshot)
        try (try String(contentsOf: file, encoding: .utf8)).replacingOccurrences(of: "7", with: "99").write(to: file, atomically: true, encoding: .utf8)
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "print(\"block two sees scale = \\(scale)\")", with: "print(\"block two now sees scale = \\(scale)\")") }
        let edited = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(edited.status, 0, edited.stderr)
        XCTAssertTrue(edited.stderr.contains("is not resumed from: its files changed after it was stored"), edited.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/cells.html"), block: 1).contains("block one: 7 points"))
    }

    /// The kept runs an edit could resume from are checked best first: a tampered run that is not
    /// the best is not read at all (its files may be hundreds of MB), and when the best fails its
    /// check it is named and the next one is checked.
    func testOnlyTheRunResumedFromIsCheckedAndAFailedOneIsPassedOver() throws {
        let edit = { (from: String, to: String) in
            try self.scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: from, with: to) }
        }
        func tamper(_ run: URL) throws {
            let file = run.appendingPathComponent("block-0.txt")
            try (try String(contentsOf: file, encoding: .utf8) + "tampered\n").write(to: file, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        let older = try XCTUnwrap(try runs().first)
        try edit("block two sees", "block two, edited, sees")
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        try tamper(older)
        try edit("block two, edited, sees", "block two, edited again, sees")
        let passed = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(passed.status, 0, passed.stderr)
        XCTAssertTrue(passed.stderr.contains("restored block 1"), passed.stderr)
        XCTAssertFalse(passed.stderr.contains("is not resumed from"), "the older run, not the best, is not read: \(passed.stderr)")
        // The best (the newest of those sharing block 1) tampered too: named, then the next, named, then a full run.
        for run in try runs() where run != older { try tamper(run) }
        try edit("block two, edited again, sees", "block two, edited a third time, sees")
        let full = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertEqual(full.stderr.components(separatedBy: "is not resumed from: its files changed after it was stored").count - 1, 3, full.stderr)
        XCTAssertTrue(full.stderr.contains("ran 2 Swift blocks"), full.stderr)
    }

    func testSwappedRunFoldersAreNotServed() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md", "--param", "points=3"]).status, 0)
        let (a, b) = try { let r = try runs(); return (r[0], r[1]) }()
        let aside = a.deletingLastPathComponent().appendingPathComponent("aside")
        try FileManager.default.moveItem(at: a, to: aside)
        try FileManager.default.moveItem(at: b, to: a)
        try FileManager.default.moveItem(at: aside, to: b)
        let again = try scratch.run(["run", "Notebooks/cells.md", "--param", "points=3"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("is not served: its record is another run's"), again.stderr)
        XCTAssertEqual(try scratch.read("out/data/cells/squares.tsv").split(separator: "\n").count, 4, "3 points and the header")
    }
}
