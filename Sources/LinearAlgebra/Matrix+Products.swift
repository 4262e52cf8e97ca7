import COpenBLAS

/// Whether a BLAS operand is used as it is or transposed.
public enum Transpose: Sendable {
    case none
    case transpose

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

extension Matrix {
    /// `C ← α op(A) op(B) + β C` (BLAS `dgemm`).
    public static func gemm(
        _ alpha: Double, _ a: Matrix, _ transA: Transpose, _ b: Matrix, _ transB: Transpose,
        _ beta: Double, into c: inout Matrix
    ) {
        let (m, k) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kb, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(k == kb && c.rows == m && c.columns == n, "gemm: shapes do not conform")
        if m == 0 || n == 0 { return }
        if k == 0 {
            c.scale(by: beta)
            return
        }
        if SmallMatrixKernels.appliesToProduct(m, n, k) {
            SmallMatrixKernels.gemm(alpha, a, transA, b, transB, beta, into: &c, m: m, n: n, k: k)
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(
                        CblasColMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                        alpha, pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                        beta, pc.baseAddress, Int32(max(1, m)))
                }
            }
        }
    }

    /// `op(A) op(B)`.
    public static func product(_ a: Matrix, _ transA: Transpose, _ b: Matrix, _ transB: Transpose) -> Matrix {
        let m = transA == .none ? a.rows : a.columns
        let n = transB == .none ? b.columns : b.rows
        var c = Matrix(rows: m, columns: n)
        gemm(1, a, transA, b, transB, 0, into: &c)
        return c
    }

    /// `A B`.
    public static func * (a: Matrix, b: Matrix) -> Matrix { product(a, .none, b, .none) }

    /// The Gram matrix `U Uᵀ` of an `n × d` factor, symmetric in full (BLAS `dsyrk`, half the flops of a product).
    public static func gram(_ u: Matrix) -> Matrix {
        var x = Matrix(rows: u.rows, columns: u.rows)
        syrk(1, u, 0, into: &x)
        x.symmetrizeFromUpper()
        return x
    }

    /// `C ← α U Uᵀ + β C` on the upper triangle of C only (BLAS `dsyrk`); call `symmetrizeFromUpper` for the rest.
    public static func syrk(_ alpha: Double, _ u: Matrix, _ beta: Double, into c: inout Matrix) {
        syrk(alpha, u, .none, beta, into: &c)
    }

    /// The symmetric rank-2k update `C ← α (A Bᵀ + B Aᵀ) + β C` on the upper triangle (BLAS `dsyr2k`).
    public static func syr2k(_ alpha: Double, _ a: Matrix, _ b: Matrix, _ beta: Double, into c: inout Matrix) {
        precondition(a.rows == b.rows && a.columns == b.columns && c.rows == a.rows && c.isSquare, "syr2k: shapes do not conform")
        if a.rows == 0 { return }
        if SmallMatrixKernels.appliesToProduct(a.rows, a.rows, 2 * a.columns) {
            SmallMatrixKernels.syr2k(alpha, a, b, beta, into: &c)
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    cblas_dsyr2k(
                        CblasColMajor, CblasUpper, CblasNoTrans, Int32(a.rows), Int32(a.columns), alpha,
                        pa.baseAddress, Int32(max(1, a.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                        beta, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    /// `C ← α S B + β C` for a symmetric S of which only the upper triangle is read (BLAS `dsymm`).
    public static func symm(_ alpha: Double, _ s: Matrix, _ b: Matrix, _ beta: Double, into c: inout Matrix) {
        precondition(s.isSquare && s.columns == b.rows && c.rows == b.rows && c.columns == b.columns, "symm: shapes do not conform")
        if b.rows == 0 || b.columns == 0 { return }
        if SmallMatrixKernels.appliesToProduct(b.rows, b.columns, b.rows) {
            SmallMatrixKernels.symm(alpha, s, b, beta, into: &c)
            return
        }
        s.elements.withUnsafeBufferPointer { ps in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    cblas_dsymm(
                        CblasColMajor, CblasLeft, CblasUpper, Int32(b.rows), Int32(b.columns), alpha,
                        ps.baseAddress, Int32(max(1, s.rows)), pb.baseAddress, Int32(max(1, b.rows)),
                        beta, pc.baseAddress, Int32(max(1, c.rows)))
                }
            }
        }
    }

    /// `y ← α op(A) x + β y` (BLAS `dgemv`).
    public static func gemv(_ alpha: Double, _ a: Matrix, _ trans: Transpose, _ x: [Double], _ beta: Double, into y: inout [Double]) {
        let (m, n) = trans == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        precondition(x.count == n && y.count == m, "gemv: shapes do not conform")
        if m == 0 { return }
        if n == 0 {
            Vector.scale(&y, by: beta)
            return
        }
        if SmallMatrixKernels.appliesToMatrixVector(m, n) {
            SmallMatrixKernels.gemv(alpha, a, trans, x, beta, into: &y)
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    cblas_dgemv(
                        CblasColMajor, trans.cblas, Int32(a.rows), Int32(a.columns), alpha, pa.baseAddress,
                        Int32(max(1, a.rows)), px.baseAddress, 1, beta, py.baseAddress, 1)
                }
            }
        }
    }

    /// `A x`.
    public static func * (a: Matrix, x: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: a.rows)
        gemv(1, a, .none, x, 0, into: &y)
        return y
    }

    /// `X ← α X`.
    public mutating func scale(by alpha: Double) { Vector.scale(&elements, by: alpha) }

    /// `X ← X + α Y`.
    public mutating func add(_ alpha: Double, _ other: Matrix) {
        precondition(rows == other.rows && columns == other.columns, "add: shapes do not conform")
        Vector.axpy(alpha, other.elements, &elements)
    }

    /// `A + B`.
    public static func + (a: Matrix, b: Matrix) -> Matrix {
        var c = a
        c.add(1, b)
        return c
    }

    /// `A − B`.
    public static func - (a: Matrix, b: Matrix) -> Matrix {
        var c = a
        c.add(-1, b)
        return c
    }

    /// `α A`.
    public static func * (alpha: Double, a: Matrix) -> Matrix {
        var c = a
        c.scale(by: alpha)
        return c
    }

    /// The Frobenius norm `‖X‖_F` (BLAS `dnrm2`, which guards against overflow).
    public var frobeniusNorm: Double { Vector.norm(elements) }

    /// The Frobenius inner product `⟨A, B⟩ = tr(Aᵀ B)` (BLAS `ddot`).
    public static func frobeniusInner(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns, "inner product: shapes do not conform")
        return Vector.dot(a.elements, b.elements)
    }
}

