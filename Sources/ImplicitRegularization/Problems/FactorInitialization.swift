import LinearAlgebra

/// Starting factors U0 for gradient descent on `f(U) = ½‖A(UUᵀ) − y‖²`.
public enum FactorInitialization {
    /// `U0 = α G / ‖G‖_F` with G an n × d matrix of i.i.d. N(0, 1) entries drawn row-major from
    /// `RandomSource(seed: seed, stream: 3)`, so `‖U0‖_F = α` (SPEC, "initialisation").
    public static func gaussian(dimension n: Int, rank d: Int, norm alpha: Double, seed: UInt64) -> Matrix {
        var random = RandomSource(seed: seed, stream: 3)
        let g = Matrix(rows: n, columns: d, rowMajor: random.normals(n * d))
        return (alpha / g.frobeniusNorm) * g
    }

    /// The SVD initialisation of Figure 1: `U0 = V_d Λ_d^½` from the top d eigenpairs of a PSD X
    /// (in the paper, X_gd), so that `U0 U0ᵀ` is X's best rank-d PSD approximation. Negative
    /// eigenvalues (round-off) count as zero.
    public static func spectral(of x: Matrix, rank d: Int) throws -> Matrix {
        let eigen = try SymmetricEigendecomposition(x)
        let n = x.rows
        var u = Matrix(rows: n, columns: d)
        for k in 0..<min(d, n) {
            let source = n - 1 - k  // eigenvalues ascend
            let scale = max(eigen.values[source], 0).squareRoot()
            for i in 0..<n { u[i, k] = scale * eigen.vectors[i, source] }
        }
        return u
    }
}
