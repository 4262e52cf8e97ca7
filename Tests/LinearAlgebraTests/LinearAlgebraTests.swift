import LinearAlgebra
import XCTest

final class LinearAlgebraTests: XCTestCase {
    private func randomSymmetric(_ n: Int, seed: Double) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in sin(seed * Double(min(i, j) * 7 + max(i, j) * 13 + 1)) }
    }

    func testEigendecompositionReconstructsAndIsOrthonormal() throws {
        let s = randomSymmetric(9, seed: 0.37)
        let eigen = try SymmetricEigendecomposition(s)
        XCTAssertLessThan((eigen.map { $0 } - s).frobeniusNorm, 1e-12 * s.frobeniusNorm)
        let gram = Matrix.product(eigen.vectors, .transpose, eigen.vectors, .none)
        XCTAssertLessThan((gram - Matrix.identity(9)).frobeniusNorm, 1e-13)
        XCTAssertEqual(eigen.values, eigen.values.sorted())
    }

    /// For a symmetric matrix the singular values are the |eigenvalues|; the nuclear norm of a
    /// PSD matrix is its trace.
    func testSingularValuesAndNuclearNorm() throws {
        let s = randomSymmetric(7, seed: 1.3)
        let fromEigen = try SymmetricEigendecomposition.eigenvalues(s).map(abs).sorted(by: >)
        for (a, b) in zip(try s.singularValues(), fromEigen) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        let psd = Matrix.gram(s)
        XCTAssertEqual(try psd.nuclearNorm(), psd.trace, accuracy: 1e-12 * psd.trace)
    }

    /// LU with partial pivoting solves a non-symmetric system (a zero leading entry forces a
    /// pivot) to round-off, one right-hand side in place or several at once, and a singular
    /// matrix is reported with its pivot.
    func testLUSolvesAndReportsSingularity() throws {
        let a = Matrix(rows: 4, columns: 4) { i, j in i == 0 && j == 0 ? 0 : sin(Double(3 * i + 5 * j + 1)) + (i == j ? 2 : 0) }
        let lu = try LUFactorization(a)
        let x = [1.0, -2, 0.5, 3]
        var b = a * x
        try lu.solve(&b)
        for (computed, truth) in zip(b, x) { XCTAssertEqual(computed, truth, accuracy: 1e-13) }
        let many = Matrix(rows: 4, columns: 2) { i, j in Double(i + 1) * (j == 0 ? 1 : -1) }
        XCTAssertLessThan((a * (try lu.solve(many)) - many).frobeniusNorm, 1e-13)
        let singular = Matrix(rows: 2, columns: 2, rowMajor: [1, 2, 2, 4])
        XCTAssertThrowsError(try LUFactorization(singular)) { error in
            XCTAssertEqual(error as? LinearAlgebraError, .singular(routine: "dgetrf", index: 2))
        }
    }

    /// `refactor(identityMinus:times:)` and `solve(_ b: inout)` call LAPACK's `dgetrf_`/`dgetrs_`
    /// directly: the same factors and solution, bit for bit, as the LAPACKE route (`init`,
    /// `solve(_: Matrix)`), and LAPACKE's errors for a NaN in the matrix or in b.
    func testLUDirectLAPACKMatchesLAPACKE() throws {
        for n in [1, 3, 6, 9, 20] {
            let j = Matrix(rows: n, columns: n) { i, k in sin(Double(7 * i + 3 * k + n)) }
            let c = 0.37
            var direct = try LUFactorization(Matrix.identity(n))
            try direct.refactor(identityMinus: c, times: j)
            let viaLAPACKE = try LUFactorization(Matrix.identity(n) - c * j)
            XCTAssertEqual(direct.factors.elements, viaLAPACKE.factors.elements)
            XCTAssertEqual(direct.pivots, viaLAPACKE.pivots)
            let rightHandSide = (0..<n).map { cos(Double($0) + 0.5) }
            var b = rightHandSide
            try direct.solve(&b)
            XCTAssertEqual(b, try viaLAPACKE.solve(Matrix(rows: n, columns: 1, columnMajor: rightHandSide)).elements)
        }
        var lu = try LUFactorization(Matrix.identity(2))
        XCTAssertThrowsError(try lu.refactor(identityMinus: 1, times: Matrix(rows: 2, columns: 2, rowMajor: [0, .nan, 0, 0]))) { error in
            XCTAssertEqual(error as? LinearAlgebraError, .illegalArgument(routine: "dgetrf", info: -4))
        }
        try lu.refactor(identityMinus: 1, times: Matrix(rows: 2, columns: 2))
        var b = [1.0, .nan]
        XCTAssertThrowsError(try lu.solve(&b)) { error in
            XCTAssertEqual(error as? LinearAlgebraError, .illegalArgument(routine: "dgetrs", info: -8))
        }
    }

    /// exp of a diagonal matrix, and exp(tS) exp(−tS) = I.
    func testSymmetricExponential() throws {
        let d = Matrix.diagonal([0, 1, -2])
        let e = try d.symmetricExponential()
        XCTAssertEqual(e.diagonalEntries[1], M_E, accuracy: 1e-14)
        XCTAssertEqual(e.diagonalEntries[2], exp(-2), accuracy: 1e-15)
        let s = randomSymmetric(6, seed: 0.8)
        let product = try s.symmetricExponential(scale: 0.7) * s.symmetricExponential(scale: -0.7)
        XCTAssertLessThan((product - Matrix.identity(6)).frobeniusNorm, 1e-12)
    }

    /// The PSD projection is PSD, idempotent, and the residual is orthogonal to it.
    func testProjectionOntoThePSDCone() throws {
        let s = randomSymmetric(8, seed: 2.1)
        let p = try s.projectedOntoPSDCone()
        XCTAssertGreaterThanOrEqual(try p.smallestEigenvalue(), -1e-13)
        XCTAssertLessThan((try p.projectedOntoPSDCone() - p).frobeniusNorm, 1e-12)
        XCTAssertEqual(Matrix.frobeniusInner(s - p, p), 0, accuracy: 1e-12)
    }

    func testCholeskySolveAndInverse() throws {
        let s = Matrix.gram(randomSymmetric(6, seed: 0.5)) + Matrix.identity(6)
        let chol = try Cholesky(s)
        XCTAssertLessThan((Matrix.product(chol.lower, .none, chol.lower, .transpose) - s).frobeniusNorm, 1e-12)
        XCTAssertLessThan((s * (try chol.inverse()) - Matrix.identity(6)).frobeniusNorm, 1e-12)
        XCTAssertThrowsError(try Cholesky(Matrix.diagonal([1, -1])))
    }

    /// `congruenceGram` equals tr(B_i X B_j Z⁻¹) computed directly.
    func testCongruenceGramIsTheSchurComplement() throws {
        let n = 4
        let x = Matrix.gram(randomSymmetric(n, seed: 0.3)) + Matrix.identity(n)
        let z = Matrix.gram(randomSymmetric(n, seed: 0.9)) + Matrix.identity(n)
        let bs = (0..<3).map { randomSymmetric(n, seed: 1.1 + Double($0)) }
        var blocks = Matrix(rows: n, columns: 3 * n)
        for (i, b) in bs.enumerated() { blocks.elements.replaceSubrange((i * n * n)..<((i + 1) * n * n), with: b.elements) }
        let zChol = try Cholesky(z)
        let gram = Matrix.congruenceGram(blocks: blocks, left: try Cholesky(x).lower, right: try zChol.inverseOfLower())
        let zInverse = try zChol.inverse()
        for i in 0..<3 {
            for j in 0..<3 {
                XCTAssertEqual(gram[i, j], (bs[i] * x * bs[j] * zInverse).trace, accuracy: 1e-11)
            }
        }
    }

    func testOrthonormalFactor() throws {
        let a = Matrix(rows: 5, columns: 5) { i, j in 1 / Double(i + j + 1) + (i == j ? 1 : 0) + sin(Double(7 * i + j)) }
        let q = try a.orthonormalFactor()
        XCTAssertLessThan((Matrix.product(q, .transpose, q, .none) - Matrix.identity(5)).frobeniusNorm, 1e-13)
        let r = Matrix.product(q, .transpose, a, .none)
        for j in 0..<5 {
            XCTAssertGreaterThan(r[j, j], 0)
            for i in (j + 1)..<5 { XCTAssertEqual(r[i, j], 0, accuracy: 1e-12) }
        }
    }
}