/// Level-1 BLAS on `[Double]` (vectors of at most ``SmallMatrixKernels/vectorLength`` entries on the
/// small kernels: summed in index order, the norm scaled by a power of two).
public enum Vector {
    /// `xᵀ y` (BLAS `ddot`).
    public static func dot(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "dot: lengths differ")
        return x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in dot(px, py) }
        }
    }

    /// `‖x‖₂` (BLAS `dnrm2`).
    public static func norm(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { px in norm(px) }
    }

    /// `y ← α x + y` (BLAS `daxpy`).
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count, "axpy: lengths differ")
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in axpy(alpha, px, py) }
        }
    }

    /// `x ← α x` (BLAS `dscal`).
    public static func scale(_ x: inout [Double], by alpha: Double) {
        if alpha == 0 {
            for i in x.indices { x[i] = 0 }  // dscal by 0 leaves NaN in place on some BLAS; zero means zero
            return
        }
        x.withUnsafeMutableBufferPointer { px in scale(px, by: alpha) }
    }

    /// `xᵀ y` over raw buffers (BLAS `ddot`).
    public static func dot(_ x: UnsafeBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>) -> Double {
        precondition(x.count == y.count, "dot: lengths differ")
        if SmallMatrixKernels.appliesToVector(x.count) { return SmallMatrixKernels.dot(x, y) }
        return cblas_ddot(Int32(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `‖x‖₂` over a raw buffer (BLAS `dnrm2`).
    public static func norm(_ x: UnsafeBufferPointer<Double>) -> Double {
        if SmallMatrixKernels.appliesToVector(x.count) { return SmallMatrixKernels.norm(x) }
        return cblas_dnrm2(Int32(x.count), x.baseAddress, 1)
    }

    /// `y ← α x + y` over raw buffers (BLAS `daxpy`).
    public static func axpy(_ alpha: Double, _ x: UnsafeBufferPointer<Double>, _ y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count, "axpy: lengths differ")
        if SmallMatrixKernels.appliesToVector(x.count) { return SmallMatrixKernels.axpy(alpha, x, y) }
        cblas_daxpy(Int32(x.count), alpha, x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `x ← α x` over a raw buffer (BLAS `dscal`; α = 0 writes zeros).
    public static func scale(_ x: UnsafeMutableBufferPointer<Double>, by alpha: Double) {
        if alpha == 0 {
            x.update(repeating: 0)
            return
        }
        if SmallMatrixKernels.appliesToVector(x.count) { return SmallMatrixKernels.scale(x, by: alpha) }
        cblas_dscal(Int32(x.count), alpha, x.baseAddress, 1)
    }

    /// `y ← x` over raw buffers (BLAS `dcopy`).
    public static func copy(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == y.count, "copy: lengths differ")
        cblas_dcopy(Int32(x.count), x.baseAddress, 1, y.baseAddress, 1)
    }

    /// `x − y`.
    public static func difference(_ x: [Double], _ y: [Double]) -> [Double] {
        var d = x
        axpy(-1, y, &d)
        return d
    }
}

/// The number of threads OpenBLAS uses. Small problems (n ≤ a few hundred) run fastest on one:
/// thread hand-off costs more than it saves, and on a 2-vCPU machine a second
/// thread bought about 0.2 of a core.
public enum BLASThreads {
    /// Sets the OpenBLAS thread count.
    public static func set(_ count: Int) { openblas_set_num_threads(Int32(max(1, count))) }
    /// The OpenBLAS thread count.
    public static var count: Int { Int(openblas_get_num_threads()) }
}

extension Matrix {
    /// `C ← α op(A) op(A)ᵀ + β C` on the upper triangle of C (BLAS `dsyrk`): with `.transpose`,
    /// the Gram matrix `AᵀA` of A's columns.
    public static func syrk(_ alpha: Double, _ a: Matrix, _ trans: Transpose, _ beta: Double, into c: inout Matrix) {
        let (n, k) = trans == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        precondition(c.rows == n && c.columns == n, "syrk: shapes do not conform")
        if n == 0 { return }
        if SmallMatrixKernels.appliesToProduct(n, n, k) {
            SmallMatrixKernels.syrk(alpha, a, trans, beta, into: &c, n: n, k: k)
            return
        }
        a.elements.withUnsafeBufferPointer { pa in
            c.elements.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(
                    CblasColMajor, CblasUpper, trans.cblas, Int32(n), Int32(k), alpha, pa.baseAddress,
                    Int32(max(1, a.rows)), beta, pc.baseAddress, Int32(max(1, n)))
            }
        }
    }
}
