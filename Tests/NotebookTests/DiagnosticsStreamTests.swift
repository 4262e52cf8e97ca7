import Foundation
import NotebookEngine
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

    /// A file-system error reads as one line with the path and the system's reason (it was
    /// Foundation's dump: "Error Domain=NSCocoaErrorDomain Code=642 … UserInfo={…}").
    func testFileSystemErrorsInOneLine() {
        let readOnly = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteVolumeReadOnly.rawValue, userInfo: [
            NSFilePathErrorKey: "/mnt/cache/x", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EROFS))])
        XCTAssertEqual(Diagnostics.describe(readOnly), "cannot write /mnt/cache/x: Read-only file system")
        let full = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteOutOfSpace.rawValue, userInfo: [
            NSURLErrorKey: URL(fileURLWithPath: "/mnt/cache/y"), NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))])
        XCTAssertEqual(Diagnostics.describe(full), "cannot write /mnt/cache/y: No space left on device")
        let missing = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileReadNoSuchFile.rawValue, userInfo: [
            NSFilePathErrorKey: "/mnt/z", NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOENT))])
        XCTAssertEqual(Diagnostics.describe(missing), "cannot read /mnt/z: No such file or directory")
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
