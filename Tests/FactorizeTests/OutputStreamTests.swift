import Foundation
import ImplicitRegularization
import TestSupport
import XCTest

/// The README's exit codes when the streams themselves fail: a result that cannot be written is
/// exit 1 (with a line on stderr when stderr works), a broken stderr costs only the diagnostics,
/// never a trap (SIGILL) or SIGPIPE; and one `exhaustive` run per folder at a time.
extension FactorizeEndToEndTests {
    /// Runs `factorize arguments` from `sh` with `redirections` (e.g. `2>&-`) applied to it.
    func runRedirected(_ arguments: [String], _ redirections: String) throws -> ProcessRun {
        guard FileManager.default.isExecutableFile(atPath: Self.tool.path) else {
            XCTFail("no factorize at \(Self.tool.path): run `swift build` first")
            throw CocoaError(.fileNoSuchFile)
        }
        return try ProcessRun(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" \"$@\" \(redirections)", Self.tool.path] + arguments)
    }

    func testAClosedOrFullStandardErrorNeverTraps() throws {
        let folder = try scratchFolder("stderr")
        let good = try write("{\"kind\": \"completion\", \"rows\": 2, \"cols\": 2, \"symmetric\": true, \"entries\": [[0, 0, 1], [1, 1, 1]]}", "p.json", in: folder)
        let missing = folder.appendingPathComponent("missing.json").path
        for redirection in ["2>/dev/full", "2>&-"] {
            // A refusal whose line cannot be written: still exit 2.
            let refused = try runRedirected(["min-nuclear-norm", missing], redirection)
            XCTAssertTrue(refused.exited, "\(redirection): ended by signal \(refused.status)")
            XCTAssertEqual(refused.status, 2, redirection)
            XCTAssertEqual(refused.stdout, "", redirection)
            // A result: printed, exit 0.
            let solved = try runRedirected(["min-nuclear-norm", good], redirection)
            XCTAssertTrue(solved.exited, "\(redirection): ended by signal \(solved.status)")
            XCTAssertEqual(solved.status, 0, redirection)
            XCTAssertTrue(solved.stdout.hasPrefix("{\"status\": \"solved\""), "\(redirection): \(solved.stdout)")
        }
    }

    func testAClosedStandardOutputIsAFailure() throws {
        let folder = try scratchFolder("stdout")
        let problem = try write("{\"kind\": \"completion\", \"rows\": 2, \"cols\": 2, \"symmetric\": true, \"entries\": [[0, 0, 1], [1, 1, 1]]}", "p.json", in: folder)
        let closed = try runRedirected(["min-nuclear-norm", problem], ">&-")
        XCTAssertTrue(closed.exited, "ended by signal \(closed.status)")
        XCTAssertEqual(closed.status, 1)
        XCTAssertEqual(closed.stderr, "factorize: cannot write the result to standard output: it is closed\n")
        let both = try runRedirected(["min-nuclear-norm", problem], ">&- 2>&-")
        XCTAssertTrue(both.exited, "ended by signal \(both.status)")
        XCTAssertEqual(both.status, 1)
    }

    /// A pipe whose reader has gone (its read end closed before the tool starts, so no race):
    /// exit 1 with the reason, not death by SIGPIPE (141 from a shell).
    func testABrokenPipeIsAFailureNotASignal() throws {
        let folder = try scratchFolder("pipe")
        let problem = try write("{\"kind\": \"completion\", \"rows\": 2, \"cols\": 2, \"symmetric\": true, \"entries\": [[0, 0, 1], [1, 1, 1]]}", "p.json", in: folder)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let outcome = try run(["min-nuclear-norm", problem], stdout: pipe.fileHandleForWriting)
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertEqual(outcome.stderr, "factorize: cannot write the result to standard output: Broken pipe\n")
    }

    /// Two `exhaustive` runs on one folder: while the first holds the folder (its chunk folder
    /// exists, which it creates only after taking the lock), the second exits 2 at once with one
    /// line naming the folder, and writes nothing; once the first has ended (killed: the kernel
    /// drops its lock) a new run takes the folder and finishes.
    func testTwoExhaustiveRunsOnOneFolder() throws {
        let folder = try scratchFolder("exhaustive")
        let out = folder.appendingPathComponent("run").path
        let first = Process()
        first.executableURL = Self.tool
        first.arguments = ["exhaustive", "--out", out, "--workers", "1"]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate() }; first.waitUntilExit() }
        let chunks = URL(fileURLWithPath: out).appendingPathComponent("chunks-1e-05_0.001_1.0").path
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: chunks) && Date() < deadline && first.isRunning { usleep(10_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: chunks), "the first run started")
        let before = try FileManager.default.contentsOfDirectory(atPath: out).sorted()

        let second = try run(["exhaustive", "--out", out, "--workers", "1"], timeout: 30)
        XCTAssertEqual(second.status, 2, second.stderr)
        XCTAssertEqual(second.stdout, "")
        XCTAssertEqual(second.stderr.split(separator: "\n").count, 1, second.stderr)
        XCTAssertTrue(second.stderr.contains("\(out): another run is writing into this folder"), second.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), before, "the second run wrote nothing")
        XCTAssertTrue(first.isRunning, "the first run goes on")

        first.terminate()
        first.waitUntilExit()
        let third = try run(["exhaustive", "--out", out, "--workers", "1", "--subsample", "50000"], timeout: 300)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertEqual(third.json?["instances"] as? Int, 3)
    }
}
