import LinearAlgebra

/// A long vector of doubles that worker threads read, or write in disjoint parts, with the
/// level-1 BLAS operations split into contiguous shares over `threads` threads (each share one
/// BLAS call). They are memory-bound: on this machine two threads move about 1.7 times the bytes
/// of one, for vectors of a million entries (L-BFGS over MovieLens's factors).
final class SharedBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int
    /// Threads for the level-1 operations below.
    var threads = 1

    init(_ values: [Double]) {
        count = values.count
        pointer = .allocate(capacity: count)
        pointer.initialize(from: values, count: count)
    }
    /// `count` zeros.
    init(count: Int, threads: Int = 1) {
        self.count = count
        self.threads = threads
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    /// The whole buffer, to write.
    var mutable: UnsafeMutableBufferPointer<Double> { UnsafeMutableBufferPointer(start: pointer, count: count) }
    /// The whole buffer, to read.
    var readable: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: pointer, count: count) }
    func free() { pointer.deallocate() }

    /// `Σ body(share)` over contiguous shares of the indices.
    private func split(_ body: @escaping @Sendable (Range<Int>) -> Double) -> Double {
        ConcurrentWork.map(ObservedEntries.shares(count, threads), body).reduce(0, +)
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
struct SendablePointer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Double>
    init(_ pointer: UnsafeMutablePointer<Double>) { base = pointer }
    init(_ pointer: UnsafePointer<Double>) { base = UnsafeMutablePointer(mutating: pointer) }
}
