import COpenBLAS

/// The Cholesky factorisation `S = L Lᵀ` of a symmetric positive definite matrix (LAPACK `dpotrf`).
public struct Cholesky: Sendable {
    /// The lower-triangular factor L (the strict upper triangle is zero).
    public let lower: Matrix

    /// Factors `s`; throws `LinearAlgebraError.notPositiveDefinite` when s is not positive definite.
    public init(_ s: Matrix) throws {
        precondition(s.isSquare, "Cholesky of a non-square matrix")
        let n = s.rows
        var a = s
        if n > 0 && SmallMatrixKernels.applies(n) {
            try SmallMatrixKernels.cholesky(&a)
        } else if n > 0 {
            let info = a.elements.withUnsafeMutableBufferPointer { pa in
                LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), pa.baseAddress, Int32(n))
            }
            if info > 0 { throw LinearAlgebraError.notPositiveDefinite(routine: "dpotrf", order: info) }
            try LAPACKStatus.check(info, routine: "dpotrf")
        }
        for j in 0..<n { for i in 0..<j { a[i, j] = 0 } }
        lower = a
    }

    /// Solves `S X = B` (LAPACK `dpotrs`).
    public func solve(_ b: Matrix) throws -> Matrix {
        let n = lower.rows
        precondition(b.rows == n, "Cholesky solve: shapes do not conform")
        var x = b
        if n == 0 || b.columns == 0 { return x }
        if SmallMatrixKernels.applies(n, b.columns) {
            if lower.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dpotrs", info: -6) }
            if b.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dpotrs", info: -8) }
            SmallMatrixKernels.choleskySolve(lower, &x)
            return x
        }
        let info = lower.elements.withUnsafeBufferPointer { pl in
            x.elements.withUnsafeMutableBufferPointer { px in
                LAPACKE_dpotrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), Int32(b.columns), pl.baseAddress, Int32(n), px.baseAddress, Int32(n))
            }
        }
        try LAPACKStatus.check(info, routine: "dpotrs")
        return x
    }

    /// Solves `S x = b`.
    public func solve(_ b: [Double]) throws -> [Double] {
        try solve(Matrix(rows: b.count, columns: 1, columnMajor: b)).elements
    }

    /// `L⁻¹` (LAPACK `dtrtri`).
    public func inverseOfLower() throws -> Matrix {
        let n = lower.rows
        var inv = lower
        if n == 0 { return inv }
        if SmallMatrixKernels.applies(n) {
            try SmallMatrixKernels.lowerInverse(&inv)
            return inv
        }
        let info = inv.elements.withUnsafeMutableBufferPointer { p in
            LAPACKE_dtrtri(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), CChar(UInt8(ascii: "N")), Int32(n), p.baseAddress, Int32(n))
        }
        if info > 0 { throw LinearAlgebraError.singular(routine: "dtrtri", index: info) }
        try LAPACKStatus.check(info, routine: "dtrtri")
        return inv
    }

    /// `S⁻¹`, exactly symmetric (LAPACK `dpotri`).
    public func inverse() throws -> Matrix {
        let n = lower.rows
        var inv = lower
        if n == 0 { return inv }
        if SmallMatrixKernels.applies(n) {
            try SmallMatrixKernels.choleskyInverse(&inv)
            for j in 0..<n { for i in 0..<j { inv[i, j] = inv[j, i] } }
            return inv
        }
        let info = inv.elements.withUnsafeMutableBufferPointer { p in
            LAPACKE_dpotri(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(n), p.baseAddress, Int32(n))
        }
        if info > 0 { throw LinearAlgebraError.singular(routine: "dpotri", index: info) }
        try LAPACKStatus.check(info, routine: "dpotri")
        // dpotri fills the lower triangle; mirror it up.
        for j in 0..<n { for i in 0..<j { inv[i, j] = inv[j, i] } }
        return inv
    }
}

extension Matrix {
    /// `T ← α op(L) T` or `T ← α T op(L)` with L lower triangular (BLAS `dtrmm`).
    public static func trmmLower(_ l: Matrix, _ trans: Transpose, leftOf b: inout Matrix, onLeft: Bool = true) {
        if b.rows == 0 || b.columns == 0 { return }
        if SmallMatrixKernels.applies(b.rows, b.columns) {
            let (rows, columns) = (b.rows, b.columns)
            l.elements.withUnsafeBufferPointer { pl in
                b.elements.withUnsafeMutableBufferPointer { pb in
                    SmallMatrixKernels.trmmLower(pl, order: l.rows, trans, onLeft: onLeft, pb.baseAddress!, rows: rows, columns: columns)
                }
            }
            return
        }
        l.elements.withUnsafeBufferPointer { pl in
            b.elements.withUnsafeMutableBufferPointer { pb in
                cblas_dtrmm(
                    CblasColMajor, onLeft ? CblasLeft : CblasRight, CblasLower, trans.cblas, CblasNonUnit,
                    Int32(b.rows), Int32(b.columns), 1.0, pl.baseAddress, Int32(l.rows), pb.baseAddress, Int32(b.rows))
            }
        }
    }
}

