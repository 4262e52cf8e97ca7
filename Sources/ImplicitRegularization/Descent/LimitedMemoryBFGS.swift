import LinearAlgebra

/// An objective that L-BFGS can minimise with exact steps: its value and gradient, and the
/// minimiser of the objective along a direction (from the point last evaluated).
public protocol ExactlySearchable {
    var dimension: Int { get }
    /// The value at z, its gradient into `gradient`.
    func evaluate(_ z: SharedBuffer, gradient: SharedBuffer) -> Double
    /// The step s ≥ 0 minimising the objective at `z + s d` (z the point last evaluated).
    func exactStep(from z: SharedBuffer, along d: SharedBuffer) -> Double
}

/// Limited-memory BFGS (Nocedal & Wright, *Numerical Optimization*, Algorithms 7.4–7.5): the
/// direction `−H g` from the last `memory` pairs `(s, y)` by the two-loop recursion, with
/// `H₀ = (sᵀy / yᵀy) I`, and an exact step along it. An exact step makes `yᵀs = −s·gᵀd > 0`, so
/// every pair is kept; a direction that is not a descent one, or a zero step, restarts the memory.
/// Every vector operation is a BLAS level-1 call, split over `threads` threads (``SharedBuffer``).
public struct LimitedMemoryBFGS {
    public let dimension: Int
    public let memory: Int
    public let threads: Int
    private var s: [SharedBuffer]
    private var y: [SharedBuffer]
    private var curvature: [Double]
    private var newest = -1
    private var stored = 0
    /// The gradients at the current and the next point, and the direction: `minimize`'s
    /// workspace, allocated once (on MovieLens each is 9 MB, and the method of multipliers calls
    /// `minimize` at every outer iteration).
    private var gradient: SharedBuffer
    private var next: SharedBuffer
    private let direction: SharedBuffer

    public init(dimension: Int, memory: Int, threads: Int = 1) {
        self.dimension = dimension
        self.memory = max(memory, 1)
        self.threads = threads
        s = (0..<self.memory).map { _ in SharedBuffer(count: dimension, threads: threads) }
        y = (0..<self.memory).map { _ in SharedBuffer(count: dimension, threads: threads) }
        curvature = Array(repeating: 0, count: self.memory)
        (gradient, next, direction) = (
            SharedBuffer(count: dimension, threads: threads), SharedBuffer(count: dimension, threads: threads),
            SharedBuffer(count: dimension, threads: threads))
    }

    /// Forgets every pair: the next `minimize` starts from steepest descent, as a new instance would.
    public mutating func reset() {
        (newest, stored) = (-1, 0)
    }

    /// At most `iterations` steps from z (updated in place), continuing from the pairs stored by
    /// earlier calls unless ``reset()`` was called; returns the steps taken.
    public mutating func minimize(_ objective: some ExactlySearchable, from z: SharedBuffer, iterations: Int) -> Int {
        precondition(objective.dimension == dimension && z.count == dimension, "one dimension throughout")
        _ = objective.evaluate(z, gradient: gradient)
        var steps = 0
        while steps < iterations {
            searchDirection(gradient, into: direction)
            if direction.dot(gradient) >= 0 {
                stored = 0
                searchDirection(gradient, into: direction)
            }
            let step = objective.exactStep(from: z, along: direction)
            if !(step > 0) {
                if stored == 0 { break }  // no progress along −g: at a minimiser, to rounding
                stored = 0
                continue
            }
            z.add(step, direction)
            _ = objective.evaluate(z, gradient: next)
            // The pair (s, y) = (step·d, g_new − g) into the oldest slot.
            let slot = (newest + 1) % memory
            s[slot].assign(direction)
            s[slot].scale(by: step)
            y[slot].assign(next)
            y[slot].add(-1, gradient)
            let sy = s[slot].dot(y[slot])
            if sy > 0 {
                curvature[slot] = 1 / sy
                newest = slot
                stored = min(stored + 1, memory)
            } else {
                stored = 0
            }
            swap(&gradient, &next)
            steps += 1
        }
        return steps
    }

    /// `d = −H g` by the two-loop recursion (`−g` with an empty memory).
    private func searchDirection(_ gradient: SharedBuffer, into d: SharedBuffer) {
        d.assign(gradient)
        let order = (0..<stored).map { (newest - $0 + memory) % memory }  // newest first
        var alpha = [Double](repeating: 0, count: memory)
        for i in order {
            alpha[i] = curvature[i] * s[i].dot(d)
            d.add(-alpha[i], y[i])
        }
        if let last = order.first {
            d.scale(by: 1 / (curvature[last] * y[last].dot(y[last])))
        }
        for i in order.reversed() {
            let beta = curvature[i] * y[i].dot(d)
            d.add(alpha[i] - beta, s[i])
        }
        d.scale(by: -1)
    }
}
