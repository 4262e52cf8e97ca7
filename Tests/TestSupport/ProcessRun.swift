import Foundation

/// A program run to its end, or stopped at a deadline, with its output captured: the one way the
/// tests start a built tool (`factorize`) or a child copy of the test binary (one input per child,
/// so that a trap fails one test and not the whole run).
public struct ProcessRun: Sendable {
    /// The exit status, or the signal's number when one ended it.
    public var status: Int32
    /// Whether it exited (rather than being ended by a signal, a trap or the deadline).
    public var exited: Bool
    public var stdout: String
    public var stderr: String

    /// Runs `executable` with `arguments`; standard output goes to `stdout` when given (it is then
    /// not captured), standard error is captured (into `stdout` too, with `mergingOutput`). A run
    /// still going after `timeout` seconds is terminated.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, stdout: FileHandle? = nil,
        mergingOutput: Bool = false, timeout: Double = 60
    ) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = stdout ?? out
        process.standardError = mergingOutput ? out : err
        try process.run()
        let deadline = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: deadline)
        defer { deadline.cancel() }
        // Standard error is drained on its own thread, so that neither pipe can fill and block the child.
        let errorBox = ErrorText()
        let reader = Thread { errorBox.text = mergingOutput ? "" : String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        reader.start()
        let output = stdout == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        self.status = process.terminationStatus
        self.exited = process.terminationReason == .exit
        self.stdout = String(decoding: output, as: UTF8.self)
        self.stderr = errorBox.text
    }

    /// This test binary, running only `test` (`Module.Class/testName`) with `environment` added,
    /// its standard output and error together in ``stdout``.
    public static func childTest(_ test: String, environment: [String: String], timeout: Double = 60) throws -> ProcessRun {
        try ProcessRun(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), [test],
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, mergingOutput: true, timeout: timeout)
    }
}

/// Standard error as a reader thread leaves it.
private final class ErrorText: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    private var finished = false
    var text: String {
        get { lock.withLock { value } }
        set { lock.withLock { (value, finished) = (newValue, true) } }
    }
    var done: Bool { lock.withLock { finished } }
}
