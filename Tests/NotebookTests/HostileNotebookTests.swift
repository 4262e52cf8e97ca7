import Foundation
import XCTest

/// The built `notebook` against hostile notebooks and arguments: bad input is refused with one
/// line and exit status 2 before anything runs; failures are never reported as successes; the
/// report escapes everything; the cache survives concurrent runners; no process outlives the runner.
final class HostileNotebookTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
    }

    override func tearDown() {
        scratch.remove()
    }

    /// One line on standard error, naming the problem; exit status 2.
    func assertRefused(_ outcome: NotebookProcess.Outcome, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(outcome.status, 2, outcome.stderr, file: file, line: line)
        let lines = outcome.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, outcome.stderr, file: file, line: line)
        XCTAssertTrue(outcome.stderr.contains(expected), outcome.stderr, file: file, line: line)
    }

    func testBadArgumentsAndMalformedNotebooksExitTwoWithOneLine() throws {
        assertRefused(try scratch.run(exactly: ["run", "--bogus"]), "Unknown option '--bogus'")
        assertRefused(try scratch.run(exactly: ["frobnicate", "--cache"]), "notebook:")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--timeout", "0"]), "--timeout 0")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--timeout=-1"]), "--timeout -1")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--timeout", "nan"]), "--timeout nan")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--timeout", "inf"]), "--timeout inf")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--timeout", "soon"]), "soon")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--param", "scale=nan"]), "parameter 'scale' = 'nan' is not a finite number")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--param", "scale=-inf"]), "parameter 'scale' = '-inf' is not a finite number")
        assertRefused(try scratch.run(["run", "Notebooks/cells.md", "--param", "=3"]), "--param '=3': expected KEY=VALUE")
        assertRefused(try scratch.run(["run", "Notebooks/nowhere.md"]), "no such notebook: Notebooks/nowhere.md")

        try scratch.write("Notebooks/crlf-key.md", "---\r\ntitle: x\r\ncolour: red\r\n---\r\n```swift\r\nprint(1)\r\n```\r\n")
        assertRefused(try scratch.run(["run", "Notebooks/crlf-key.md"]), "Notebooks/crlf-key.md:3: error: front matter: unknown key 'colour'")
        try scratch.write("Notebooks/bom-key.md", "\u{FEFF}---\ntitle: x\ncolour: red\n---\n")
        assertRefused(try scratch.run(["run", "Notebooks/bom-key.md"]), "Notebooks/bom-key.md:3: error: front matter: unknown key 'colour'")
        try scratch.write("Notebooks/equals.md", "# x\n\n```gnuplot =\nplot 1\n```\n")
        assertRefused(try scratch.run(["run", "Notebooks/equals.md"]), "Notebooks/equals.md:3: error: block option '='")
        try scratch.write("Notebooks/latin1.md", Data("# ok\n\ncaf\u{E9}\n".utf8) + Data([0x63, 0x61, 0x66, 0xE9, 0x0A]))
        assertRefused(try scratch.run(["run", "Notebooks/latin1.md"]), "Notebooks/latin1.md:4: error: this line is not UTF-8")

        // A malformed notebook stops every notebook before anything runs (the valid one too).
        let mixed = try scratch.run(["run", "Notebooks/cells.md", "Notebooks/equals.md"])
        XCTAssertEqual(mixed.status, 2, mixed.stderr)
        XCTAssertFalse(mixed.stderr.contains("compiling"), mixed.stderr)
    }

    /// A notebook saved with CRLF line endings runs as with LF.
    func testACRLFNotebookRunsLikeLF() throws {
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "\n", with: "\r\n") }
        let outcome = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("ran 2 Swift blocks"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("drew 1 figure"), outcome.stderr)
        XCTAssertEqual(try scratch.read("out/data/cells/squares.tsv").split(separator: "\n").count, 8)
        XCTAssertTrue(scratch.section(try scratch.read("out/cells.html"), block: 2).contains("block two sees scale = 2.0"))
    }

    /// Two notebooks of one stem, or drawing one figure name, are refused naming both files,
    /// whether given together or rendered one after the other into the same folder.
    /// A line break, a tab or a quote in a notebook's file name reaches the generated program as an
    /// escape (it had ended `#sourceLocation`'s string literal: "unterminated string literal").
    func testAFileNameWithALineBreakRuns() throws {
        let name = "Notebooks/two\nlines \"and\ttab\".md"
        try scratch.write(name, "---\ntitle: Odd name\n---\n```swift\nprint(\"ran from an odd name\")\n```\n")
        let run = try scratch.run(["run", name])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(try scratch.read("out/two\nlines \"and\ttab\".html").contains("ran from an odd name"))
    }

    func testNotebooksOfOneNameOrFigureAreRefused() throws {
        try scratch.write("a/x.md", "# A\n")
        try scratch.write("b/x.md", "# B\n")
        assertRefused(try scratch.run(["run", "a/x.md", "b/x.md"]), "b/x.md: error: a/x.md has the same name 'x'")
        XCTAssertFalse(scratch.exists("out/x.html"))
        XCTAssertEqual(try scratch.run(["run", "a/x.md"]).status, 0)
        assertRefused(try scratch.run(["run", "b/x.md"]), "b/x.md: error: a/x.md has the same name 'x'")
        XCTAssertTrue(try scratch.read("out/x.html").contains("<h1 id=\"a\">A</h1>"))

        try scratch.write("Notebooks/p.md", "```gnuplot figure=shared\nplot 1\n```\n")
        try scratch.write("Notebooks/q.md", "```gnuplot figure=shared\nplot 2\n```\n")
        assertRefused(try scratch.run(["run", "Notebooks/p.md", "Notebooks/q.md"]),
                      "Notebooks/q.md: error: the figure name 'shared' is also drawn by Notebooks/p.md")
        XCTAssertEqual(try scratch.run(["run", "Notebooks/p.md"]).status, 0)
        assertRefused(try scratch.run(["run", "Notebooks/q.md"]), "the figure name 'shared' is also drawn by Notebooks/p.md")
    }

    /// `clean` removes only a folder holding the runner's marker; `run` never adopts a folder of other files.
    func testCleanAndRunRefuseAFolderThatIsNotACache() throws {
        try scratch.write("precious/thesis.tex", "\\documentclass{article}")
        assertRefused(try scratch.run(exactly: ["clean", "--cache", "precious"]), "precious: error: not removed: it is not a notebook cache")
        XCTAssertTrue(scratch.exists("precious/thesis.tex"))
        assertRefused(try scratch.run(exactly: ["run", "Notebooks/cells.md", "--out", "out", "--cache", "precious"]),
                      "is not a notebook cache")
        XCTAssertFalse(scratch.exists("precious/CACHEDIR.TAG"))

        // Folders of the user's shaped like a cache (notebook folders of runs/, figures/, state/) but without
        // the runner's marker: neither removed nor adopted, and nothing in them pruned.
        try scratch.write("v/a/runs/f/notes.txt", "mine")
        assertRefused(try scratch.run(exactly: ["clean", "--cache", "v"]), "v: error: not removed: it is not a notebook cache")
        XCTAssertTrue(scratch.exists("v/a/runs/f/notes.txt"))
        for k in 1...6 { try scratch.write("v3/cells/runs/run\(k).csv", "\(k)") }
        assertRefused(try scratch.run(exactly: ["run", "Notebooks/cells.md", "--out", "out", "--cache", "v3"]), "is not a notebook cache")
        XCTAssertTrue((1...6).allSatisfy { scratch.exists("v3/cells/runs/run\($0).csv") }, "a user's files pruned")
        XCTAssertFalse(scratch.exists("v3/CACHEDIR.TAG"))

        try scratch.write("Notebooks/prose.md", "# Prose only\n")
        XCTAssertEqual(try scratch.run(["run", "Notebooks/prose.md"]).status, 0)
        XCTAssertTrue(try scratch.read("cache/CACHEDIR.TAG").hasPrefix("Signature: 8a477f597d28d172789f06886806bc55"))
        XCTAssertEqual(try scratch.run(exactly: ["clean", "--cache", "cache"]).status, 0)
        XCTAssertFalse(scratch.exists("cache"))
        XCTAssertEqual(try scratch.run(exactly: ["clean", "--cache", "cache"]).status, 0, "nothing to remove is not an error")
    }

    /// A time limit is never a success, even when it strikes before the first block begins.
    func testATimeoutIsNeverReportedAsSuccess() throws {
        let outcome = try scratch.run(["run", "Notebooks/cells.md", "--timeout", "0.001"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("FAILED: Notebooks/cells.md:11: did not finish within the time limit"), outcome.stderr)
        let html = try scratch.read("out/cells.html")
        XCTAssertFalse(html.contains(">succeeded<"), "the report's status")
        XCTAssertTrue(html.contains("class=\"badge failed\">timed out<"), html)
        XCTAssertTrue(try scratch.read("out/index.html").contains("FAILED"))
    }

    /// Every text and attribute of the report and the index is escaped: titles, captions,
    /// table cells, block output, parameter values, error messages.
    func testHostileTextIsEscapedEverywhere() throws {
        let evil = #"'T"><script>alert(1)</script><img src=x onerror=alert(2)>&amp;"#
        try scratch.write("Notebooks/evil.md", """
            ---
            title: '\(evil.replacingOccurrences(of: "'", with: "''"))'
            parameters:
              label: "x"
            ---
            ```swift
            let evil = #"\(evil)"#
            print(evil + Parameters.string("label"))
            var cells = Table("cells", columns: ["x", evil])
            cells.append(1.0, evil)
            cells.emit()
            ```

            ```gnuplot data=cells figure=evil-figure caption="\(evil.replacingOccurrences(of: "\"", with: "'"))"
            plot $cells using 1:1 with points
            ```

            ```swift
            fatalError(evil)
            ```
            """)
        let outcome = try scratch.run(["run", "Notebooks/evil.md", "--param", "label=\(evil)"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        for page in ["out/evil.html", "out/index.html"] {
            let html = try scratch.read(page)
            XCTAssertFalse(html.lowercased().contains("<script"), page)
            XCTAssertFalse(html.lowercased().contains("<img src=x"), page)
            XCTAssertFalse(html.contains("onerror=alert(2)>"), page)
            XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), page)
            XCTAssertTrue(html.contains("&amp;amp;"), "an & that looks like an entity is escaped too: \(page)")
        }
        let html = try scratch.read("out/evil.html")
        XCTAssertTrue(html.contains("<title>&#39;T&quot;&gt;&lt;script&gt;"), "the title")
        XCTAssertTrue(html.contains("Fatal error: &#39;T&quot;&gt;&lt;script&gt;"), "the error message")
        XCTAssertTrue(html.contains("alt=\"&#39;T&#39;&gt;&lt;script&gt;"), "the caption in the figure's alt attribute")
    }

    /// Six runners forcing the same notebook into one cache at once: all succeed, the cache
    /// holds one good run, and no scratch folder is left behind.
    func testConcurrentForcedRunsShareOneCacheSafely() throws {
        try scratch.write("Notebooks/shared.md", """
            ```swift
            var t = Table("t", columns: ["x", "y"])
            for x in 0..<5 { t.append(x, x * x) }
            t.emit()
            print("done")
            ```

            ```gnuplot data=t figure=shared-t
            plot $t using "x":"y" with lines
            ```
            """)
        let runners = try (0..<6).map { _ in
            try scratch.start(exactly: ["run", "Notebooks/shared.md", "--force", "--out", "out", "--cache", "cache"])
        }
        for (process, errors) in runners {
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, text)
            XCTAssertFalse(text.contains("516"), text)
        }
        let stem = scratch.folder.appendingPathComponent("cache/shared")
        let entries = try FileManager.default.contentsOfDirectory(atPath: stem.path)
        XCTAssertEqual(entries.filter { $0.hasPrefix("scratch-") }, [], "scratch folders left behind")
        let runs = try FileManager.default.contentsOfDirectory(atPath: stem.appendingPathComponent("runs").path)
        XCTAssertEqual(runs.count, 1, "\(runs)")
        let again = try scratch.run(["run", "Notebooks/shared.md"])
        XCTAssertTrue(again.stderr.contains("unchanged: nothing ran"), again.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/shared.html"), block: 1).contains("done"))
    }

    /// No process outlives the runner: its notebook program and the program's own children die
    /// when the runner is killed (SIGKILL, which it cannot handle), interrupted (SIGINT),
    /// terminated (SIGTERM), or when the time limit strikes.
    func testNoProcessOutlivesTheRunner() throws {
        try scratch.write("Notebooks/orphan.md", """
            ```swift
            let folder = ProcessInfo.processInfo.environment["PIDS_DIR"]!
            try! "\\(getpid())".write(toFile: folder + "/program.pid", atomically: true, encoding: .utf8)
            _ = system("sleep 300 & echo $! > \\(folder)/child.part; mv \\(folder)/child.part \\(folder)/child.pid")
            print("started")
            while true { Thread.sleep(forTimeInterval: 0.05) }
            ```
            """)
        for ending in ["SIGKILL", "SIGINT", "SIGTERM", "timeout"] {
            let pids = scratch.folder.appendingPathComponent("pids-\(ending)")
            try FileManager.default.createDirectory(at: pids, withIntermediateDirectories: true)
            var arguments = ["run", "Notebooks/orphan.md", "--out", "out", "--cache", "cache"]
            if ending == "timeout" { arguments += ["--timeout", "4"] }
            // Standard error to a file: a pipe would stay open as long as an orphan holds it.
            let (runner, _) = try scratch.start(
                exactly: arguments, environment: ["PIDS_DIR": pids.path], standardError: pids.appendingPathComponent("stderr.txt"))
            let childFile = pids.appendingPathComponent("child.pid")
            let deadline = Date().addingTimeInterval(60)
            while !FileManager.default.fileExists(atPath: childFile.path) && Date() < deadline && runner.isRunning {
                Thread.sleep(forTimeInterval: 0.1)
            }
            let program = Int32(try String(contentsOf: pids.appendingPathComponent("program.pid"), encoding: .utf8))!
            let child = Int32(try String(contentsOf: childFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
            XCTAssertTrue(NotebookProcess.isAlive(program) && NotebookProcess.isAlive(child), ending)
            switch ending {
            case "SIGKILL": kill(runner.processIdentifier, SIGKILL)
            case "SIGINT": kill(runner.processIdentifier, SIGINT)
            case "SIGTERM": kill(runner.processIdentifier, SIGTERM)
            default: break
            }
            let exitBy = Date().addingTimeInterval(30)
            while runner.isRunning && Date() < exitBy { Thread.sleep(forTimeInterval: 0.05) }
            if runner.isRunning {
                XCTFail("the runner did not end (\(ending))")
                kill(runner.processIdentifier, SIGKILL)
                runner.waitUntilExit()
            }
            // The watcher notices a SIGKILLed runner at once; give it a moment.
            let gone = Date().addingTimeInterval(5)
            while (NotebookProcess.isAlive(program) || NotebookProcess.isAlive(child)) && Date() < gone {
                Thread.sleep(forTimeInterval: 0.05)
            }
            XCTAssertFalse(NotebookProcess.isAlive(program), "the notebook program outlived the runner (\(ending))")
            XCTAssertFalse(NotebookProcess.isAlive(child), "the program's child outlived the runner (\(ending))")
            if ending == "SIGINT" { XCTAssertEqual(runner.terminationReason, .uncaughtSignal, ending) }
            if ending == "timeout" { XCTAssertEqual(runner.terminationStatus, 1) }
            kill(program, SIGKILL)
            kill(child, SIGKILL)
        }
        // The SIGKILLed runner's scratch folder is swept by the runs after it.
        let entries = try FileManager.default.contentsOfDirectory(atPath: scratch.folder.appendingPathComponent("cache/orphan").path)
        XCTAssertEqual(entries.filter { $0.hasPrefix("scratch-") }, [])
    }

    /// 3 MB of output with invalid UTF-8 in it: the report shows the first megabyte (the
    /// invalid bytes replaced, the rest kept) and links the whole output, kept beside it.
    func testLargeAndInvalidOutputIsCutLossilyAndKeptBeside() throws {
        try scratch.write("Notebooks/loud.md", """
            ```swift
            print("before the bad bytes")
            FileHandle.standardOutput.write(Data([0x61, 0xFF, 0xFE, 0x62, 0x0A]))
            print("after the bad bytes")
            let line = String(repeating: "y", count: 99) + "\\n"
            for _ in 0..<30_000 { print(line, terminator: "") }
            print("the very end")
            ```
            """)
        let outcome = try scratch.run(["run", "Notebooks/loud.md"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try scratch.read("out/loud.html")
        XCTAssertLessThan(html.utf8.count, 1_200_000)
        let section = scratch.section(html, block: 1)
        XCTAssertTrue(section.contains("before the bad bytes"))
        XCTAssertTrue(section.contains("a\u{FFFD}\u{FFFD}b"), "invalid bytes replaced, not the whole output lost")
        XCTAssertTrue(section.contains("after the bad bytes"))
        XCTAssertFalse(html.contains("the very end\n</pre>"), "the output is cut before its end")
        XCTAssertTrue(html.contains("output cut at 1.0 MB of 2.9 MB"), html.suffix(3000).description)
        XCTAssertTrue(html.contains("href=\"data/loud/block-1-output.txt\""))
        let whole = try scratch.data("out/data/loud/block-1-output.txt")
        XCTAssertEqual(whole.count, 21 + 5 + 20 + 30_000 * 100 + 13)
        // From the cache, the same.
        try FileManager.default.removeItem(at: scratch.folder.appendingPathComponent("out"))
        let again = try scratch.run(["run", "Notebooks/loud.md"])
        XCTAssertTrue(again.stderr.contains("unchanged"), again.stderr)
        XCTAssertEqual(try scratch.data("out/data/loud/block-1-output.txt").count, whole.count)
        XCTAssertTrue(try scratch.read("out/loud.html").contains("a\u{FFFD}\u{FFFD}b"))
    }

    /// A trap in the library or an arithmetic overflow names its message and its signal at the notebook's line.
    func testCrashesNameTheirMessageAndSignal() throws {
        try scratch.write("Notebooks/crashes.md", """
            ```swift
            let negative = Int(ProcessInfo.processInfo.environment["PATH"]!.count > 0 ? -1 : 1)
            var big = Int.max - 1 + (negative > 0 ? 0 : 1)
            print("about to overflow")
            big += 1
            ```
            """)
        try scratch.write("Notebooks/library.md", """
            ```swift
            let negative = Int(ProcessInfo.processInfo.environment["PATH"]!.count > 0 ? -1 : 1)
            print("about to trap in the library")
            let matrix = Matrix(rows: negative, columns: 2)
            print(matrix.rows)
            ```
            """)
        let outcome = try scratch.run(["run", "Notebooks/crashes.md", "Notebooks/library.md"])
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/crashes.md:5: Swift runtime failure: arithmetic overflow — killed by SIGILL (trap)"), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/library.md:4: "), outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("killed by SIGILL (trap)"), outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("exit status 4"), outcome.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/library.html"), block: 1).contains("about to trap in the library"))
    }

    /// After a Swift edit breaks a notebook, the figure kept from the last good run is marked stale.
    func testAKeptFigureIsMarkedStale() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/cells.md"]).status, 0)
        XCTAssertFalse(try scratch.read("out/cells.html").contains("Stale figure"))
        try scratch.edit("Notebooks/cells.md") { $0.replacingOccurrences(of: "squares.emit()", with: "squares.emit(); let broken: Int = \"x\"") }
        let outcome = try scratch.run(["run", "Notebooks/cells.md"])
        XCTAssertEqual(outcome.status, 1)
        let html = try scratch.read("out/cells.html")
        XCTAssertTrue(html.contains("class=\"cell gnuplot notrun stale\""), html)
        XCTAssertTrue(html.contains("Stale figure."), html)
        XCTAssertTrue(html.contains("data:image/svg+xml;base64,"), "the last good figure is still shown")
    }
}
