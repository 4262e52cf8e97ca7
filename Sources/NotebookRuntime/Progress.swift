import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress bar on the terminal the runner was started from, for long experiments.
///
/// ```swift
/// let progress = Progress("d grid", total: grid.count)
/// for d in grid { …; progress.advance() }
/// progress.finish()
/// ```
///
/// It draws at most ten times a second, only when that terminal is a TTY, and
/// never into the block's output: the report shows results, not bars. Worker threads
/// may advance it and read ``done``: every mutable field is read and written under `lock`.
public final class Progress: @unchecked Sendable {
    public let label: String
    public let total: Int
    /// How many steps are done (read under the lock, like every write).
    public var done: Int { lock.withLock { count } }
    private var count = 0
    private let started = NotebookSession.monotonicSeconds()
    private var lastDrawn = 0.0
    private let lock = NSLock()

    public init(_ label: String, total: Int) {
        self.label = label
        self.total = max(total, 1)
    }

    public func advance(by count: Int = 1) {
        lock.withLock { moved(to: min(self.count + count, total)) }
    }

    /// Sets how many steps are done (clamped to 0…total), for a caller that reports totals rather
    /// than steps: two threads reporting at once cannot miscount, as a read of ``done`` followed by
    /// ``advance(by:)`` could. A count lower than the bar's is ignored (reports may arrive out of order).
    public func set(done: Int) {
        lock.withLock { moved(to: max(count, min(max(done, 0), total))) }
    }

    /// Called with the lock held.
    private func moved(to count: Int) {
        self.count = count
        let now = NotebookSession.monotonicSeconds()
        if now - lastDrawn >= 0.1 || self.count == total {
            lastDrawn = now
            draw(now: now)
        }
    }

    /// A bar for a library's `progress(done, total)` callback, which may be called from worker
    /// threads: the bar appears at the first call, with that call's total (a new total starts a new
    /// bar), follows `done`, and ends its line when `done` reaches the total.
    ///
    /// ```swift
    /// let points = try sweep.run(references: reference, progress: Progress.bar("figure 1"))
    /// ```
    public static func bar(_ label: String) -> @Sendable (_ done: Int, _ total: Int) -> Void {
        let current = CurrentBar()
        return { done, total in
            let bar = current.bar(label: label, total: total)
            bar.set(done: done)
            if done >= total { current.finish(bar) }
        }
    }

    public func finish() {
        lock.lock()
        defer { lock.unlock() }
        count = total
        draw(now: NotebookSession.monotonicSeconds())
        write("\n")
    }

    /// Called with the lock held.
    private func draw(now: Double) {
        let done = count
        let fraction = Double(done) / Double(total)
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = now - started
        let remaining = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        write("\r  \(label) \(bar) \(done)/\(total)  \(Int(elapsed)) s elapsed, ~\(Int(remaining)) s left ")
    }

    /// Called with the lock held, so two bars' lines never interleave.
    private func write(_ text: String) {
        let descriptor = NotebookSession.terminal >= 0 ? NotebookSession.terminal : STDERR_FILENO
        guard isatty(descriptor) == 1 else { return }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
    }
}

/// The bar a ``Progress/bar(_:)`` callback draws, made at its first call.
private final class CurrentBar: @unchecked Sendable {
    private let lock = NSLock()
    private var progress: Progress?
    private var finished = false

    func bar(label: String, total: Int) -> Progress {
        lock.withLock {
            if let progress, progress.total == max(total, 1) { return progress }
            let fresh = Progress(label, total: total)
            (progress, finished) = (fresh, false)
            return fresh
        }
    }

    func finish(_ bar: Progress) {
        let first = lock.withLock { () -> Bool in
            guard progress === bar, !finished else { return false }
            finished = true
            return true
        }
        if first { bar.finish() }
    }
}
