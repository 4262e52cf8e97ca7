import LinearAlgebra

/// A long vector of doubles that worker threads read, or write in disjoint parts, with the
/// level-1 BLAS operations split into contiguous shares over `threads` threads (each share one
/// BLAS call). They are memory-bound, so threads speed them up less than their number (`make bench`
/// measures it on vectors of a million entries, the size of L-BFGS over MovieLens's factors).
///
/// The buffer owns its allocation: it is freed in `deinit`, when the last reference goes, so it
/// can be neither leaked nor freed twice. It is not `Sendable`: the threads of its operations get
/// ``SendablePointer``s to its storage, never the buffer, and every operation returns only once
/// they have finished (``ConcurrentWork/map(_:workers:_:)`` joins them), so the storage outlives them.
/// `pointer` and `mutable`/`readable` are valid only while the buffer is alive: keep it alive
/// (`withExtendedLifetime`) where it is not used after its pointer.
public final class SharedBuffer {
    public let pointer: UnsafeMutablePointer<Double>
    public let count: Int
    /// Threads for the level-1 operations below.
    let threads: Int

    public init(_ values: [Double], threads: Int = 1) {
        count = values.count
        self.threads = threads
        pointer = .allocate(capacity: count)
        pointer.initialize(from: values, count: count)
    }
    /// `count` zeros.
    public init(count: Int, threads: Int = 1) {
        self.count = count
        self.threads = threads
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit {
        pointer.deinitialize(count: count)
        pointer.deallocate()
    }

    public var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// The whole buffer, to write.
    public var mutable: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    /// The whole buffer, to read.
    public var readable: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: pointer, count: count) }

    /// `Σ body(share)` over contiguous shares of the indices.
    private func split(_ body: @escaping @Sendable (Range<Int>) -> Double) -> Double {
        ConcurrentWork.map(ConcurrentWork.shares(count, threads), body).reduce(0, +)
    }

    /// `selfᵀ x` (BLAS `ddot` per share).
    func dot(_ x: SharedBuffer) -> Double {
        precondition(x.count == count, "dot: lengths differ")
        let (a, b) = (SendablePointer(pointer), SendablePointer(x.pointer))
        return split { r in Vector.dot(UnsafeBufferPointer(start: a.base + r.lowerBound, count: r.count), UnsafeBufferPointer(start: b.base + r.lowerBound, count: r.count)) }
    }

    /// `self ← α x + self` (BLAS `daxpy` per share).
    func add(_ alpha: Double, _ x: SharedBuffer) {
        precondition(x.count == count, "axpy: lengths differ")
        let (a, b) = (SendablePointer(pointer), SendablePointer(x.pointer))
        _ = split { r in
            Vector.axpy(alpha, UnsafeBufferPointer(start: b.base + r.lowerBound, count: r.count), UnsafeMutableBufferPointer(start: a.base + r.lowerBound, count: r.count))
            return 0
        }
    }

    /// `self ← α self` (BLAS `dscal` per share).
    func scale(by alpha: Double) {
        let a = SendablePointer(pointer)
        _ = split { r in
            Vector.scale(UnsafeMutableBufferPointer(start: a.base + r.lowerBound, count: r.count), by: alpha)
            return 0
        }
    }

    /// `self ← x` (BLAS `dcopy` per share).
    func assign(_ x: SharedBuffer) {
        precondition(x.count == count, "copy: lengths differ")
        let (a, b) = (SendablePointer(pointer), SendablePointer(x.pointer))
        _ = split { r in
            Vector.copy(UnsafeBufferPointer(start: b.base + r.lowerBound, count: r.count), into: UnsafeMutableBufferPointer(start: a.base + r.lowerBound, count: r.count))
            return 0
        }
    }
}

/// A pointer the worker threads read, or write in disjoint parts.
///
/// `@unchecked Sendable` on this invariant, which its users keep by hand (the compiler cannot):
/// (1) threads given the same pointer write disjoint ranges of it, and none reads a range another
/// writes; (2) the memory it points to is owned elsewhere (a ``SharedBuffer``, an array's
/// `withUnsafe…BufferPointer` scope) and stays alive until every thread given the pointer has
/// finished, which holds because it is only handed to ``ConcurrentWork/map(_:workers:_:)``, which returns
/// after joining its threads.
struct SendablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { base = pointer }
    init(_ pointer: UnsafePointer<Double>) { base = UnsafeMutablePointer(mutating: pointer) }
}
