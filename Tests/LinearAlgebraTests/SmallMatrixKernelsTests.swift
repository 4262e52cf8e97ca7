import Foundation
import LinearAlgebra
import XCTest

/// The plain-Swift small-matrix kernels against the OpenBLAS/LAPACKE route on the same inputs
/// (``SmallMatrixKernels/isEnabled`` off), and against identities: products to a few ε of their
/// terms' magnitude, eigen- and singular values to a small multiple of `ε‖A‖`, factorisations by
/// what they reconstruct, failures with the LAPACK routine's own error.
final class SmallMatrixKernelsTests: XCTestCase {
    override func tearDown() { SmallMatrixKernels.isEnabled = true }

    /// A deterministic pseudo-random matrix with entries in (−1, 1).
    func matrix(_ rows: Int, _ columns: Int, seed: Int) -> Matrix {
        var state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return Matrix(rows: rows, columns: columns) { _, _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    /// `work` on the small kernels and on OpenBLAS/LAPACKE.
    func bothRoutes<T>(_ work: () throws -> T) rethrows -> (small: T, blas: T) {
        SmallMatrixKernels.isEnabled = true
        let small = try work()
        SmallMatrixKernels.isEnabled = false
        defer { SmallMatrixKernels.isEnabled = true }
        return (small, try work())
    }

    func assertClose(_ a: [Double], _ b: [Double], tolerance: Double, _ message: String, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, message, line: line)
        for (x, y) in zip(a, b) where !(abs(x - y) <= tolerance) {
            return XCTFail("\(message): \(x) against \(y) (tolerance \(tolerance))", line: line)
        }
    }

    /// Every product with every transpose, α and β (0 included: C unread), sizes 0 … 20 and stacked
    /// shapes (27 × 3 × 3); each entry within `4kε` of the sum of its terms' magnitudes (≤ k).
    func testProductsAgreeWithBLAS() {
        var seed = 0
        for (m, n, k) in [(1, 1, 1), (3, 3, 3), (9, 9, 9), (27, 3, 3), (3, 27, 9), (20, 20, 20), (5, 7, 0), (8, 1, 400), (0, 4, 2)] {
            for transA in [Transpose.none, .transpose] {
                for transB in [Transpose.none, .transpose] {
                    for (alpha, beta) in [(1.0, 0.0), (-0.7, 1.3), (0.0, 2.0)] {
                        seed += 1
                        let a = transA == .none ? matrix(m, k, seed: seed) : matrix(k, m, seed: seed)
                        let b = transB == .none ? matrix(k, n, seed: seed + 1000) : matrix(n, k, seed: seed + 1000)
                        var start = matrix(m, n, seed: seed + 2000)
                        if beta == 0 { start.elements = start.elements.map { _ in .nan } }
                        let (small, blas) = bothRoutes { () -> Matrix in
                            var c = start
                            Matrix.gemm(alpha, a, transA, b, transB, beta, into: &c)
                            return c
                        }
                        assertClose(small.elements, blas.elements, tolerance: 4 * Double(max(k, 1)) * .ulpOfOne * 3, "gemm \(m)×\(n)×\(k) \(transA) \(transB) α=\(alpha) β=\(beta)")
                    }
                }
            }
        }
        for (n, k) in [(3, 3), (9, 4), (8, 400), (20, 20)] {
            for trans in [Transpose.none, .transpose] {
                let a = trans == .none ? matrix(n, k, seed: n * k) : matrix(k, n, seed: n * k)
                let b = matrix(n, k, seed: n * k + 1)
                let (small, blas) = bothRoutes { () -> [Matrix] in
                    var c = Matrix(rows: n, columns: n, repeating: 0.5)
                    Matrix.syrk(2, a, trans, 0.5, into: &c)
                    var d = Matrix(rows: n, columns: n, repeating: 0.5)
                    if trans == .none { Matrix.syr2k(-1, a, b, 1, into: &d) }
                    let s = matrix(n, n, seed: 7)
                    var e = Matrix(rows: n, columns: 3, repeating: 1)
                    Matrix.symm(1.5, s, matrix(n, 3, seed: 8), -1, into: &e)
                    var y = [Double](repeating: 1, count: n)
                    Matrix.gemv(0.5, a, trans, [Double](repeating: 1, count: k), 2, into: &y)
                    return [c, d, e, Matrix(rows: y.count, columns: 1, columnMajor: y)]
                }
                let tolerance = 8 * Double(k) * .ulpOfOne * 4
                for j in 0..<n { for i in 0...j {
                    XCTAssertEqual(small[0][i, j], blas[0][i, j], accuracy: tolerance, "syrk \(n)×\(k) \(trans) (\(i), \(j))")
                    XCTAssertEqual(small[1][i, j], blas[1][i, j], accuracy: tolerance, "syr2k \(n)×\(k) (\(i), \(j))")
                } }
                assertClose(small[2].elements, blas[2].elements, tolerance: 16 * Double(n) * .ulpOfOne * 4, "symm \(n)")
                assertClose(small[3].elements, blas[3].elements, tolerance: tolerance, "gemv \(n)×\(k) \(trans)")
            }
        }
    }

    /// Level 1: dot, axpy and scale to round-off; the norm neither overflows nor underflows.
    func testLevelOneAgreesWithBLASAndTheNormIsSafeAtAnyScale() {
        let x = matrix(400, 1, seed: 3).elements, y = matrix(400, 1, seed: 4).elements
        let (small, blas) = bothRoutes { () -> [Double] in
            var z = y
            Vector.axpy(-0.3, x, &z)
            Vector.scale(&z, by: 1.7)
            return [Vector.dot(x, y), Vector.norm(x)] + z
        }
        assertClose(small, blas, tolerance: 400 * .ulpOfOne, "level 1")
        for scale in [1e-300, 1e-160, 1.0, 1e160, 1e300] {
            let v = [3 * scale, 4 * scale, 0]
            XCTAssertEqual(Vector.norm(v), 5 * scale, accuracy: 2 * .ulpOfOne * 5 * scale, "‖(3, 4, 0)‖ at scale \(scale)")
        }
        XCTAssertTrue(Vector.norm([1, .nan]).isNaN)
        XCTAssertEqual(Vector.norm([1, -.infinity]), .infinity)
        XCTAssertEqual(Vector.norm([]), 0)
    }

    /// The symmetric eigendecomposition: values within 8nε‖S‖ of dsyevd's, V orthonormal and
    /// V Λ Vᵀ = S to 8nε‖S‖ — on random, rank-one, repeated, zero, graded and 20 × 20 matrices.
    func testEigendecompositionAgreesWithLAPACKAndReconstructs() throws {
        let u = matrix(6, 1, seed: 5)
        let graded = Matrix.diagonal([1e-12, 1, 1e6, 3])
        var cases: [(String, Matrix)] = [
            ("random 9", matrix(9, 9, seed: 11).symmetricPart), ("random 20", matrix(20, 20, seed: 12).symmetricPart),
            ("rank one", Matrix.gram(u)), ("identity", Matrix.identity(5)), ("zero", Matrix(rows: 4, columns: 4)),
            ("repeated", Matrix.diagonal([2, -1, 2, 2, -1])), ("graded", graded), ("1 × 1", Matrix.diagonal([-3])),
        ]
        cases.append(("scaled 1e200", 1e200 * matrix(5, 5, seed: 13).symmetricPart))
        cases.append(("scaled 1e-200", 1e-200 * matrix(5, 5, seed: 14).symmetricPart))
        for (name, s) in cases {
            let n = s.rows
            let size = max(s.frobeniusNorm, .leastNormalMagnitude)
            let tolerance = 8 * Double(n) * .ulpOfOne * size
            let (small, blas) = try bothRoutes { try SymmetricEigendecomposition(s) }
            assertClose(small.values, blas.values, tolerance: tolerance, name)
            XCTAssertEqual(small.values, small.values.sorted(), name)
            XCTAssertEqual(try SymmetricEigendecomposition.eigenvalues(s), small.values, "\(name): values alone are the same bits")
            let gram = Matrix.product(small.vectors, .transpose, small.vectors, .none)
            XCTAssertLessThan((gram - Matrix.identity(n)).frobeniusNorm, 8 * Double(n) * .ulpOfOne, name)
            XCTAssertLessThanOrEqual((small.map { $0 } - s).frobeniusNorm, tolerance, name)
        }
        var bad = Matrix.identity(3)
        bad[0, 2] = .nan
        XCTAssertThrowsError(try SymmetricEigendecomposition(bad)) {
            XCTAssertEqual($0 as? LinearAlgebraError, .illegalArgument(routine: "dsyevd", info: -5))
        }
    }

    /// The SVD: values within 8·max(m, n)·ε‖A‖ of dgesdd's, U and V orthonormal (U completed where
    /// σ = 0), U Σ Vᵀ = A — wide, tall, square, rank-deficient and zero matrices.
    func testSingularValueDecompositionAgreesWithLAPACKAndReconstructs() throws {
        let lowRank = Matrix.product(matrix(7, 2, seed: 21), .none, matrix(2, 5, seed: 22), .none)
        let cases: [(String, Matrix)] = [
            ("square", matrix(6, 6, seed: 23)), ("tall", matrix(20, 4, seed: 24)), ("wide", matrix(3, 20, seed: 25)),
            ("rank two", lowRank), ("zero", Matrix(rows: 3, columns: 2)), ("tall 18 × 3", matrix(18, 3, seed: 26)),
            ("columns 1e150 apart", Matrix(rows: 3, columns: 2, columnMajor: [1e75, 2e75, 0, 1e-75, -1e-75, 3e-75])),
        ]
        for (name, a) in cases {
            let (m, n) = (a.rows, a.columns)
            let tolerance = 8 * Double(max(m, n)) * .ulpOfOne * a.frobeniusNorm
            let (small, blas) = try bothRoutes { try a.thinSingularValueDecomposition() }
            assertClose(small.values, blas.values, tolerance: tolerance, name)
            XCTAssertEqual(try a.singularValues(), small.values, "\(name): values alone are the same bits")
            let k = min(m, n)
            let utu = Matrix.product(small.u, .transpose, small.u, .none)
            let vvt = Matrix.product(small.vt, .none, small.vt, .transpose)
            XCTAssertLessThan((utu - Matrix.identity(k)).frobeniusNorm, 8 * Double(max(m, n)) * .ulpOfOne, name)
            XCTAssertLessThan((vvt - Matrix.identity(k)).frobeniusNorm, 8 * Double(max(m, n)) * .ulpOfOne, name)
            var us = small.u
            for j in 0..<k { for i in 0..<m { us[i, j] *= small.values[j] } }
            XCTAssertLessThanOrEqual((Matrix.product(us, .none, small.vt, .none) - a).frobeniusNorm, tolerance, name)
        }
    }

    /// Minimum-norm least squares: dgelsd's solution and rank, for over-, under-determined and
    /// rank-deficient systems (rank decided by rcond, and by ε).
    func testLeastSquaresAgreesWithLAPACK() throws {
        let lowRank = Matrix.product(matrix(8, 2, seed: 31), .none, matrix(2, 6, seed: 32), .none)
        for (name, a, rcond) in [("over", matrix(12, 5, seed: 33), -1.0), ("under", matrix(4, 9, seed: 34), -1), ("rank two", lowRank, 1e-10)] {
            let b = matrix(a.rows, 1, seed: 35).elements
            let (small, blas) = try bothRoutes { try LeastSquares(a, b, relativeCondition: rcond) }
            XCTAssertEqual(small.rank, blas.rank, name)
            assertClose(small.solution, blas.solution, tolerance: 1e-12 * max(1, Vector.norm(blas.solution)), name)
        }
    }

    /// Cholesky, its solves and inverses; LU and its solves; QR's Q — against LAPACK, and the
    /// failures LAPACK reports with its own error.
    func testFactorisationsAgreeWithLAPACKAndFailAlike() throws {
        let g = matrix(7, 7, seed: 41)
        let spd = Matrix.product(g, .transpose, g, .none) + Matrix.identity(7)
        let rhs = matrix(7, 2, seed: 42)
        let (small, blas) = try bothRoutes { () -> [Matrix] in
            let c = try Cholesky(spd)
            let lu = try LUFactorization(g)
            var x = rhs.elements.prefix(7).map { $0 }
            try lu.solve(&x)
            return [c.lower, try c.solve(rhs), try c.inverse(), try c.inverseOfLower(), try lu.solve(rhs),
                    Matrix(rows: 7, columns: 1, columnMajor: x), try matrix(9, 4, seed: 43).orthonormalFactor()]
        }
        for (k, name) in ["L", "solve", "inverse", "L⁻¹", "LU solve", "LU solve in place", "Q"].enumerated() {
            assertClose(small[k].elements, blas[k].elements, tolerance: 1e-12 * max(1, blas[k].frobeniusNorm), name)
        }
        var indefinite = Matrix.identity(4)
        indefinite[2, 2] = -1
        let failures = bothRoutes { () -> [LinearAlgebraError?] in
            var singular = Matrix.identity(3)
            singular[1, 1] = 0
            singular[2, 1] = 0
            var withNaN = Matrix.identity(3)
            withNaN[1, 0] = .nan
            return [
                { do { _ = try Cholesky(indefinite); return nil } catch { return error as? LinearAlgebraError } }(),
                { do { _ = try LUFactorization(singular); return nil } catch { return error as? LinearAlgebraError } }(),
                { do { _ = try LUFactorization(withNaN); return nil } catch { return error as? LinearAlgebraError } }(),
                { do { _ = try Cholesky(withNaN); return nil } catch { return error as? LinearAlgebraError } }(),
            ]
        }
        XCTAssertEqual(failures.small, failures.blas)
        XCTAssertEqual(failures.small[0], .notPositiveDefinite(routine: "dpotrf", order: 3))
    }

    /// Small problems do not touch OpenBLAS: the same inputs give the same bits whichever kernels
    /// OpenBLAS runs (the test-kernels target runs this suite under five), checked here as the same
    /// bits from an eigendecomposition, an SVD and a 9 × 9 LU solve computed twice and against a
    /// digest of this code's own result — a digest of the arithmetic, not of a kernel.
    func testSmallResultsAreTheSameBitsAsRecorded() throws {
        let s = matrix(9, 9, seed: 51).symmetricPart
        let eigen = try SymmetricEigendecomposition(s)
        let svd = try matrix(18, 3, seed: 52).thinSingularValueDecomposition()
        var x = matrix(9, 1, seed: 53).elements
        try LUFactorization(matrix(9, 9, seed: 54)).solve(&x)
        let bits = (eigen.values + eigen.vectors.elements + svd.values + svd.u.elements + x).map(\.bitPattern)
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for word in bits { for shift in stride(from: 0, to: 64, by: 8) { hash = (hash ^ ((word >> UInt64(shift)) & 0xFF)) &* 0x100_0000_01B3 } }
        XCTAssertEqual(String(hash, radix: 16), Self.recordedDigest, "the small kernels' bits changed: if the arithmetic was changed on purpose, record the new digest")
    }

    static let recordedDigest = "c5ba065eba33d8b8"
}