extension Matrix {
    /// The Gram matrix of congruence transforms: for `blocks = [B_1 … B_m]` (n × nm, block i in
    /// columns i·n ..< (i+1)·n) and lower-triangular L and K, the m × m symmetric PSD matrix
    /// `G_ij = ⟨Lᵀ B_i Kᵀ, Lᵀ B_j Kᵀ⟩`. Two `dtrmm` per block, then one `dsyrk`.
    ///
    /// With `X = LLᵀ` and `Z⁻¹ = KᵀK` this is `tr(B_i X B_j Z⁻¹)`: the Schur complement of the
    /// HKM interior-point direction.
    public static func congruenceGram(blocks: Matrix, left l: Matrix, right k: Matrix) -> Matrix {
        let n = blocks.rows
        precondition(l.rows == n && l.isSquare && k.rows == n && k.isSquare && blocks.columns % max(n, 1) == 0)
        let m = n == 0 ? 0 : blocks.columns / n
        var w = blocks
        w.elements.withUnsafeMutableBufferPointer { pw in
            l.elements.withUnsafeBufferPointer { pl in
                k.elements.withUnsafeBufferPointer { pk in
                    for i in 0..<m {
                        let block = pw.baseAddress! + i * n * n
                        if SmallMatrixKernels.applies(n) {
                            SmallMatrixKernels.trmmLower(pk, order: n, .transpose, onLeft: false, block, rows: n, columns: n)
                            SmallMatrixKernels.trmmLower(pl, order: n, .transpose, onLeft: true, block, rows: n, columns: n)
                            continue
                        }
                        cblas_dtrmm(CblasColMajor, CblasRight, CblasLower, CblasTrans, CblasNonUnit, Int32(n), Int32(n), 1, pk.baseAddress, Int32(n), block, Int32(n))
                        cblas_dtrmm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, Int32(n), Int32(n), 1, pl.baseAddress, Int32(n), block, Int32(n))
                    }
                }
            }
        }
        // Seen as (n²) × m, w's columns are vec(Lᵀ B_i Kᵀ).
        let columns = Matrix(rows: n * n, columns: m, columnMajor: w.elements)
        var gram = Matrix(rows: m, columns: m)
        syrk(1, columns, .transpose, 0, into: &gram)
        gram.symmetrizeFromUpper()
        return gram
    }
}

extension Matrix {
    /// The orthonormal factor Q of `A = QR` (LAPACK `dgeqrf` + `dorgqr`), with the signs fixed so
    /// that R has a positive diagonal: for A with i.i.d. N(0, 1) entries, Q is Haar-distributed.
    public func orthonormalFactor() throws -> Matrix {
        let (m, n) = (rows, columns)
        precondition(m >= n, "QR needs at least as many rows as columns")
        if SmallMatrixKernels.applies(m, n) {
            if elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgeqrf", info: -4) }
            return SmallMatrixKernels.orthonormalFactor(self)
        }
        var a = self
        var tau = [Double](repeating: 0, count: n)
        var info = a.elements.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in LAPACKE_dgeqrf(LAPACK_COL_MAJOR, Int32(m), Int32(n), pa.baseAddress, Int32(m), pt.baseAddress) }
        }
        try LAPACKStatus.check(info, routine: "dgeqrf")
        let signs = (0..<n).map { a[$0, $0] < 0 ? -1.0 : 1.0 }
        info = a.elements.withUnsafeMutableBufferPointer { pa in
            tau.withUnsafeMutableBufferPointer { pt in LAPACKE_dorgqr(LAPACK_COL_MAJOR, Int32(m), Int32(n), Int32(n), pa.baseAddress, Int32(m), pt.baseAddress) }
        }
        try LAPACKStatus.check(info, routine: "dorgqr")
        for j in 0..<n where signs[j] < 0 {
            for i in 0..<m { a[i, j] = -a[i, j] }
        }
        return a
    }
}
