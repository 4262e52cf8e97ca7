import Foundation
import XCTest

/// What the runner says at its edges: inputs it cannot hash are refused by name (a read of
/// `/proc/self` or a FIFO never ends), `clean` through a symbolic link says the link alone went,
/// and `status` finds a notebook from any working folder.
final class RunnerBoundaryTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Notebooks/small.md", "---\ntitle: Small\n---\n```swift\nprint(\"one\")\n```\n")
    }
    override func tearDown() { scratch.remove() }

    /// Runs `notebook` in `folder` (default: the scratch folder) and returns its status and both outputs.
    func notebook(_ arguments: [String], in folder: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = NotebookProcess.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder ?? scratch.folder
        let (output, errors) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (output, errors)
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    func testInputsThatCannotBeHashedAreRefusedByName() throws {
        XCTAssertEqual(mkfifo(scratch.folder.appendingPathComponent("fifo").path, 0o600), 0)
        try FileManager.default.createDirectory(at: scratch.folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try scratch.write("data/ok.txt", "1\n")
        try FileManager.default.createSymbolicLink(atPath: scratch.folder.appendingPathComponent("data/pipe").path, withDestinationPath: "../fifo")
        for (input, expected) in [
            ("/proc/self", "is on the kernel's proc file system"),
            ("fifo", "is not a regular file or a folder"),
            ("data", "holds pipe, which is not a regular file"),
            ("/dev/zero", "is not a regular file or a folder"),
        ] {
            try scratch.write("Notebooks/small.md", "---\ntitle: Small\ninputs: [\(input)]\n---\n```swift\nprint(\"one\")\n```\n")
            let start = Date()
            let outcome = try scratch.run(["run", "Notebooks/small.md"])
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            XCTAssertTrue(outcome.stderr.contains("Notebooks/small.md: error: the input '\(input)' \(expected)"), outcome.stderr)
            // Refused before anything compiles: measured 0.03 s; the landed runner hung on /proc/self.
            XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        }
        try scratch.write("Notebooks/small.md", "---\ntitle: Small\ninputs: [data/ok.txt]\n---\n```swift\nprint(\"one\")\n```\n")
        XCTAssertEqual(try scratch.run(["run", "Notebooks/small.md"]).status, 0, "a regular file in that folder is an input")
    }

    func testCleanThroughALinkSaysTheLinkAloneWent() throws {
        XCTAssertEqual(try notebook(["run", "Notebooks/small.md", "--out", "out", "--cache", "real"]).status, 0)
        try FileManager.default.createSymbolicLink(atPath: scratch.folder.appendingPathComponent("link").path, withDestinationPath: "real")
        let cleaned = try notebook(["clean", "--cache", "link"])
        XCTAssertEqual(cleaned.status, 0, cleaned.stderr)
        let real = scratch.folder.appendingPathComponent("real").resolvingSymlinksInPath().path
        XCTAssertEqual(cleaned.stdout, "notebook: removed the link link only; the cache it pointed to, \(real), stays "
            + "(notebook clean --cache \(real) removes it)\n")
        XCTAssertFalse(scratch.exists("link"))
        XCTAssertTrue(scratch.exists("real/CACHEDIR.TAG"), "the cache is still there, as said")
        XCTAssertEqual(try notebook(["clean", "--cache", "real"]).stdout, "notebook: removed real\n")
        XCTAssertFalse(scratch.exists("real"))
    }

    func testStatusFindsTheNotebookFromAnotherWorkingFolder() throws {
        XCTAssertEqual(try notebook(["run", "Notebooks/small.md", "--out", "out", "--cache", "cache"]).status, 0)
        let elsewhere = scratch.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let out = scratch.folder.appendingPathComponent("out").path
        let here = try notebook(["status", "--out", out])
        let there = try notebook(["status", "--out", out], in: elsewhere)
        XCTAssertEqual(here.status, 0, here.stdout + here.stderr)
        XCTAssertEqual(there.status, 0, there.stdout + there.stderr)
        XCTAssertTrue(there.stdout.contains("Notebooks/small.md  current"), there.stdout)
        // Edited, it is stale from either folder; moved away, it is no longer there, with where it was looked for.
        try scratch.edit("Notebooks/small.md") { $0.replacingOccurrences(of: "one", with: "two") }
        XCTAssertTrue(try notebook(["status", "--out", out], in: elsewhere).stdout.contains("STALE: Notebooks/small.md changed since"))
        try FileManager.default.moveItem(at: scratch.folder.appendingPathComponent("Notebooks/small.md"), to: scratch.folder.appendingPathComponent("small.md"))
        let gone = try notebook(["status", "--out", out], in: elsewhere)
        XCTAssertTrue(gone.stdout.contains("its notebook Notebooks/small.md is no longer there (nor at "), gone.stdout)
    }
}
