import Foundation

/// Work spread over threads: one `Thread` (8 MiB of stack) per item, each running `body` on its
/// item, the results in the items' order (a single item runs on the calling thread). The callers keep OpenBLAS single-threaded
/// (``BLASThreads``), so the parallelism is theirs: on a 2-core machine two workers ran
/// about 1.6 times as fast as one. (`DispatchQueue.concurrentPerform` on Linux may run every
/// item on the calling thread, hence explicit threads.)
public enum ConcurrentWork {
    /// `count` indices cut into `parts` contiguous ranges (at most `count` of them, none empty
    /// unless `count` is 0), in order.
    static func shares(_ count: Int, _ parts: Int) -> [Range<Int>] {
        let parts = max(1, min(parts, count))
        return (0..<parts).map { p in (p * count / parts)..<((p + 1) * count / parts) }
    }

    public static func map<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ body: @escaping @Sendable (Item) -> Result
    ) -> [Result] {
        if items.count == 1 { return [body(items[0])] }
        let results = ResultSlots<Result>(count: items.count)
        let group = DispatchGroup()
        for (index, item) in items.enumerated() {
            group.enter()
            let thread = Thread {
                results.store(body(item), at: index)
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
