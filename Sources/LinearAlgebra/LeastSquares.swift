import COpenBLAS

/// The minimum-norm least-squares solution of `A x ≈ b`: among the minimisers of `‖A x − b‖₂`
/// the one of smallest `‖x‖₂`, by LAPACK `dgelsd` (the SVD of A, divide and conquer).
///
/// Singular values below `relativeCondition · σ_max` are treated as zero (the default, a negative
/// value, is LAPACK's: machine precision). `rank` is the effective
/// rank so decided: `rank < columns` means x is not determined by the equations alone, and the
/// solution is the one nearest the origin. Works for over- and underdetermined A alike.
public struct LeastSquares: Sendable {
    /// The minimum-norm minimiser.
    public let solution: [Double]
    /// The effective rank of A.
    public let rank: Int

    public init(_ a: Matrix, _ b: [Double], relativeCondition: Double = -1) throws {
        precondition(b.count == a.rows, "LeastSquares: b has \(b.count) entries for \(a.rows) rows")
        let (m, n) = (a.rows, a.columns)
        let leading = Swift.max(1, m, n)
        var matrix = a
        var rhs = [Double](repeating: 0, count: leading)
        for i in 0..<m { rhs[i] = b[i] }
        var singular = [Double](repeating: 0, count: Swift.max(1, Swift.min(m, n)))
        var effectiveRank: Int32 = 0
        if m == 0 || n == 0 {
            solution = [Double](repeating: 0, count: n)
            rank = 0
            return
        }
        if SmallMatrixKernels.applies(m, n) {
            (solution, rank) = try SmallMatrixKernels.leastSquares(a, b, relativeCondition: relativeCondition)
            return
        }
        let info = matrix.elements.withUnsafeMutableBufferPointer { pa in
            rhs.withUnsafeMutableBufferPointer { pb in
                singular.withUnsafeMutableBufferPointer { ps in
                    LAPACKE_dgelsd(
                        LAPACK_COL_MAJOR, Int32(m), Int32(n), 1, pa.baseAddress, Int32(Swift.max(1, m)),
                        pb.baseAddress, Int32(leading), ps.baseAddress, relativeCondition, &effectiveRank)
                }
            }
        }
        try LAPACKStatus.check(info, routine: "dgelsd")
        solution = Array(rhs[0..<n])
        rank = Int(effectiveRank)
    }
}
