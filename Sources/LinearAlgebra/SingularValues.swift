import COpenBLAS

extension Matrix {
    /// The singular values, descending, by LAPACK `dgesdd` without vectors.
    /// Accurate to a small multiple of `ε σ_max`.
    public func singularValues() throws -> [Double] {
        let k = Swift.min(rows, columns)
        if k == 0 { return [] }
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
