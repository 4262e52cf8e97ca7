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
/// two files (`block-K.txt`, `block-K.stderr.txt`), so each block's output lands under it
/// in the report, its standard error folded apart; a trap's message and backtrace land in
/// the block that trapped. Tables and timings go to an events
/// file the runner reads when the program ends (see ``NotebookEvent``).
///
/// The runner names the run's folders and parameters in a ``RunManifest``. Outside the runner
/// (no manifest) the program writes to the terminal as any program would, and tables go to
/// `./tables/`.
public enum NotebookSession {
    /// The folder of this run's outputs: `block-K.txt`, `block-K.stderr.txt`, `events.jsonl`, `tables/`.
    public static let outputDirectory: URL = {
        let path = RunManifest.current?.outputFolder ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path, isDirectory: true)
    }()

    /// Where the notebook keeps state of its own between runs (resume chunks, intermediate
    /// results): a folder of this notebook inside the runner's `--cache`, so `notebook clean`
    /// removes it with the rest; `./.notebook-state/` outside the runner. Created on first use.
    public static let cacheFolder: URL = {
        let path = RunManifest.current?.cacheFolder ?? FileManager.default.currentDirectoryPath + "/.notebook-state"
        let url = URL(fileURLWithPath: path, isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A digest of the kernel (its library code by meaning) and the compiler this program was
    /// built with (from the runner; "unversioned" outside it): a notebook keys the caches it
    /// keeps itself with it, so that a change to the library recomputes them, as it reruns the notebook.
    public static let library = RunManifest.current?.kernel ?? "unversioned"

    /// The session's mutable state, behind `lock`: blocks may start worker threads that emit
    /// tables (reading the current block) or draw progress (reading the terminal).
    private struct State {
        var terminal: Int32 = -1
        var blockStart: Double = 0
        var currentBlock = 0
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var state = State()

    /// The terminal the runner was started from (descriptor 3 when the runner hands it over
    /// as `NOTEBOOK_TERMINAL_FD`, else a duplicate of standard error taken before the first
    /// block redirects it); progress bars draw here.
    static var terminal: Int32 { lock.withLock { state.terminal } }
    /// The block running now (0-based).
    static var currentBlock: Int { lock.withLock { state.currentBlock } }
    private static let redirects = RunManifest.current != nil

    /// Starts block `index` (0-based, in notebook order).
    public static func begin(block index: Int) {
        let first = lock.withLock { () -> Bool in
            guard state.terminal < 0 else { return false }
            if let given = ProcessInfo.processInfo.environment["NOTEBOOK_TERMINAL_FD"].flatMap({ Int32($0) }),
               fcntl(given, F_GETFD) >= 0 {
                state.terminal = given
                _ = fcntl(given, F_SETFD, FD_CLOEXEC)
            } else {
                state.terminal = dup(STDERR_FILENO)
            }
            return true
        }
        if first {
            if redirects { endDetachedProcesses() }
            if let text = kernelProvenance() { record(.kernelProvenance(text: text)) }
            setvbuf(stdout, nil, _IOLBF, 0)
            try? FileManager.default.createDirectory(
                at: outputDirectory.appendingPathComponent("tables"), withIntermediateDirectories: true)
        }
        fflush(stdout)
        lock.withLock { state.currentBlock = index }
        if redirects {
            // Standard output and standard error apart: the report shows the first, and the
            // second folded (open when the block fails), as Jupyter and knitr keep the two streams.
            for (name, stream) in [(outputFileName(block: index), STDOUT_FILENO), (errorFileName(block: index), STDERR_FILENO)] {
                let descriptor = open(outputDirectory.appendingPathComponent(name).path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                if descriptor >= 0 {
                    dup2(descriptor, stream)
                    close(descriptor)
                }
            }
        }
        lock.withLock { state.blockStart = monotonicSeconds() }
        record(.began(block: index))
    }

    /// The file of block `index`'s standard output in ``outputDirectory``.
    public static func outputFileName(block index: Int) -> String { "block-\(index).txt" }
    /// The file of block `index`'s standard error in ``outputDirectory``.
    public static func errorFileName(block index: Int) -> String { "block-\(index).stderr.txt" }

    /// Ends block `index`, recording how long it ran.
    public static func end(block index: Int) {
        fflush(stdout)
        fflush(stderr)
        let start = lock.withLock { state.blockStart }
        record(.ended(block: index, seconds: monotonicSeconds() - start))
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

extension NotebookSession {
    /// The state folder that notebook `stem` keeps under the same `--cache` (its
    /// ``cacheFolder`` when it runs), to read what that notebook keeps — the resumable chunks of
    /// a long computation, say — instead of computing it again. A notebook that reads it declares
    /// the other notebook among its `inputs`, so that it runs after it and is re-run when it changes.
    /// Outside the runner (no run manifest) it is this program's own ``cacheFolder``.
    public static func cacheFolder(ofNotebook stem: String) -> URL {
        guard RunManifest.current?.cacheFolder != nil else { return cacheFolder }
        // cacheFolder is <cache>/<this notebook>/state.
        let cache = cacheFolder.deletingLastPathComponent().deletingLastPathComponent()
        return cache.appendingPathComponent(stem, isDirectory: true).appendingPathComponent("state", isDirectory: true)
    }
}

extension NotebookSession {
    /// The kernel's own account of what it computes with: the C string its library returns from
    /// `notebook_kernel_provenance()`, looked up in this process by name (no kernel has to define
    /// it; this project's says which OpenBLAS kernels run and how they were chosen). Nil without one.
    static func kernelProvenance() -> String? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "notebook_kernel_provenance") else { return nil }
        typealias Provenance = @convention(c) () -> UnsafePointer<CChar>?
        let function = unsafeBitCast(symbol, to: Provenance.self)
        return function().map { String(cString: $0) }
    }
}
