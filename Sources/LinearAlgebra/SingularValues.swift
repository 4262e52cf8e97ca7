import COpenBLAS

extension Matrix {
    /// The singular values, descending, by LAPACK `dgesdd` without vectors.
    /// Accurate to a small multiple of `ε σ_max`.
    public func singularValues() throws -> [Double] {
        let k = Swift.min(rows, columns)
        if k == 0 { return [] }
        if SmallMatrixKernels.applies(rows, columns) {
            return try SmallMatrixKernels.singularValueDecomposition(self, vectors: false).values
        }
        var a = self
        var s = [Double](repeating: 0, count: k)
        var unused = [Double](repeating: 0, count: 1)
        let info = a.elements.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                unused.withUnsafeMutableBufferPointer { pu in
                    LAPACKE_dgesdd(
                        LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(rows), Int32(columns), pa.baseAddress,
                        Int32(Swift.max(1, rows)), ps.baseAddress, pu.baseAddress, 1, pu.baseAddress, 1)
                }
            }
        }
        try LAPACKStatus.check(info, routine: "dgesdd")
        return s
    }

    /// The thin singular value decomposition `X = U diag(σ) Vᵀ` (U rows × k, Vᵀ k × columns,
    /// k = min(rows, columns), σ descending), by LAPACK `dgesdd` with `jobz = 'S'`.
    public func thinSingularValueDecomposition() throws -> (u: Matrix, values: [Double], vt: Matrix) {
        let k = Swift.min(rows, columns)
        if k > 0 && SmallMatrixKernels.applies(rows, columns) {
            return try SmallMatrixKernels.singularValueDecomposition(self, vectors: true)
        }
        var a = self
        var s = [Double](repeating: 0, count: k)
        var u = Matrix(rows: rows, columns: k)
        var vt = Matrix(rows: k, columns: columns)
        let info = a.elements.withUnsafeMutableBufferPointer { pa in
            s.withUnsafeMutableBufferPointer { ps in
                u.elements.withUnsafeMutableBufferPointer { pu in
                    vt.elements.withUnsafeMutableBufferPointer { pv in
                        LAPACKE_dgesdd(
                            LAPACK_COL_MAJOR, CChar(UInt8(ascii: "S")), Int32(rows), Int32(columns), pa.baseAddress,
                            Int32(Swift.max(1, rows)), ps.baseAddress, pu.baseAddress, Int32(Swift.max(1, rows)),
                            pv.baseAddress, Int32(Swift.max(1, k)))
                    }
                }
            }
        }
        try LAPACKStatus.check(info, routine: "dgesdd")
        return (u, s, vt)
    }

    /// The nuclear norm `‖X‖_* = Σ σ_i` (for a symmetric X, `Σ |λ_i|`).
    public func nuclearNorm() throws -> Double {
        if isSquare && asymmetry == 0 {
            return try SymmetricEigendecomposition.eigenvalues(self).reduce(0) { $0 + abs($1) }
        }
        return try singularValues().reduce(0, +)
    }

    /// The spectral norm `‖X‖₂ = σ_max`.
    public func spectralNorm() throws -> Double {
        try singularValues().first ?? 0
    }
}
