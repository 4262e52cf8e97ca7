#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The running notebook program's link to the `notebook` runner.
///
/// The runner generates one program from a notebook's Swift blocks and calls
/// ``begin(block:)`` before each block and ``end(block:)`` after it. Between the
/// two, the process's standard output and standard error go to that block's own
/// file, so each block's output lands under it in the report; a trap's message and
/// backtrace land in the block that trapped. Tables and timings go to an events
/// file the runner reads when the program ends (see ``NotebookEvent``).
///
/// Outside the runner (no `NOTEBOOK_OUTPUT` in the environment) the program writes
/// to the terminal as any program would, and tables go to `./tables/`.
public enum NotebookSession {
    /// The folder of this run's outputs: `block-K.txt`, `events.jsonl`, `tables/`.
    public static let outputDirectory: URL = {
        let path = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"] ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, isDirectory: true)
    }()

    /// A digest of the library's sources and the compiler this program was built with (from the
    /// runner; "unversioned" outside it): a notebook keys the caches it keeps itself with it, so
    /// that a change to the library recomputes them, as it reruns the notebook.
    public static let library = ProcessInfo.processInfo.environment["NOTEBOOK_LIBRARY"] ?? "unversioned"

    /// The terminal the runner was started from (a duplicate of standard error
    /// taken before the first block redirects it); progress bars draw here.
    nonisolated(unsafe) static var terminal: Int32 = -1
    nonisolated(unsafe) private static var blockStart: Double = 0
    nonisolated(unsafe) private(set) static var currentBlock = 0
    private static let redirects = ProcessInfo.processInfo.environment["NOTEBOOK_OUTPUT"] != nil

    /// Starts block `index` (0-based, in notebook order).
    public static func begin(block index: Int) {
        if terminal < 0 {
            terminal = dup(STDERR_FILENO)
            setvbuf(stdout, nil, _IOLBF, 0)
            try? FileManager.default.createDirectory(
                at: outputDirectory.appendingPathComponent("tables"), withIntermediateDirectories: true)
        }
        fflush(stdout)
        currentBlock = index
        if redirects {
            let path = outputDirectory.appendingPathComponent("block-\(index).txt").path
            let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if descriptor >= 0 {
                dup2(descriptor, STDOUT_FILENO)
                dup2(descriptor, STDERR_FILENO)
                close(descriptor)
            }
        }
        blockStart = monotonicSeconds()
        record(.began(block: index))
    }

    /// Ends block `index`, recording how long it ran.
    public static func end(block index: Int) {
        fflush(stdout)
        record(.ended(block: index, seconds: monotonicSeconds() - blockStart))
    }

    static func record(_ event: NotebookEvent) {
        guard let line = try? JSONEncoder().encode(event) else { return }
        let url = outputDirectory.appendingPathComponent("events.jsonl")
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = [UInt8](line) + [10]
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}
