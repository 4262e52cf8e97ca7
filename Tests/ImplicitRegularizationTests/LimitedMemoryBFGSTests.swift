import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// `LimitedMemoryBFGS` alone, on functions with known minimisers and exact line searches: the
/// extended Rosenbrock function (minimum 0 at 1, …, 1) and convex quadratics, on which L-BFGS
/// with exact steps makes conjugate directions (it is then the conjugate gradient method up to
/// the directions' lengths: Nocedal & Wright §7.2) and so ends in about n steps, where steepest
/// descent would take thousands.
final class LimitedMemoryBFGSTests: XCTestCase {
    /// `f(x) = Σ_i 100 (x_{2i+1} − x_{2i}²)² + (1 − x_{2i})²` (Moré, Garbow & Hillstrom's extended
    /// Rosenbrock: n/2 uncoupled pairs, one minimiser, at 1), as `½‖ρ(x)‖²` with residuals
    /// `√200 (x_{2i+1} − x_{2i}²)` and `√2 (1 − x_{2i})`. Along `x + s d` each residual is
    /// `r + s a + s² b`, so the exact step is the minimiser of ``ExactLineSearch``'s quartic.
    final class Rosenbrock: ExactlySearchable {
        let dimension: Int
        var evaluations = 0
        init(dimension: Int) { self.dimension = dimension }

        func value(_ x: [Double]) -> Double {
            var sum = 0.0
            for i in stride(from: 0, to: dimension, by: 2) {
                let (inner, outer) = (x[i + 1] - x[i] * x[i], 1 - x[i])
                sum += 100 * inner * inner + outer * outer
            }
            return sum
        }

        func evaluate(_ z: SharedBuffer, gradient: SharedBuffer) -> Double {
            evaluations += 1
            let (x, g) = (z.readable, gradient.mutable)
            for i in stride(from: 0, to: dimension, by: 2) {
                let inner = x[i + 1] - x[i] * x[i]
                g[i] = -400 * x[i] * inner - 2 * (1 - x[i])
                g[i + 1] = 200 * inner
            }
            return value(Array(x))
        }

        func exactStep(from z: SharedBuffer, along d: SharedBuffer) -> Double {
            let (x, d) = (z.readable, d.readable)
            var (rr, ra, rb, aa, ab, bb) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            func add(_ r: Double, _ a: Double, _ b: Double) {
                (rr, ra, rb, aa, ab, bb) = (rr + r * r, ra + r * a, rb + r * b, aa + a * a, ab + a * b, bb + b * b)
            }
            let root200 = 200.0.squareRoot(), root2 = 2.0.squareRoot()
            for i in stride(from: 0, to: dimension, by: 2) {
                // x_{i+1} + s d_{i+1} − (x_i + s d_i)²
                add(root200 * (x[i + 1] - x[i] * x[i]), root200 * (d[i + 1] - 2 * x[i] * d[i]), -root200 * d[i] * d[i])
                add(root2 * (1 - x[i]), -root2 * d[i], 0)
            }
            return ExactLineSearch.step(rr: rr, ra: ra, rb: rb, aa: aa, ab: ab, bb: bb, maxStep: 1e6)
        }
    }

    /// `f(x) = ½ xᵀQx − bᵀx` with `b = Q x*`: the minimiser is x*. The exact step along d is
    /// `−gᵀd / dᵀQd`.
    final class Quadratic: ExactlySearchable {
        let q: Matrix
        let b: [Double]
        var dimension: Int { b.count }
        init(q: Matrix, minimizer: [Double]) { (self.q, self.b) = (q, q * minimizer) }

        func evaluate(_ z: SharedBuffer, gradient: SharedBuffer) -> Double {
            let x = z.array
            let qx = q * x
            for i in 0..<dimension { gradient.pointer[i] = qx[i] - b[i] }
            return 0.5 * Vector.dot(x, qx) - Vector.dot(b, x)
        }

        func exactStep(from z: SharedBuffer, along d: SharedBuffer) -> Double {
            let (x, direction) = (z.array, d.array)
            let g = Vector.difference(q * x, b)
            let curvature = Vector.dot(direction, q * direction)
            return curvature > 0 ? max(0, -Vector.dot(g, direction) / curvature) : 0
        }
    }

