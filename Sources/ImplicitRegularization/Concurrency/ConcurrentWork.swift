import Foundation

/// Work spread over a bounded pool of threads (8 MiB of stack each): `workers` threads take the
/// items in turn, each running `body` on one item at a time, and the results come back in the
/// items' order, whichever thread computed them. The callers keep OpenBLAS single-threaded
/// (``BLASThreads``), so the parallelism is theirs; an item's result does not depend on the pool.
/// (`DispatchQueue.concurrentPerform` on Linux may run every item on the calling thread, hence
/// explicit threads.)
public enum ConcurrentWork {
    /// `count` indices cut into `parts` contiguous ranges (at most `count` of them, none empty
    /// unless `count` is 0), in order.
    static func shares(_ count: Int, _ parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        return (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
    }

    /// The pool's default size: the processors this process may use.
    public static var processors: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// `body` over `items` on `min(workers, items.count)` threads (`workers` defaults to
    /// ``processors``); a single worker runs everything on the calling thread.
    public static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], workers: Int = processors, _ body: @escaping @Sendable (Item) -> Result
    ) -> [Result] {
        let threads = max(1, min(workers, items.count))
        if threads == 1 { return items.map(body) }
        let results = ResultSlots<Result>(count: items.count)
        let next = Counter(-1)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                while case let index = next.increment(), index < items.count {
                    results.store(body(items[index]), at: index)
                }
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
        return results.values
    }
}

/// The slots the worker threads fill.
private final class ResultSlots<Result>: @unchecked Sendable {
    private var slots: [Result?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ result: Result, at index: Int) { lock.withLock { slots[index] = result } }
    var values: [Result] { lock.withLock { slots.map { $0! } } }
}

/// A counter shared by worker threads.
final class Counter: @unchecked Sendable {
    private var count: Int
    private let lock = NSLock()
    init(_ start: Int) { count = start }
    var value: Int { lock.withLock { count } }
    @discardableResult func increment() -> Int { lock.withLock { count += 1; return count } }
}

/// The first error recorded by any of several threads.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func record(_ error: Error) { lock.withLock { if self.error == nil { self.error = error } } }
    var first: Error? { lock.withLock { error } }
}
