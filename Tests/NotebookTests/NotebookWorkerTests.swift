import Foundation
import XCTest

/// A notebook program started as a job array's worker (`PROGRAM --notebook-worker PLAN --task N`,
/// NotebookSession+Worker.swift) hands the task to its kernel before any block runs, and says so in one
/// line with exit 2 when its kernel has no worker (here: the runtime alone) or its arguments are wrong.
final class NotebookWorkerTests: XCTestCase {
    func testAProgramStartedAsWorkerRunsNoBlockAndNamesWhatIsMissing() throws {
        let process = try NotebookProcess()
        defer { process.remove() }
        let copy = process.folder.appendingPathComponent("program-copy")
        let marker = process.folder.appendingPathComponent("block-ran")
        // The block keeps a copy of its own program (the run removes its scratch folder) and leaves a marker.
        let notebook = """
            ---
            title: A worker
            ---
            # A worker

            ```swift
            FileManager.default.createFile(atPath: "\(marker.path)", contents: Data("ran".utf8))
            if !FileManager.default.fileExists(atPath: "\(copy.path)") {
                try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, toPath: "\(copy.path)")
            }
            print("ran")
            ```
            """
        try notebook.write(to: process.folder.appendingPathComponent("Notebooks/worker.md"), atomically: true, encoding: .utf8)
        let rendered = try process.run(["run", "Notebooks/worker.md"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path), "the block ran in the notebook run")
        try FileManager.default.removeItem(at: marker)

        func worker(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
            let program = Process()
            program.executableURL = copy
            program.arguments = arguments
            program.currentDirectoryURL = process.folder
            let errors = Pipe()
            program.standardError = errors
            program.standardOutput = FileHandle.nullDevice
            try program.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            program.waitUntilExit()
            return (program.terminationStatus, text)
        }
        let noWorker = try worker(["--notebook-worker", "plan.json", "--task", "0"])
        XCTAssertEqual(noWorker.status, 2, noWorker.stderr)
        XCTAssertEqual(noWorker.stderr, "notebook worker: this notebook's kernel has no worker (no notebook_kernel_worker function)\n")
        let badArguments = try worker(["--notebook-worker", "plan.json"])
        XCTAssertEqual(badArguments.status, 2, badArguments.stderr)
        XCTAssertEqual(badArguments.stderr, "notebook worker: expected --notebook-worker PLAN --task N, got plan.json\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "no block ran in the worker")
    }
}