    /// From the classical start (−1.2, 1, −1.2, 1, …) to the minimiser 1, …, 1 in 2, 6 and 20
    /// dimensions, memory 5: to 1e-8 within 50 steps (it took 15–18), where steepest descent with
    /// the same exact steps creeps along the valley and is not within 1e-2 after 50. The gradient of
    /// the test function is checked against central differences, so the minimiser is the test's own.
    func testRosenbrockReachesOnes() {
        for n in [2, 6, 20] {
            let rosenbrock = Rosenbrock(dimension: n)
            let start = (0..<n).map { $0 % 2 == 0 ? -1.2 : 1.0 }
            // The gradient against central differences at the start.
            let (z, g) = (SharedBuffer(start), SharedBuffer(count: n))
            _ = rosenbrock.evaluate(z, gradient: g)
            for i in 0..<n {
                var (plus, minus) = (start, start)
                plus[i] += 1e-6
                minus[i] -= 1e-6
                XCTAssertEqual(g.array[i], (rosenbrock.value(plus) - rosenbrock.value(minus)) / 2e-6, accuracy: 1e-5 * max(1, abs(g.array[i])))
            }
            var lbfgs = LimitedMemoryBFGS(dimension: n, memory: 5)
            let steps = lbfgs.minimize(rosenbrock, from: z, iterations: 50)
            let x = z.array
            XCTAssertLessThan(x.map { abs($0 - 1) }.max()!, 1e-8, "n = \(n) after \(steps) steps: \(x)")
            XCTAssertLessThan(rosenbrock.value(x), 1e-16, "n = \(n)")
            // Steepest descent: the memory forgotten before every step.
            let descent = SharedBuffer(start)
            for _ in 0..<50 {
                lbfgs.reset()
                _ = lbfgs.minimize(rosenbrock, from: descent, iterations: 1)
            }
            XCTAssertGreaterThan(descent.array.map { abs($0 - 1) }.max()!, 1e-2, "n = \(n): steepest descent is slow here")
        }
    }

    /// A convex quadratic in 30 dimensions with condition number 1e3 (Q = V diag(λ) Vᵀ, V a random
    /// orthogonal matrix, λ from 1e-3 to 1). With exact steps the directions are conjugate: with
    /// memory ≥ n it is BFGS, which ends at the minimiser in n steps; with memory 1 or 5 it is the
    /// conjugate gradient method, n steps in exact arithmetic and, with rounding, a few more (55
    /// and 59 here). Steepest descent (the memory forgotten at every step) is not within 1e-3
    /// after 3n steps (it needs thousands).
    func testConvexQuadraticEndsInAboutNSteps() throws {
        let n = 30
        var random = RandomSource(seed: 31, stream: 4)
        let v = try Matrix(rows: n, columns: n, rowMajor: random.normals(n * n)).orthonormalFactor()
        let eigenvalues = (0..<n).map { pow(1e-3, Double($0) / Double(n - 1)) }
        let q = Matrix.product(v * Matrix.diagonal(eigenvalues), .none, v, .transpose)
        let minimizer = random.normals(n)
        let quadratic = Quadratic(q: q, minimizer: minimizer)
        /// Steps (one `minimize` call each, the memory kept between calls unless `forget`) until the
        /// relative error is below 1e-8, at most `cap`; and the error then.
        func run(memory: Int, cap: Int, forget: Bool = false) -> (steps: Int, error: Double) {
            let z = SharedBuffer(count: n)
            var lbfgs = LimitedMemoryBFGS(dimension: n, memory: memory)
            var (steps, error) = (0, 1.0)
            while steps < cap && error >= 1e-8 {
                if forget { lbfgs.reset() }
                steps += lbfgs.minimize(quadratic, from: z, iterations: 1)
                error = Vector.norm(Vector.difference(z.array, minimizer)) / Vector.norm(minimizer)
            }
            return (steps, error)
        }
        for memory in [n, 2 * n] {
            let (steps, error) = run(memory: memory, cap: 10 * n)
            XCTAssertLessThan(error, 1e-8, "memory \(memory)")
            XCTAssertLessThanOrEqual(steps, n + 2, "memory \(memory): BFGS ends in n steps")
        }
        for memory in [1, 5] {
            let (steps, error) = run(memory: memory, cap: 10 * n)
            XCTAssertLessThan(error, 1e-8, "memory \(memory)")
            XCTAssertLessThanOrEqual(steps, 3 * n, "memory \(memory): conjugate directions")
        }
        XCTAssertGreaterThan(run(memory: 5, cap: 3 * n, forget: true).error, 1e-3, "steepest descent")
    }
}
