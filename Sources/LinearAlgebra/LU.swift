import COpenBLAS

/// The LU factorisation `A = P L U` of a square matrix with partial pivoting (LAPACK `dgetrf`),
/// and its solves (`dgetrs`): the linear systems `(I − γhJ) k = b` of a Rosenbrock step.
public struct LUFactorization: Sendable {
    /// L (unit lower, below the diagonal) and U (on and above it), as `dgetrf` leaves them.
    public private(set) var factors: Matrix
    /// The row interchanges, 1-based as LAPACK returns them.
    public private(set) var pivots: [Int32]

    /// Factors `a`; throws `LinearAlgebraError.singular` when a pivot is exactly zero.
    public init(_ a: Matrix) throws {
        precondition(a.isSquare, "LU of a non-square matrix")
        let n = a.rows
        var lu = a
        var ipiv = [Int32](repeating: 0, count: n)
        if n > 0 && SmallMatrixKernels.applies(n) {
            if lu.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgetrf", info: -4) }
            try lu.elements.withUnsafeMutableBufferPointer { pa in
                try ipiv.withUnsafeMutableBufferPointer { pp in try SmallMatrixKernels.luFactor(pa, order: n, pivots: pp) }
            }
        } else if n > 0 {
            let info = lu.elements.withUnsafeMutableBufferPointer { pa in
                ipiv.withUnsafeMutableBufferPointer { pp in
                    LAPACKE_dgetrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), pa.baseAddress, Int32(n), pp.baseAddress)
                }
            }
            if info > 0 { throw LinearAlgebraError.singular(routine: "dgetrf", index: info) }
            try LAPACKStatus.check(info, routine: "dgetrf")
        }
        factors = lu
        pivots = ipiv
    }

    /// Refactors in place as the LU of `I − c J` (J square, of this factorisation's order): a
    /// Rosenbrock step's matrix, with no allocation. Throws `LinearAlgebraError.singular` as `init`.
    public mutating func refactor(identityMinus c: Double, times j: Matrix) throws {
        let n = factors.rows
        precondition(j.rows == n && j.columns == n, "LU refactor: J must be \(n) × \(n)")
        if n == 0 { return }
        // LAPACK's own `dgetrf_` (the routine `LAPACKE_dgetrf` calls), after LAPACKE's NaN scan done
        // here: the same factors and the same errors, without LAPACKE's per-call overhead, which
        // dominated on the 9 × 9 step matrices of Figure 4's flows.
        var info: Int32 = 0
        var hasNaN = false
        factors.elements.withUnsafeMutableBufferPointer { pa in
            j.elements.withUnsafeBufferPointer { pj in
                for k in 0..<(n * n) { pa[k] = -c * pj[k] }
                for i in 0..<n { pa[i + i * n] += 1 }
            }
            for k in 0..<(n * n) where pa[k].isNaN { hasNaN = true }
            guard !hasNaN, !SmallMatrixKernels.applies(n) else { return }
            var (rows, order) = (Int32(n), Int32(n))
            pivots.withUnsafeMutableBufferPointer { pp in dgetrf_(&rows, &order, pa.baseAddress, &rows, pp.baseAddress, &info) }
        }
        if hasNaN { throw LinearAlgebraError.illegalArgument(routine: "dgetrf", info: -4) }
        if SmallMatrixKernels.applies(n) {
            try factors.elements.withUnsafeMutableBufferPointer { pa in
                try pivots.withUnsafeMutableBufferPointer { pp in try SmallMatrixKernels.luFactor(pa, order: n, pivots: pp) }
            }
            return
        }
        if info > 0 { throw LinearAlgebraError.singular(routine: "dgetrf", index: info) }
        try LAPACKStatus.check(info, routine: "dgetrf")
    }

    /// Solves `A x = b` in place (LAPACK `dgetrs`, one right-hand side).
    public func solve(_ b: inout [Double]) throws {
        let n = factors.rows
        precondition(b.count == n, "LU solve: b has \(b.count) entries for \(n) rows")
        if n == 0 { return }
        // `dgetrs_` directly, after LAPACKE's NaN scans of A and b (as `refactor`).
        if factors.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgetrs", info: -5) }
        if b.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgetrs", info: -8) }
        if SmallMatrixKernels.applies(n) {
            factors.elements.withUnsafeBufferPointer { pa in
                pivots.withUnsafeBufferPointer { pp in
                    b.withUnsafeMutableBufferPointer { pb in SmallMatrixKernels.luSolve(pa, order: n, pivots: pp, pb.baseAddress!) }
                }
            }
            return
        }
        var info: Int32 = 0
        var (order, count) = (Int32(n), Int32(1))
        var trans = CChar(UInt8(ascii: "N"))
        factors.elements.withUnsafeBufferPointer { pa in
            pivots.withUnsafeBufferPointer { pp in
                b.withUnsafeMutableBufferPointer { pb in
                    dgetrs_(&trans, &order, &count, pa.baseAddress, &order, pp.baseAddress, pb.baseAddress, &order, &info, 1)
                }
            }
        }
        try LAPACKStatus.check(info, routine: "dgetrs")
    }

    /// Solves `A X = B` (LAPACK `dgetrs`).
    public func solve(_ b: Matrix) throws -> Matrix {
        precondition(b.rows == factors.rows, "LU solve: shapes do not conform")
        var x = b
        if b.rows == 0 || b.columns == 0 { return x }
        let n = factors.rows
        if SmallMatrixKernels.applies(n, b.columns) {
            if factors.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgetrs", info: -5) }
            if b.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgetrs", info: -7) }
            factors.elements.withUnsafeBufferPointer { pa in
                pivots.withUnsafeBufferPointer { pp in
                    x.elements.withUnsafeMutableBufferPointer { px in
                        for j in 0..<b.columns { SmallMatrixKernels.luSolve(pa, order: n, pivots: pp, px.baseAddress! + j * n) }
                    }
                }
            }
            return x
        }
        let info = factors.elements.withUnsafeBufferPointer { pa in
            pivots.withUnsafeBufferPointer { pp in
                x.elements.withUnsafeMutableBufferPointer { px in
                    LAPACKE_dgetrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(n), Int32(b.columns), pa.baseAddress, Int32(n), pp.baseAddress, px.baseAddress, Int32(n))
                }
            }
        }
        try LAPACKStatus.check(info, routine: "dgetrs")
        return x
    }
}
