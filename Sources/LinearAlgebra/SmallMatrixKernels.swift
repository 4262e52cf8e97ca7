import Foundation

/// Plain-Swift kernels for small matrices and vectors: the same contracts as the BLAS and LAPACK
/// routines they stand in for, computed with one fixed order of operations and no fused multiply-add, so that a small problem
/// (Figure 4's 3 × 3 flows, GLRL, the commutative flow, their SDPs) gives the same bits on every
/// x86-64 CPU, whatever kernels OpenBLAS picks for it. At these sizes they are as fast as a BLAS or
/// LAPACKE call, whose dispatch and argument checks cost more than the arithmetic
/// (`factorize-bench --small-kernels` measures both routes: Figure 4's search 1.03–1.12× faster).
///
/// Every public operation of this module routes here when it is small: a factorisation or
/// decomposition whose dimensions are at most ``order``, a product of at most ``productWork``
/// multiply-adds, a level-1 operation on at most ``vectorLength`` entries; larger operations go to
/// OpenBLAS and LAPACKE as before. Failures carry the name of the LAPACK routine
/// whose contract the kernel implements (`dpotrf`, `dgetrf`, …), with the same `info`.
///
/// What stays machine-dependent: the C library's `exp`, `log` and `pow`, which callers apply to the
/// results (glibc picks a variant by CPU feature, with fused multiply-adds where the CPU has them;
/// the variants can differ in the last bit on rare arguments).
public enum SmallMatrixKernels {
    /// The largest order of a factorisation or decomposition handled here: Figure 4's (3 × 3 factors,
    /// 9 × 9 step matrices and Hessians, their SDPs) and the commutative flow's (a 20 × 20 SDP).
    public static let order = 20
    /// The most multiply-adds of a product handled here (`m·n·k` for `dgemm`): a 32³ product, about
    /// where OpenBLAS's blocked kernels start to beat a plain loop. Figure 4's products (21 × 3 × 3
    /// stacked measurements) and the commutative SDP's (8 × 8 × 400 Gram matrices) are far inside.
    public static let productWork = 32 * 32 * 32
    /// The longest vector handled here by the level-1 operations.
    public static let vectorLength = order * order

    /// Whether small operations use these kernels (the default) or OpenBLAS/LAPACKE like large ones.
    /// Only for tests and benchmarks that compare the two routes; set it before any work starts and
    /// never while another thread computes.
    public static var isEnabled: Bool {
        get { enabled.pointee }
        set { enabled.pointee = newValue }
    }

    /// ``isEnabled``'s storage: a plain word, read on every operation without the exclusivity check
    /// a mutable static would cost (`swift_beginAccess`: 2% of Figure 4's search).
    nonisolated(unsafe) private static let enabled: UnsafeMutablePointer<Bool> = {
        let flag = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        flag.initialize(to: true)
        return flag
    }()

    /// Whether a factorisation or decomposition with these dimensions runs here (no variadic
    /// array: these are asked on every operation).
    @inline(__always)
    static func applies(_ n: Int) -> Bool { isEnabled && n <= order }

    @inline(__always)
    static func applies(_ m: Int, _ n: Int) -> Bool { isEnabled && m <= order && n <= order }

    /// The largest result dimension of a product handled here (its summed dimension may be longer).
    public static let productOrder = 32

    /// Whether a product with an `m × n` result summed over `k` runs here: m, n ≤ ``productOrder``,
    /// `m·n·k ≤ ``productWork```.
    @inline(__always)
    static func appliesToProduct(_ m: Int, _ n: Int, _ k: Int) -> Bool {
        isEnabled && m <= productOrder && n <= productOrder && k <= productWork && m * n * k <= productWork
    }

    /// Whether a matrix-vector product with an `m × n` matrix runs here: `m·n ≤ productWork / 4`
    /// (each of its m results a sum of n products, like a level-1 operation).
    @inline(__always)
    static func appliesToMatrixVector(_ m: Int, _ n: Int) -> Bool {
        isEnabled && m <= productWork && n <= productWork && m * n <= productWork / 4
    }

    /// Whether a level-1 operation on `count` entries runs here.
    @inline(__always)
    static func appliesToVector(_ count: Int) -> Bool { isEnabled && count <= vectorLength }

    // MARK: Level 1

