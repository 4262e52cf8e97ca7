import LinearAlgebra
import XCTest
import ImplicitRegularization

/// ``GradientFlow/StepMatrix`` (Woodbury in S's eigenbasis) against the dense LU of `I − cJ`, and
/// ``StepControl``'s formulas against their definitions.
final class StepMatrixTests: XCTestCase {
    /// `(I − cJ)x = b` solved by Woodbury equals the dense solve, for c from small to huge and for
    /// c with `1 + 2cλ_i` of both signs (S indefinite away from the optimum), on sensing and completion.
    func testWoodburySolveMatchesTheDenseLU() throws {
        let sensing = try PlantedSensing.generate(dimension: 6, rank: 2, measurements: 10, seed: 3)
        let completion = MeasurementProblem(dimension: 5, completionEntries: [
            .init(row: 0, column: 0, value: 1), .init(row: 0, column: 3, value: -0.5), .init(row: 1, column: 2, value: 0.3),
            .init(row: 2, column: 4, value: 0.8), .init(row: 4, column: 4, value: 0.2), .init(row: 1, column: 1, value: 0.6),
        ])
        for (problem, d) in [(sensing, 6), (sensing, 3), (completion, 5)] {
            let n = problem.dimension
            let size = n * d
            let u = FactorInitialization.gaussian(dimension: n, rank: d, norm: 0.9, seed: 11)
            var r = problem.observations
            var workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
            u.elements.withUnsafeBufferPointer { problem.measurements.factoredResidual(factor: $0, rank: d, observations: problem.observations, into: &r, workspace: &workspace) }
            let adjoint = problem.measurements.adjoint(r)
            var jacobian = Matrix(rows: size, columns: size)
            var dense = GradientFlow.Jacobian(problem.measurements)
            dense.fill(factor: u, adjoint: adjoint, into: &jacobian)
            let lambda = try SymmetricEigendecomposition(adjoint).values
            XCTAssertLessThan(lambda.first!, 0, "S is indefinite here, so 1 + 2cλ changes sign with c")
            var stepMatrix = GradientFlow.StepMatrix(problem: problem, rank: d)
            stepMatrix.evaluateJacobian(time: 0, state: u.elements)
            // c at which 1 + 2cλ_min is −1, −0.01, 0.01: D with entries of both signs and near zero.
            let crossings = [1.0, 0.01, -0.01].map { (1 + $0) / (-2 * lambda.first!) }
            for c in [1e-6, 1e-2, 1.0, 1e3, 1e8] + crossings {
                let b = (0..<size).map { sin(Double($0) * 1.7 + c) }
                var w = Matrix.identity(size)
                w.add(-c, jacobian)
                let expected = try LUFactorization(w).solve(Matrix(rows: size, columns: 1, columnMajor: b)).elements
                try stepMatrix.factor(identityMinus: c)
                var x = b
                try stepMatrix.solve(&x)
                // Both are backward stable: compare the residuals ‖b − Wx‖ against ‖W‖‖x‖, and x against x.
                let residual = Vector.norm(Vector.difference(b, w * x))
                XCTAssertLessThan(residual, 1e-13 * w.frobeniusNorm * Vector.norm(x), "n \(n) d \(d) c \(c)")
                let conditioned = Vector.norm(Vector.difference(x, expected)) / Vector.norm(expected)
                XCTAssertLessThan(conditioned, 1e-8, "n \(n) d \(d) c \(c): Woodbury against the dense LU")
            }
        }
    }

    /// The scaled norm is `sqrt(mean((e_i/s_i)²))`, `s_i = atol + rtol·max(|y_i|, |z_i|)`; the first
    /// step `0.01·d₀/d₁`; the step factor `clamp(0.9·err^(−1/q), 0.2, growth)`.
    func testStepControlFormulas() {
        let control = StepControl(relativeTolerance: 1e-3, absoluteTolerance: 1e-6)
        let e = [1e-3, -2e-6], y = [1.0, 0.0], z = [-2.0, 1e-3]
        let s = [1e-6 + 1e-3 * 2, 1e-6 + 1e-3 * 1e-3]
        let expected = (((e[0] / s[0]) * (e[0] / s[0]) + (e[1] / s[1]) * (e[1] / s[1])) / 2).squareRoot()
        XCTAssertEqual(control.errorNorm(e, start: y, end: z), expected, accuracy: 1e-15 * expected)
        XCTAssertEqual(control.errorNorm([], start: [], end: []), 0)
        // y = (3, 4), F = (−0.3, −0.4): d₀ = ‖y/(1e-6 + 1e-3|y|)‖, d₁ = d₀/10, so h₀ = 0.01 · 10 = 0.1.
        XCTAssertEqual(control.initialStep(state: [3, 4], slope: [-0.3, -0.4]), 0.1, accuracy: 1e-15)
        XCTAssertEqual(control.initialStep(state: [0, 0], slope: [1, 1]), 1e-6, "a zero start carries no time scale")
        XCTAssertEqual(StepControl.stepFactor(error: 0.9 * 0.9 * 0.9 * 0.9 * 0.9 / 32, order: 5, maxGrowth: 10), 2, accuracy: 1e-14)
        XCTAssertEqual(StepControl.stepFactor(error: 1e-30, order: 5, maxGrowth: 10), 10)
        XCTAssertEqual(StepControl.stepFactor(error: 0, order: 4, maxGrowth: 6), 6)
        XCTAssertEqual(StepControl.stepFactor(error: 1e30, order: 4, maxGrowth: 6), 0.2)
        XCTAssertEqual(StepControl.stepFactor(error: .nan, order: 4, maxGrowth: 6), 0.2)
        XCTAssertEqual(StepControl.stepFactor(error: 16, order: 4, maxGrowth: 1), 0.45, accuracy: 1e-15)
    }
}
