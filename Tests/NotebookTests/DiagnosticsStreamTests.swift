import Foundation
import XCTest

/// The runner's diagnostics never trap: a full or closed standard error costs the text, not the
/// exit status (before: SIGILL, 132, from Foundation's FileHandle.write).
final class DiagnosticsStreamTests: XCTestCase {
    private func status(_ arguments: [String], standardError: FileHandle?) throws -> Int32 {
        let process = Process()
        process.executableURL = NotebookProcess.executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        if let standardError { process.standardError = standardError }
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "\(arguments) ended by a signal")
        return process.terminationStatus
    }

    func testAFullStandardErrorIsNoTrap() throws {
        let full = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
        XCTAssertEqual(try status(["run", "/nonexistent/notebook.md"], standardError: full), 2)
        XCTAssertEqual(try status(["run", "--timeout", "-1"], standardError: full), 2)
    }

    func testAClosedStandardErrorIsNoTrap() throws {
        // The shell's 2>&-: the child starts with descriptor 2 closed.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let pipe = Pipe()
        process.arguments = ["-c", "\"$0\" run /nonexistent/notebook.md 2>&-; echo $?", NotebookProcess.executable.path]
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(text.trimmingCharacters(in: .whitespacesAndNewlines), "2")
    }
}
