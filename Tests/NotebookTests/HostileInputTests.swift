import Foundation
import NotebookEngine
import NotebookRuntime
import XCTest

/// Odd and hostile notebooks at the parser: every one parses as intended or is refused with
/// a `NotebookError` at its line; none crashes the runner.
final class HostileInputTests: XCTestCase {
    static let notebook = """
        ---
        title: Endings
        parameters:
          points: 3
        ---
        # Endings

        ```swift
        let a = 1
        print(a)
        ```

        ```gnuplot data=t figure=f
        plot $t
        ```

        """

    /// CRLF (one `Character` in Swift, which `split(separator: "\\n")` does not split) and a lone
    /// CR read as LF; so does a leading byte-order mark.
    func testCRLFAndCRAndABOMParseAsLF() throws {
        let parser = NotebookParser()
        let lf = try parser.parse(Self.notebook, path: "n.md")
        for (name, text) in [
            ("CRLF", Self.notebook.replacingOccurrences(of: "\n", with: "\r\n")),
            ("CR", Self.notebook.replacingOccurrences(of: "\n", with: "\r")),
            ("BOM", "\u{FEFF}" + Self.notebook),
            ("BOM+CRLF", "\u{FEFF}" + Self.notebook.replacingOccurrences(of: "\n", with: "\r\n")),
        ] {
            let document = try parser.parse(text, path: "n.md")
            XCTAssertEqual(document.title, lf.title, name)
            XCTAssertEqual(document.parameters.map(\.name), ["points"], name)
            XCTAssertEqual(document.swiftBlocks.map(\.code), ["let a = 1\nprint(a)"], name)
            XCTAssertEqual(document.swiftBlocks.map(\.fenceLine), [8], name)
            XCTAssertEqual(document.gnuplotBlocks.map(\.script), ["plot $t"], name)
            XCTAssertEqual(document.gnuplotBlocks.map(\.fenceLine), [13], name)
        }
    }

    /// An unknown front-matter key is refused at its line whatever the line endings.
    func testAnUnknownFrontMatterKeyIsRefusedWithAnyLineEnding() {
        for text in [
            "---\ntitle: x\ncolour: red\n---\n# x\n",
            "---\r\ntitle: x\r\ncolour: red\r\n---\r\n# x\r\n",
            "\u{FEFF}---\ntitle: x\ncolour: red\n---\n",
            "---  \ntitle: x\ncolour: red\n---\t\n",
        ] {
            XCTAssertThrowsError(try NotebookParser().parse(text, path: "n.md"), text.debugDescription) { error in
                XCTAssertEqual("\(error)", "n.md:3: error: front matter: unknown key 'colour' (known: title, parameters, timeout, inputs, kernel, executor, verify, author, date, description)")
            }
        }
        for (text, line) in [
            ("---\ntitle: a\ntitle: b\n---\n", 3),              // a key twice
            ("---\ntitle: [a, b]\n---\n", 2),                  // a title that is not text
            ("---\nparameters:\n  x: nan\n---\n", 3),           // a default that is not a finite number
            ("---\nparameters:\n  x: .inf\n---\n", 3),
            ("---\ntimeout: .inf\n---\n", 2),                  // a time limit no timer can hold
            ("---\ntimeout: 0\n---\n", 2),
            ("---\ntimeout: -5\n---\n", 2),
            ("---\ninputs: [a, [b]]\n---\n", 2),
        ] {
            XCTAssertThrowsError(try NotebookParser().parse(text, path: "n.md"), text.debugDescription) { error in
                XCTAssertTrue("\(error)".hasPrefix("n.md:\(line): error: front matter: "), "\(error)")
            }
        }
        XCTAssertEqual(try NotebookParser().parse("---\nparameters:\n  x: 'nan'\n---\n", path: "n.md").parameters.first?.value, .text("nan"))
    }

