import Foundation
import NotebookEngine
import XCTest

/// A third engine, registered beside `swift` and `gnuplot`, goes through the run's phases in
/// order (plan, execute, publish) and its blocks' outputs reach the report; a fence no engine
/// claims stays prose.
final class BlockEngineTests: XCTestCase {
    /// A test-only engine: an `echo` block gives its body upper-cased, or fails with `fail=yes`;
    /// it keys each block by its body, notes each phase it goes through, and publishes each
    /// output as `echo-K.txt` beside the report.
    final class EchoEngine: BlockEngine, @unchecked Sendable {
        let language = "echo"
        private let lock = NSLock()
        private var notes: [String] = []
        var phases: [String] { lock.withLock { notes } }
        private func note(_ text: String) { lock.withLock { notes.append(text) } }

        static func key(_ body: String) -> String {
            var hash = ContentHash()
            hash.add(body)
            return hash.hex
        }

        func plan(_ run: EngineRun) throws -> EngineKeys? {
            note("plan")
            let keys = run.blocks(of: language).map { Self.key($0.body) }
            return EngineKeys(run: Self.key(keys.joined()), blocks: keys)
        }

        func execute(_ run: inout EngineRun) throws {
            // The keys planned before anything executed, this engine's and the Swift engine's.
            note("execute: \(run.keys[language]?.blocks.count ?? -1) keys, swift keyed \(run.keys["swift"] != nil)")
            for block in run.blocks(of: language) {
                run.record(EngineBlockOutput(text: block.body.uppercased(), failed: block.options["fail"] == "yes"),
                           language: language, block: block.index)
            }
        }

        func publish(_ run: EngineRun) throws {
            note("publish")
            try FileManager.default.createDirectory(at: run.dataFolder, withIntermediateDirectories: true)
            for block in run.blocks(of: language) {
                let text = run.output(language: language, block: block.index)?.text ?? "not run"
                try Data(text.utf8).write(to: run.dataFolder.appendingPathComponent("echo-\(block.index).txt"))
            }
        }
    }

    static let notebook = """
        ---
        title: Echo
        ---
        # Echo

        ```echo
        hello engines
        ```

        Between the blocks.

        ```echo
        second <block> & more
        ```

        ```ruby
        puts "not an engine"
        ```
        """

    func run(_ text: String, engine: EchoEngine?) throws -> (summary: NotebookRunner.Summary, report: String, out: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("engine-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("echo.md")
        try Data(text.utf8).write(to: file)
        let out = root.appendingPathComponent("out", isDirectory: true)
        let cache = RunCache(root: root.appendingPathComponent("cache", isDirectory: true))
        try cache.prepare()
        var runner = NotebookRunner(
            toolchain: try NotebookToolchain.locate(),
            options: .init(outputFolder: out, cacheFolder: cache.root, parameters: [], force: false, timeout: nil),
            log: { _ in })
        if let engine { try runner.engines.register(engine) }
        let (documents, errors) = runner.prepare([file])
        XCTAssertTrue(errors.isEmpty, "\(errors)")
        let summary = try runner.run(try XCTUnwrap(documents.first))
        let report = try String(contentsOf: out.appendingPathComponent("echo.html"), encoding: .utf8)
        return (summary, report, out)
    }

    func testARegisteredEngineRunsThroughThePhasesIntoTheReport() throws {
        let engine = EchoEngine()
        let (summary, report, out) = try run(Self.notebook, engine: engine)
        XCTAssertEqual(engine.phases, ["plan", "execute: 2 keys, swift keyed true", "publish"])
        XCTAssertTrue(summary.succeeded)
        XCTAssertEqual(summary.blocksRun, 0)
        // Each block's output under its listing, escaped; the published files beside the report.
        XCTAssertTrue(report.contains("<pre class=\"output\">HELLO ENGINES</pre>"), report)
        XCTAssertTrue(report.contains("<pre class=\"output\">SECOND &lt;BLOCK&gt; &amp; MORE</pre>"), report)
        XCTAssertTrue(report.contains("id=\"echo-2\""))
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("data/echo/echo-0.txt"), encoding: .utf8), "HELLO ENGINES")
        XCTAssertEqual(try String(contentsOf: out.appendingPathComponent("data/echo/echo-1.txt"), encoding: .utf8), "SECOND <BLOCK> & MORE")
        // The `ruby` fence has no engine: prose, shown as written, never a cell.
        XCTAssertTrue(report.contains("not an engine"))
        XCTAssertFalse(report.contains("id=\"ruby-1\""))
    }

    func testAFailedBlockFailsTheRun() throws {
        let engine = EchoEngine()
        let (summary, report, _) = try run(Self.notebook.replacingOccurrences(of: "```echo\nhello", with: "```echo fail=yes\nhello"), engine: engine)
        XCTAssertFalse(summary.succeeded)
        XCTAssertTrue(report.contains("<section class=\"cell failed\" id=\"echo-1\">"), report)
    }

    func testWithoutItsEngineAFenceIsProse() throws {
        let (summary, report, out) = try run(Self.notebook, engine: nil)
        XCTAssertTrue(summary.succeeded)
        XCTAssertFalse(report.contains("<pre class=\"output\">HELLO ENGINES</pre>"))
        XCTAssertFalse(report.contains("id=\"echo-1\""))
        XCTAssertTrue(report.contains("hello engines"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("data/echo/echo-0.txt").path))
    }

    func testALanguageIsClaimedOnce() {
        var engines = BlockEngines.standard
        XCTAssertEqual(engines.engines.map(\.language), ["swift", "gnuplot"])
        XCTAssertThrowsError(try engines.register(SwiftBlockEngine())) { error in
            XCTAssertEqual(error as? BlockEngines.EngineError, .languageTaken("swift"))
        }
        XCTAssertNoThrow(try engines.register(EchoEngine()))
        XCTAssertEqual(engines.engine(for: "ECHO")?.language, "echo")
        XCTAssertThrowsError(try engines.register(EchoEngine()))
    }
}
