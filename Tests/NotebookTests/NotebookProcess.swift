import Foundation
import XCTest

/// Runs the built `notebook` in a scratch copy of `Tests/NotebookTests/Notebooks`.
struct NotebookProcess {
    let folder: URL

    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["NOTEBOOK"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("notebook")
    }

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Notebooks")
    }

    /// A new folder holding `Notebooks/` with copies of the test notebooks.
    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.sources, to: folder.appendingPathComponent("Notebooks"))
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    struct Outcome {
        var status: Int32
        var stderr: String
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try run(exactly: arguments + ["--out", "out", "--cache", "cache"], environment: environment)
    }

    /// Runs `notebook` with these arguments only (no `--out`, `--cache`).
    @discardableResult
    func run(exactly arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let (process, errors) = try start(exactly: arguments, environment: environment)
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stderr: String(decoding: data, as: UTF8.self))
    }

    /// Starts `notebook` and returns at once: the process and the pipe of its standard error.
    /// With `standardError`, the process writes its standard error to that file instead (the pipe is unused).
    func start(exactly arguments: [String], environment: [String: String] = [:], standardError: URL? = nil) throws -> (Process, Pipe) {
        let process = Process()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let errors = Pipe()
        if let standardError {
            _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: standardError)
        } else {
            process.standardError = errors
        }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errors)
    }

    func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path)
    }

    /// Whether process `pid` is running (a zombie, dead but not yet reaped, is not).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    func read(_ path: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
    }

    func data(_ path: String) throws -> Data {
        try Data(contentsOf: folder.appendingPathComponent(path))
    }

    func write(_ path: String, _ text: String) throws {
        try write(path, Data(text.utf8))
    }

    func write(_ path: String, _ data: Data) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func edit(_ path: String, _ change: (String) -> String) throws {
        let url = folder.appendingPathComponent(path)
        try Data(change(try String(contentsOf: url, encoding: .utf8)).utf8).write(to: url)
    }

    /// The text of the report's section for Swift block `number` (1-based), tags removed.
    func section(_ html: String, block number: Int) -> String {
        guard let start = html.range(of: "id=\"block-\(number)\"") else { return "" }
        let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)?.lowerBound ?? html.endIndex
        return String(html[start.upperBound..<end]).replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
    }
}
