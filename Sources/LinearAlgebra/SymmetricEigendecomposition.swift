import COpenBLAS

/// The eigendecomposition `S = V diag(λ) Vᵀ` of a real symmetric matrix, by LAPACK `dsyevd`
/// (divide and conquer), eigenvalues ascending.
///
/// Accuracy: eigenvalues to within a small multiple of `ε ‖S‖₂` (backward stable); eigenvectors
/// orthonormal to working precision. Only the upper triangle of `S` is read.
public struct SymmetricEigendecomposition: Sendable {
    /// Eigenvalues, ascending.
    public let values: [Double]
    /// Orthonormal eigenvectors, one per column, in the order of `values`.
    public let vectors: Matrix

    /// Decomposes `s`.
    public init(_ s: Matrix) throws {
        precondition(s.isSquare, "eigendecomposition of a non-square matrix")
        let n = s.rows
        var a = s
        var w = [Double](repeating: 0, count: n)
        if n > 0 && SmallMatrixKernels.applies(n) {
            (w, a) = try SmallMatrixKernels.symmetricEigen(s, vectors: true)
        } else if n > 0 {
            let info = a.elements.withUnsafeMutableBufferPointer { pa in
                w.withUnsafeMutableBufferPointer { pw in
                    LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(n), pa.baseAddress, Int32(n), pw.baseAddress)
                }
            }
            try LAPACKStatus.check(info, routine: "dsyevd")
        }
        values = w
        vectors = a
    }

    /// Eigenvalues only (LAPACK `dsyevd` with jobz = 'N'), ascending.
    public static func eigenvalues(_ s: Matrix) throws -> [Double] {
        precondition(s.isSquare, "eigenvalues of a non-square matrix")
        let n = s.rows
        if n == 0 { return [] }
        if SmallMatrixKernels.applies(n) { return try SmallMatrixKernels.symmetricEigen(s, vectors: false).values }
        var a = s
        var w = [Double](repeating: 0, count: n)
        let info = a.elements.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "U")), Int32(n), pa.baseAddress, Int32(n), pw.baseAddress)
            }
        }
        try LAPACKStatus.check(info, routine: "dsyevd")
        return w
    }

    /// `V diag(f(λ)) Vᵀ`: a function of the symmetric matrix, exactly symmetric.
    public func map(_ f: (Double) -> Double) -> Matrix {
        // V diag(f(λ)) Vᵀ = Σ_k f(λ_k) v_k v_kᵀ; scale the columns then one dgemm.
        var scaled = vectors
        let n = vectors.rows
        for k in 0..<values.count {
            let fk = f(values[k])
            for i in 0..<n { scaled.elements[i + k * n] *= fk }
        }
        var result = Matrix.product(scaled, .none, vectors, .transpose)
        result.symmetrizeFromUpper()
        return result
    }
}

enum LAPACKStatus {
    /// Turns a LAPACK `info` into a thrown error.
    static func check(_ info: Int32, routine: String) throws {
        if info == 0 { return }
        if info < 0 { throw LinearAlgebraError.illegalArgument(routine: routine, info: info) }
        throw LinearAlgebraError.noConvergence(routine: routine, info: info)
    }
}