    /// The info-string parser, fuzzed by hand: each odd string is refused with the fence's line
    /// (`gnuplot =` used to trap the runner on an empty split).
    func testMalformedInfoStringsAreRefusedAtTheirLine() {
        let long = String(repeating: "x", count: 20_000)
        let refused = [
            "gnuplot =", "gnuplot ==", "gnuplot = =", "gnuplot =a", "gnuplot a==b", "gnuplot data==b", "gnuplot data=",
            "gnuplot data", "gnuplot caption=\"unclosed", "gnuplot \"", "gnuplot caption=\"a\" caption=\"b\"",
            "gnuplot figure=a figure=b", "gnuplot figure=..", "gnuplot figure=.hidden", "gnuplot figure=a/b",
            "gnuplot figure=été", "gnuplot figure=\(long)", "gnuplot data=ü", "gnuplot data=a,,b", "gnuplot data=1a",
            "gnuplot data=$t", "gnuplot size=1e9,2", "gnuplot size=600", "gnuplot size=99999999999999999999,1",
            "gnuplot size=,", "gnuplot \(long)=1", "gnuplot données=1", "gnuplot 🙂", "gnuplot data=a\u{0}",
            "swift =", "swift x=1", "swift \"",
        ]
        for info in refused {
            let text = "# x\n\n```\(info)\nplot 1\n```\n"
            XCTAssertThrowsError(try NotebookParser().parse(text, path: "n.md"), info) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("n.md:3: error: "), message)
                XCTAssertLessThan(message.count, 400, "one readable line, even for a long info string")
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        // Odd but valid, or not an executable block at all (prose).
        let parsed = try? NotebookParser().parse(
            "```gnuplot data=a,b figure=f-1.x caption=\"= é\" size=600,400\nplot 1\n```\n```swift=\nx\n```\n```gnuplotx\n```\n",
            path: "n.md")
        XCTAssertEqual(parsed?.gnuplotBlocks.first?.data, ["a", "b"])
        XCTAssertEqual(parsed?.gnuplotBlocks.count, 1)
    }

    /// `nan` and `inf` are not numbers a parameter can carry (JSON has none): text, and refused
    /// where a number is declared; encoding never fails.
    func testNonFiniteParameterValuesAreText() throws {
        for text in ["nan", "NaN", "inf", "-inf", "infinity", "1e999"] {
            XCTAssertTrue(ParameterValue.isNonFiniteNumber(text), text)
            guard case .text = ParameterValue(parsing: text) else { return XCTFail(text) }
            XCTAssertNoThrow(try JSONEncoder().encode([ParameterValue(parsing: text)]))
        }
        XCTAssertEqual(ParameterValue(parsing: "1e300"), .real(1e300))
        XCTAssertFalse(ParameterValue.isNonFiniteNumber("1e300"))
    }

    /// `Progress` advanced and read from many threads at once: every step counted, `done`
    /// never above `total` nor going back. (The data race itself shows under
    /// `-sanitize=thread`; this checks the counting.)
    func testProgressIsConsistentUnderConcurrency() {
        let progress = Progress("race", total: 40_000)
        let reads = NSLock()
        nonisolated(unsafe) var seen: [Int] = []
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            var local: [Int] = []
            for _ in 0..<5_000 {
                if worker % 2 == 0 { progress.advance(); progress.advance() } else { local.append(progress.done) }
            }
            reads.lock(); seen += local; reads.unlock()
        }
        XCTAssertEqual(progress.done, 40_000)
        XCTAssertTrue(seen.allSatisfy { (0...40_000).contains($0) })
    }

    /// `set(done:)` from many threads, the counts arriving out of order as a library's
    /// `progress(done, total)` reports them from its workers: the bar ends at the largest count
    /// reported, never goes back, and never passes its total.
    func testProgressSetFromManyThreadsEndsAtTheLargestCount() {
        let progress = Progress("race", total: 10_000)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for k in stride(from: worker, to: 10_000, by: 8) { progress.set(done: k + 1) }
        }
        XCTAssertEqual(progress.done, 10_000)
        progress.set(done: 17)
        XCTAssertEqual(progress.done, 10_000, "a lower count moved the bar back")
        let clamped = Progress("clamped", total: 5)
        clamped.set(done: 9)
        XCTAssertEqual(clamped.done, 5)
        clamped.set(done: -3)
        XCTAssertEqual(clamped.done, 5)
    }
}
