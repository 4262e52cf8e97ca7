import Foundation
import XCTest

/// Nothing a run starts outlives it: a process a block detaches (`sh -c "sleep N &"`, in a
/// process group or a session of its own, with an empty environment), and the compiler, when `notebook run` is killed by
/// SIGTERM or SIGKILL mid-compile. Processes are found by a marker in their arguments (`ps`).
final class ProcessLifetimeTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws { scratch = try NotebookProcess() }
    override func tearDown() { scratch.remove() }

    /// The command lines of the running processes that contain `marker`.
    func processes(_ marker: String) throws -> [String] {
        let ps = Process()
        ps.executableURL = URL(fileURLWithPath: "/bin/ps")
        ps.arguments = ["-eo", "pid,args"]
        let pipe = Pipe()
        ps.standardOutput = pipe
        try ps.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ps.waitUntilExit()
        return text.split(separator: "\n").map(String.init).filter { $0.contains(marker) }
    }

    /// Polls until no process carries `marker`, for at most `seconds`.
    func waitUntilGone(_ marker: String, seconds: Double) throws -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var left = try processes(marker)
        while !left.isEmpty && Date() < deadline {
            usleep(100_000)
            left = try processes(marker)
        }
        return left
    }

    /// A block that waits for `sh -c "sleep … & setsid sleep … &"` finishes at once (the detached
    /// sleeps, which held Process's exit socket, are ended), and the sleeps a block leaves in a
    /// session of its own, with or without its environment, end with the run. The limit is 60 s; the landed runner took the whole of it and called the block timed out.
    func testADetachedProcessEndsAndItsBlockIsNotCalledTimedOut() throws {
        let waited = "41.\(Int.random(in: 100_000...999_999))"
        let waitedSession = "44.\(Int.random(in: 100_000...999_999))"
        let left = "42.\(Int.random(in: 100_000...999_999))"
        let bare = "43.\(Int.random(in: 100_000...999_999))"
        try scratch.write("Notebooks/detach.md", """
            ---
            title: Detached
            timeout: 60
            ---
            ```swift
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "sleep \(waited) & setsid sleep \(waitedSession) > /dev/null 2>&1 < /dev/null &"]
            try shell.run()
            shell.waitUntilExit()
            print("the shell exited")
            ```

            ```swift
            let daemon = Process()
            daemon.executableURL = URL(fileURLWithPath: "/bin/sh")
            daemon.arguments = ["-c", "setsid sleep \(left) > /dev/null 2>&1 < /dev/null &"]
            try daemon.run()
            print("started a daemon")
            ```

            ```swift
            // A session of its own and an empty environment: only the runner's adoption of orphans ends it.
            let bare = Process()
            bare.executableURL = URL(fileURLWithPath: "/bin/sh")
            bare.arguments = ["-c", "setsid env -i /bin/sleep \(bare) > /dev/null 2>&1 < /dev/null &"]
            try bare.run()
            print("started a bare daemon")
            ```

            """)
        let start = Date()
        let outcome = try scratch.run(["run", "Notebooks/detach.md"])
        let seconds = Date().timeIntervalSince(start)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let html = try scratch.read("out/detach.html")
        XCTAssertFalse(html.contains("timed out"), html)
        XCTAssertTrue(scratch.section(html, block: 1).contains("the shell exited"))
        XCTAssertTrue(outcome.stderr.contains("ended process"), outcome.stderr)
        // Compile and run took under 10 s here; 40 s is the sleep (41 s) having held the block.
        XCTAssertLessThan(seconds, 40, outcome.stderr)
        XCTAssertEqual(try waitUntilGone(waited, seconds: 2), [])
        XCTAssertEqual(try waitUntilGone(waitedSession, seconds: 2), [])
        XCTAssertEqual(try waitUntilGone(left, seconds: 2), [], "the daemon in a session of its own ended with the run")
        XCTAssertEqual(try waitUntilGone(bare, seconds: 2), [], "and the one with an empty environment")
    }

    /// `notebook run` killed while `swift-frontend` compiles (3,000 functions: several seconds):
    /// no process of that run is left, the compiler included.
    func testKillingTheRunnerMidCompileLeavesNoCompiler() throws {
        var source = "```swift\n"
        for index in 0..<3000 {
            source += "func f\(index)(_ x: [Double]) -> Double { x.map { $0 * \(index).5 + sin($0) }.filter { $0 > \(index % 7).0 }.reduce(0, +) }\n"
        }
        try scratch.write("Notebooks/slow.md", source + "print(f1([1, 2, 3]))\n```\n")
        for signal in [SIGTERM, SIGKILL] {
            let marker = "cache-\(signal)-\(Int.random(in: 100_000...999_999))"
            let (runner, _) = try scratch.start(
                exactly: ["run", "Notebooks/slow.md", "--out", "out", "--cache", marker],
                standardError: scratch.folder.appendingPathComponent("stderr-\(signal).txt"))
            // The driver first runs a short `swift-frontend -frontend -emit-module` (well under a
            // second), then the long `-frontend -c`: wait for the second, so the kill lands on a
            // compile in progress (a clean-clone CI run once saw the first, which had ended by the check).
            func compiling() throws -> Bool {
                try processes(marker).contains { $0.contains("swift-frontend") && $0.contains("-frontend -c ") }
            }
            let deadline = Date().addingTimeInterval(120)
            var seen = try compiling()
            while !seen && Date() < deadline && runner.isRunning {
                usleep(50_000)
                seen = try compiling()
            }
            let log = scratch.folder.appendingPathComponent("stderr-\(signal).txt")
            XCTAssertTrue(seen,
                          "the compiler was running (signal \(signal)); the runner \(runner.isRunning ? "runs" : "had ended, status \(runner.terminationStatus)"): "
                            + ((try? String(contentsOf: log, encoding: .utf8)) ?? ""))
            kill(runner.processIdentifier, signal)
            runner.waitUntilExit()
            XCTAssertEqual(try waitUntilGone(marker, seconds: 5), [], "signal \(signal)")
        }
    }
}
