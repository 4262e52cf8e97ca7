import Foundation
import NotebookEngine
import NotebookRuntime
import XCTest

/// A resumed report equals a full run's, or the run says it ran in full and why. Each notebook
/// keeps state in a form a JSON snapshot cannot bring back (a static mutated by an earlier block,
/// a class instance two names share, a subclass stored as its superclass, a closure inside a
/// Codable value); its last block is edited, and the edited run's output is compared with that
/// of `--force` on the same notebook.
final class ResumptionSoundnessTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws { scratch = try NotebookProcess() }
    override func tearDown() { scratch.remove() }

    /// Runs `blocks`, edits the last block's `print("` to `print("edited `, runs again, then runs
    /// with `--force`: returns the edited run's log and report, and what the last block printed in both reports.
    func resumeAndForce(_ name: String, _ blocks: [String]) throws -> (log: String, report: String, resumed: String, forced: String) {
        let path = "Notebooks/\(name).md"
        try scratch.write(path, blocks.map { "```swift\n\($0)\n```\n" }.joined(separator: "\n"))
        let first = try scratch.run(["run", path])
        XCTAssertEqual(first.status, 0, first.stderr)
        try scratch.edit(path) { text in
            let last = text.range(of: "```swift", options: .backwards)!
            return String(text[..<last.lowerBound]) + text[last.lowerBound...].replacingOccurrences(of: "print(\"", with: "print(\"edited ")
        }
        let resumed = try scratch.run(["run", path])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let report = try scratch.read("out/\(name).html")
        // The section without its first line (the block's line and time).
        func printed(_ html: String) -> String { scratch.section(html, block: blocks.count).split(separator: "\n").dropFirst().joined(separator: "\n") }
        let resumedText = printed(report)
        let forced = try scratch.run(["run", path, "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        return (resumed.stderr, report, resumedText, printed(try scratch.read("out/\(name).html")))
    }

    func testAStaticMutatedByAnEarlierBlockRunsInFull() throws {
        let run = try resumeAndForce("statics", [
            "enum Counter { static var n = 0 }\nlet start = 1",
            "Counter.n += 5\nlet after = Counter.n",
            "print(\"n=\\(Counter.n) start=\\(start)\")",
        ])
        XCTAssertTrue(run.forced.contains("edited n=5 start=1"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
        XCTAssertTrue(run.log.contains("running from the first block"), run.log)
        XCTAssertTrue(run.log.contains("the static property 'n' would start afresh"), run.log)
        XCTAssertTrue(run.report.contains("Every block ran, not resumed from an earlier run: Notebooks/statics.md:2: the static property"), run.report)
    }

    func testAClassInstanceTwoNamesShareRunsInFull() throws {
        let run = try resumeAndForce("aliases", [
            "final class Box: Codable { var v = 0 }\nlet a = Box()",
            "let b = a\na.v = 7",
            "a.v = 9\nprint(\"b.v=\\(b.v) same=\\(a === b)\")",
        ])
        XCTAssertTrue(run.forced.contains("edited b.v=9 same=true"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
        XCTAssertTrue(run.log.contains("running from the first block"), run.log)
        XCTAssertTrue(run.log.contains("holds an instance of the class"), run.log)
    }

    func testASubclassStoredAsItsSuperclassRunsInFull() throws {
        let run = try resumeAndForce("subclass", [
            """
            class Animal: Codable { func sound() -> String { "..." } }
            final class Dog: Animal { override func sound() -> String { "woof" } }
            let pets: [Animal] = [Dog()]
            """,
            "let count = pets.count",
            "print(\"\\(pets[0].sound()) of \\(count)\")",
        ])
        XCTAssertTrue(run.forced.contains("edited woof of 1"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
        XCTAssertTrue(run.log.contains("uses 'pets'"), run.log)
        XCTAssertTrue(run.log.contains("holds an instance of the class"), run.log)
    }

    /// A Codable struct that encodes its numbers and leaves its closure out: the decoded one would
    /// carry a placeholder closure, so the value is not saved.
    func testAClosureInsideACodableValueRunsInFull() throws {
        let run = try resumeAndForce("closure", [
            """
            struct Scaled: Codable {
                var factor: Double
                var apply: (Double) -> Double = { $0 }
                init(factor: Double) { self.factor = factor; apply = { $0 * factor } }
                enum CodingKeys: CodingKey { case factor }
            }
            let triple = Scaled(factor: 3)
            """,
            "let six = triple.apply(2)",
            "print(\"\\(triple.apply(5)) \\(six)\")",
        ])
        XCTAssertTrue(run.forced.contains("edited 15.0 6.0"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
        XCTAssertTrue(run.log.contains("holds a closure"), run.log)
    }

    /// The control: values only, and a literal static constant, still resume, with the full run's output.
    func testValuesAndALiteralConstantStillResume() throws {
        let run = try resumeAndForce("values", [
            "enum Scale { static let factor = 2.5 }\nstruct Point: Codable { var x: Double; var tags: [String] }\nvar points = [Point(x: 1, tags: [\"a\"])]",
            "points.append(Point(x: Scale.factor, tags: [\"b\", \"c\"]))\nlet urls = [URL(fileURLWithPath: \"/tmp\")]",
            "print(\"\\(points.map(\\.x)) \\(points.flatMap(\\.tags)) \\(urls[0].path)\")",
        ])
        XCTAssertTrue(run.log.contains("restored blocks 1–2"), run.log)
        XCTAssertTrue(run.report.contains("Blocks 1–2 were restored from an earlier run"), run.report)
        XCTAssertTrue(run.forced.contains("edited [1.0, 2.5] [&quot;a&quot;, &quot;b&quot;, &quot;c&quot;] /tmp"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
    }

    /// `var`s changed after their block, in place and through a function declared earlier (no
    /// later block names them): a snapshot after each block holds them as that block left them,
    /// so a resume at the last block and one at the third both give the full run's output.
    func testAVarChangedAfterItsBlockIsSavedAsEachBlockLeftIt() throws {
        let blocks = [
            "var xs = [1, 2]\nvar counter = 0\nfunc bump() { counter += 1; xs.append(counter * 10) }",
            "bump()\nlet seen = xs.count",
            "xs[0] = 7\nbump()",
            "print(\"xs=\\(xs) counter=\\(counter) seen=\\(seen)\")",
        ]
        let run = try resumeAndForce("mutated", blocks)
        XCTAssertTrue(run.log.contains("restored blocks 1–3"), run.log)
        XCTAssertTrue(run.forced.contains("edited xs=[7, 2, 10, 20] counter=2 seen=3"), run.forced)
        XCTAssertEqual(run.resumed, run.forced)
        // The third block edited: it resumes from the snapshot after the second, before the third changed xs.
        try scratch.edit("Notebooks/mutated.md") { $0.replacingOccurrences(of: "xs[0] = 7", with: "xs[0] = 8") }
        let middle = try scratch.run(["run", "Notebooks/mutated.md"])
        XCTAssertEqual(middle.status, 0, middle.stderr)
        XCTAssertTrue(middle.stderr.contains("restored blocks 1–2"), middle.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/mutated.html"), block: 4).contains("edited xs=[8, 2, 10, 20] counter=2 seen=3"))
        // And the last block again: from the snapshot that run took after its third block, which
        // changed the values it had restored (restored on first use, inside `bump()`).
        try scratch.edit("Notebooks/mutated.md") { $0.replacingOccurrences(of: "print(\"edited ", with: "print(\"again ") }
        let last = try scratch.run(["run", "Notebooks/mutated.md"])
        XCTAssertEqual(last.status, 0, last.stderr)
        XCTAssertTrue(last.stderr.contains("restored blocks 1–3"), last.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/mutated.html"), block: 4).contains("again xs=[8, 2, 10, 20] counter=2 seen=3"))
    }

    func testWhatASnapshotCannotCarryIsNamed() {
        class Animal {}
        final class Dog: Animal {}
        struct Holder: Codable { var xs: [Double]; var url: URL; var data: Data; var when: Date; var names: [String: [Int]] }
        let holder = Holder(xs: Array(repeating: 1, count: 10_000_000), url: URL(fileURLWithPath: "/"), data: Data([1]), when: Date(), names: ["a": [1]])
        // 10⁷ doubles, and 10⁵ rows of [[Double]], are judged by their type, not walked (measured
        // 0.5 ms and 0.02 ms, against seconds and 88 ms for a walk: a cost, so not asserted here).
        XCTAssertNil(NotebookState.uncarriedState(in: holder))
        XCTAssertNil(NotebookState.uncarriedState(in: [[1.0], [2.0]]))
        XCTAssertNil(NotebookState.uncarriedState(in: (0..<100_000).map { [Double($0)] }))
        XCTAssertNotNil(NotebookState.uncarriedState(in: [Dog()] as [Animal]))
        XCTAssertNotNil(NotebookState.uncarriedState(in: ["k": [Optional(Dog())]]))
        XCTAssertNotNil(NotebookState.uncarriedState(in: (1, { (x: Int) in x })))
        XCTAssertNotNil(NotebookState.uncarriedState(in: Optional(Animal())))
    }

    func testStoredStaticsAreFoundAndComputedOnesAndLiteralsAreNot() {
        let found = SwiftTopLevel("""
            enum Counter { static var n = 0 }
            struct Settings {
                static let shared = Registry()
                static let limit = 10; static let scale = -2.5
                enum Other { static let label = "x" }
                static let names = ["a", "b"]
                static var computed: Int { 3 }
                nonisolated(unsafe) static var log: [String] = []
                static var optional: Int?
                static var watched = 1 { didSet { print(watched) } }
            }
            extension Counter { static func bump() { n += 1 } }
            let notStatic = 1
            """).staticStorage
        XCTAssertEqual(found.map(\.name), ["n", "shared", "log", "optional", "watched"])
        XCTAssertEqual(found.map(\.line), [0, 2, 7, 8, 9])
    }
}
