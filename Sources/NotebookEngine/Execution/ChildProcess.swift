import Foundation

/// Runs a program to completion with an optional time limit, capturing its
/// standard output and error together (or leaving them to the terminal).
struct ChildProcess {
    struct Outcome {
        var status: Int32
        var output: String
        var timedOut: Bool
        var signalled: Bool
        var seconds: Double
    }

    var executable: URL
    var arguments: [String]
    var directory: URL?
    var environment: [String: String]?
    var input: String?
    var timeout: Double?
    /// When false, the child writes to the runner's own standard output and error.
    var capturesOutput = true

    func run() throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let outputPipe = Pipe()
        if capturesOutput {
            process.standardOutput = outputPipe
            process.standardError = outputPipe
        }
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        let start = Date()
        try process.run()
        let collected = OutputCollector()
        let reading = DispatchGroup()
        if capturesOutput {
            DispatchQueue.global().async(group: reading) {
                collected.data = outputPipe.fileHandleForReading.readDataToEndOfFile()
            }
        }
        if let input {
            DispatchQueue.global().async {
                inputPipe.fileHandleForWriting.write(Data(input.utf8))
                try? inputPipe.fileHandleForWriting.close()
            }
        }
        var timedOut = false
        if let timeout, finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                finished.wait()
            }
        } else if timeout == nil {
            finished.wait()
        }
        reading.wait()
        return Outcome(
            status: process.terminationStatus,
            output: String(decoding: collected.data, as: UTF8.self),
            timedOut: timedOut,
            signalled: process.terminationReason == .uncaughtSignal,
            seconds: Date().timeIntervalSince(start))
    }

    /// The first `name` on `PATH`.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

private final class OutputCollector: @unchecked Sendable {
    var data = Data()
}
