import Foundation
import NotebookEngine
import XCTest

/// What a notebook's snapshots cost grows with its blocks, not with blocks × values: the generated
/// program holds a fixed few lines per block and per value, each value is saved once (a `var`
/// again only after a block that changed it), and a value a resumed run restores is linked from
/// the earlier run's file, not copied. Asserted as sizes, counts and inodes, never as times (the
/// times are `make bench`'s: Benchmarks/notebook-bench.sh).
final class SnapshotCostTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws { scratch = try NotebookProcess() }
    override func tearDown() { scratch.remove() }

    /// A notebook of `count` one-line blocks `let vK = K`; every 50th block instead reads two
    /// earlier values and prints their sum (`v49 = v48 + v0 = 48`, `v99 = v98 + v50 = 148`, …).
    static func notebook(blocks count: Int) -> String {
        var text = "---\ntitle: \(count) blocks\n---\n# \(count) blocks\n\n"
        for k in 0..<count {
            let code = k % 50 == 49 ? "let v\(k) = v\(k - 1) + v\(k - 49)\nprint(\"v\(k) = \\(v\(k))\")" : "let v\(k) = \(k)"
            text += "```swift\n\(code)\n```\n\n"
        }
        return text
    }

    /// The run folders kept for `stem`, oldest first.
    func runs(_ stem: String) throws -> [URL] {
        let folder = scratch.folder.appendingPathComponent("cache/\(stem)/runs", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { try $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate!
                < $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate! }
    }

    func inode(_ url: URL) throws -> UInt64 {
        try XCTUnwrap((try FileManager.default.attributesOfItem(atPath: url.path))[.systemFileNumber] as? UInt64)
    }

    /// 100 and 400 blocks: the program of 400 is at most 4.5 times that of 100 (measured: 24,193
    /// and 99,537 bytes, 4.11 times, 242 and 249 bytes a block: the longer numbers), where a
    /// program saving every value after every block grows nearly 16-fold (there, each block's
    /// lines name every value declared before it).
    func testTheGeneratedProgramGrowsLinearlyInBlocks() throws {
        let small = try NotebookParser().parse(Self.notebook(blocks: 100), path: "Notebooks/b100.md").programSource
        let large = try NotebookParser().parse(Self.notebook(blocks: 400), path: "Notebooks/b400.md").programSource
        let ratio = Double(large.utf8.count) / Double(small.utf8.count)
        XCTAssertLessThanOrEqual(ratio, 4.5, "program bytes: \(small.utf8.count) for 100 blocks, \(large.utf8.count) for 400")
        XCTAssertGreaterThanOrEqual(ratio, 3.5, "the program holds every block")
        XCTAssertLessThanOrEqual(large.utf8.count / 400, 400, "bytes per block")
        XCTAssertEqual(large.components(separatedBy: "NotebookState.keep(").count - 1, 400, "one keep per value")
        XCTAssertEqual(large.components(separatedBy: "NotebookState.commit(").count - 1, 400, "one commit per block")
    }

    /// 400 blocks run; the snapshot log holds a line per block and `values/` a file per value;
    /// an edit to block 301 restores blocks 1–300 by linking their files and computes the rest,
    /// storing anew only the values that changed (v300 and v349 = v348 + v300).
    func testFourHundredBlocksSaveEachValueOnceAndResumeByLinks() throws {
        try scratch.write("Notebooks/b400.md", Self.notebook(blocks: 400))
        let first = try scratch.run(["run", "Notebooks/b400.md"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let run = try XCTUnwrap(try runs("b400").first)
        let log = try String(contentsOf: run.appendingPathComponent("snapshots.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 400, "a line per block")
        XCTAssertLessThanOrEqual(log.utf8.count, 400 * 80, "each line names its own block's value only")
        let values = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("values").path)
        XCTAssertEqual(values.count, 400, "each value saved once")
        XCTAssertTrue(scratch.section(try scratch.read("out/b400.html"), block: 350).contains("v349 = 648"))

        try scratch.edit("Notebooks/b400.md") { $0.replacingOccurrences(of: "let v300 = 300\n", with: "let v300 = 1300\n") }
        let resumed = try scratch.run(["run", "Notebooks/b400.md"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("restored blocks 1–300 from the run of"), resumed.stderr)
        let html = try scratch.read("out/b400.html")
        XCTAssertTrue(scratch.section(html, block: 300).contains("v299 = 548"), "a restored block's output")
        XCTAssertTrue(scratch.section(html, block: 350).contains("v349 = 1648"), "v348 + v300, the edited value")
        let later = try XCTUnwrap(try runs("b400").last)
        XCTAssertNotEqual(later, run)
        let linked = try (0..<400).filter { k in
            let name = "values/v\(k)@\(k).json"
            return try inode(later.appendingPathComponent(name)) == inode(run.appendingPathComponent(name))
        }
        XCTAssertEqual(linked, (0..<400).filter { $0 != 300 && $0 != 349 },
                       "the restored values are the earlier run's files, and so are those computed again unchanged; the two that changed are new")
    }

    /// A [Double] of 10⁶ values saved by the first block, as its 8·10⁶ bytes: a run resumed
    /// after an edit to the last block holds the earlier run's file (the same inode) and reads it
    /// back bit for bit; a full run (`--force`) that computes it again links its unchanged bytes
    /// to the kept file. The runs hold its bytes once.
    func testALargeValueIsStoredOnceAcrossRuns() throws {
        try scratch.write("Notebooks/large.md", """
            ```swift
            let large = (0..<1_000_000).map { Double($0) / 3 }
            ```

            ```swift
            let total = large.reduce(0, +)
            ```

            ```swift
            print("total \\(total), read back: \\(large.reduce(0, +).bitPattern == total.bitPattern), \\(large.count)")
            ```

            """)
        XCTAssertEqual(try scratch.run(["run", "Notebooks/large.md"]).status, 0)
        try scratch.edit("Notebooks/large.md") { $0.replacingOccurrences(of: "print(\"total", with: "print(\"the total") }
        let resumed = try scratch.run(["run", "Notebooks/large.md"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("restored blocks 1–2"), resumed.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/large.html"), block: 3).contains("read back: true, 1000000"))
        func files() throws -> [URL] { try runs("large").map { $0.appendingPathComponent("values/large@0.f64") } }
        XCTAssertEqual(try files().count, 2)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: try files()[0].path))[.size] as? Int, 8_000_000)
        XCTAssertEqual(try inode(files()[0]), try inode(files()[1]), "one file, linked into both runs")
        try assertBytesOnDisk(stem: "large", atMost: 8_000_000 + 800_000)

        // A full run computes it again: the same bytes, stored as a link to the kept file.
        let forced = try scratch.run(["run", "Notebooks/large.md", "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(Set(try files().map(inode)).count, 1, "every kept run holds the one file")
        try assertBytesOnDisk(stem: "large", atMost: 8_000_000 + 800_000)
    }

    /// The bytes of every regular file of the runs kept for `stem`, each inode once.
    func assertBytesOnDisk(stem: String, atMost limit: Int, line: UInt = #line) throws {
        var seen: Set<UInt64> = []
        var bytes = 0
        for folder in try runs(stem) {
            for path in FileManager.default.subpaths(atPath: folder.path) ?? [] {
                let url = folder.appendingPathComponent(path)
                let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
                guard attributes[.type] as? FileAttributeType == .typeRegular, seen.insert(try inode(url)).inserted else { continue }
                bytes += attributes[.size] as? Int ?? 0
            }
        }
        XCTAssertLessThanOrEqual(bytes, limit, "the kept runs hold \(bytes) bytes", line: line)
    }
}