    static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        var sum = 0.0
        for i in 0..<x.count { sum += x[i] * y[i] }
        return sum
    }

    /// `‖x‖₂` without overflow or underflow: the entries are scaled by a power of two near the
    /// largest magnitude (exact), summed in order, and the root scaled back.
    static func norm(_ x: UnsafeBufferPointer<Double>) -> Double {
        var largest = 0.0
        for v in x {
            if v.isNaN { return .nan }
            largest = Swift.max(largest, abs(v))
        }
        if largest == 0 || largest.isInfinite { return largest }
        let scale = powerOfTwo(near: largest)
        var sum = 0.0
        for v in x {
            let s = v / scale
            sum += s * s
        }
        return sqrt(sum) * scale
    }

    /// A power of two within a factor two of `value` (> 0, finite): dividing by it is exact.
    static func powerOfTwo(near value: Double) -> Double {
        Double(sign: .plus, exponent: value.exponent, significand: 1)
    }

    static func axpy(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    static func scale(_ x: UnsafeMutableBufferPointer<Double>, by alpha: Double) {
        for i in 0..<x.count { x[i] *= alpha }
    }

    // MARK: Level 2 and 3

    /// `C_ij ← α·sum(i, j) + β·C_ij` over C's `m × n` entries (its upper triangle only, when
    /// `upper`), column by column. As BLAS: `sum` is not evaluated when α = 0 (A and B unread), and
    /// C is not read when β = 0 (overwritten, NaN included).
    @inline(__always)
    static func update(
        _ c: UnsafeMutableBufferPointer<Double>, rows m: Int, columns n: Int, upper: Bool = false,
        _ alpha: Double, _ beta: Double, sum: (Int, Int) -> Double
    ) {
        for j in 0..<n {
            for i in 0..<(upper ? j + 1 : m) {
                let scaled = alpha == 0 ? 0 : alpha * sum(i, j)
                c[i + j * m] = beta == 0 ? scaled : scaled + beta * c[i + j * m]
            }
        }
    }

    /// `C ← α op(A) op(B) + β C`, each entry's products summed in increasing index.
    static func gemm(
        _ alpha: Double, _ a: Matrix, _ transA: Transpose, _ b: Matrix, _ transB: Transpose,
        _ beta: Double, into c: inout Matrix, m: Int, n: Int, k: Int
    ) {
        let (ar, br) = (a.rows, b.rows)
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    update(pc, rows: m, columns: n, alpha, beta) { i, j in
                        var sum = 0.0
                        for p in 0..<k {
                            sum += (transA == .none ? pa[i + p * ar] : pa[p + i * ar]) * (transB == .none ? pb[p + j * br] : pb[j + p * br])
                        }
                        return sum
                    }
                }
            }
        }
    }

    /// The upper triangle of `C ← α op(A) op(A)ᵀ + β C`.
    static func syrk(_ alpha: Double, _ a: Matrix, _ trans: Transpose, _ beta: Double, into c: inout Matrix, n: Int, k: Int) {
        let ar = a.rows
        a.elements.withUnsafeBufferPointer { pa in
            c.elements.withUnsafeMutableBufferPointer { pc in
                update(pc, rows: n, columns: n, upper: true, alpha, beta) { i, j in
                    var sum = 0.0
                    for p in 0..<k { sum += trans == .none ? pa[i + p * ar] * pa[j + p * ar] : pa[p + i * ar] * pa[p + j * ar] }
                    return sum
                }
            }
        }
    }

    /// The upper triangle of `C ← α (A Bᵀ + B Aᵀ) + β C`.
    static func syr2k(_ alpha: Double, _ a: Matrix, _ b: Matrix, _ beta: Double, into c: inout Matrix) {
        let (n, k) = (a.rows, a.columns)
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    update(pc, rows: n, columns: n, upper: true, alpha, beta) { i, j in
                        var sum = 0.0
                        for p in 0..<k { sum += pa[i + p * n] * pb[j + p * n] + pb[i + p * n] * pa[j + p * n] }
                        return sum
                    }
                }
            }
        }
    }

    /// `C ← α S B + β C`, S symmetric with only its upper triangle read.
    static func symm(_ alpha: Double, _ s: Matrix, _ b: Matrix, _ beta: Double, into c: inout Matrix) {
        let (m, n) = (b.rows, b.columns)
        s.elements.withUnsafeBufferPointer { ps in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    update(pc, rows: m, columns: n, alpha, beta) { i, j in
                        var sum = 0.0
                        for p in 0..<m { sum += (p >= i ? ps[i + p * m] : ps[p + i * m]) * pb[p + j * m] }
                        return sum
                    }
                }
            }
        }
    }

    /// `y ← α op(A) x + β y`.
    static func gemv(_ alpha: Double, _ a: Matrix, _ trans: Transpose, _ x: [Double], _ beta: Double, into y: inout [Double]) {
        let (m, n) = trans == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let ar = a.rows
        a.elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    if trans == .none {
                        update(py, rows: m, columns: 1, alpha, beta) { i, _ in
                            var sum = 0.0
                            for p in 0..<n { sum += pa[i + p * ar] * px[p] }
                            return sum
                        }
                    } else {
                        update(py, rows: m, columns: 1, alpha, beta) { i, _ in
                            var sum = 0.0
                            for p in 0..<n { sum += pa[p + i * ar] * px[p] }
                            return sum
                        }
                    }
                }
            }
        }
    }

    /// `B ← op(L) B` (on the left) or `B ← B op(L)` (on the right), L lower triangular, only its lower
    /// triangle read; B is `rows × columns` at `pb` with leading dimension `rows`.
    static func trmmLower(
        _ pl: UnsafeBufferPointer<Double>, order l: Int, _ trans: Transpose, onLeft: Bool,
        _ pb: UnsafeMutablePointer<Double>, rows: Int, columns: Int
    ) {
        // L's (i, p) entry as op(L) sees it, zero above L's diagonal.
        @inline(__always) func entry(_ i: Int, _ p: Int) -> Double {
            let (r, c) = trans == .none ? (i, p) : (p, i)
            return r >= c ? pl[r + c * l] : 0
        }
        var result = [Double](repeating: 0, count: rows * columns)
        for j in 0..<columns {
            for i in 0..<rows {
                var sum = 0.0
                if onLeft {
                    for p in 0..<rows { sum += entry(i, p) * pb[p + j * rows] }
                } else {
                    for p in 0..<columns { sum += pb[i + p * rows] * entry(p, j) }
                }
                result[i + j * rows] = sum
            }
        }
        for index in 0..<(rows * columns) { pb[index] = result[index] }
    }
}
