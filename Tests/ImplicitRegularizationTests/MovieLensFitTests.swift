import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// Figure 3 (iv)'s three solutions on constructed ratings whose answers have closed forms, and
/// the table without data.
///
/// The ratings: user k rates movie k with `y_k`, k < K, each user and movie at most once, so
/// `P_Ω(Y)` is a scaled partial permutation matrix: its singular values are the |y_k|, its
/// nuclear norm `Σ|y_k|` and its spectral norm `max|y_k|`. That is also the minimum nuclear norm
/// completion: with `P = Σ sign(y_k) e_k e_kᵀ`, `‖P‖_op = 1`, every X that agrees with Y on Ω has
/// `‖X‖_* ≥ ⟨P, X⟩ = Σ|y_k|`. The test ratings (users and movies that rate nothing) are disjoint.
final class MovieLensFitTests: XCTestCase {
    private let values: [Double] = [5, 3, 4, 1, 2, 5, 4, 3]

    private var data: MovieLens {
        MovieLens(
            training: values.enumerated().map { MovieLens.Rating(user: $0.offset, movie: $0.offset, value: $0.element) },
            test: [MovieLens.Rating(user: 900, movie: 1600, value: 4), MovieLens.Rating(user: 901, movie: 1601, value: 2)])
    }

    /// X_gd = P_Ω(Y): nuclear norm Σ|y|, training error 0, test error 1 (it predicts 0 off Ω).
    func testZeroFilledFitIsThePartialPermutation() throws {
        let fit = try data.zeroFilledFit()
        XCTAssertEqual(fit.nuclearNorm, values.reduce(0, +), accuracy: 1e-12 * values.reduce(0, +))
        XCTAssertEqual(fit.trainingError, 0)
        XCTAssertEqual(fit.testError, 1)
        XCTAssertEqual(fit.status, .solved)
        XCTAssertEqual(fit.iterations, 0)
    }

    /// Gradient descent's loss scale is σ₁(P_Ω(Y))/50 = max|y|/50; its status says whether it met
    /// its training-error target; the users and movies with no training rating get no gradient,
    /// so they keep their U0, V0 rows (‖(U0, V0)‖_F = 1e-3) and each test prediction is at most
    /// 1e-6 in magnitude: the test error is within √2·1e-6/‖y_test‖ = 3.2e-7 of 1. And by the
    /// duality above, any X has `‖X‖_* ≥ ⟨P, X⟩ ≥ Σ|y| − √K·‖P_Ω(X) − y‖`, K = 8 ratings.
    func testGradientDescentFitScalesByTheTopSingularValue() throws {
        var settings = MovieLens.DescentSettings()
        settings.rank = 4
        settings.seed = 1
        settings.stopping = StoppingRule(tolerance: 1e-2, maxIterations: 3000)
        let fit = try data.gradientDescentFit(settings)
        XCTAssertEqual(try XCTUnwrap(fit.lossScale), 5.0 / 50, accuracy: 1e-12)
        XCTAssertLessThanOrEqual(fit.iterations, 3000)
        XCTAssertEqual(fit.status == .solved, fit.trainingError <= 1e-2, "\(fit.status.rawValue) at training error \(fit.trainingError)")
        XCTAssertEqual(fit.testError, 1, accuracy: 2.0.squareRoot() * 1e-6 / 20.0.squareRoot())
        let norm = Vector.norm(values)
        XCTAssertGreaterThanOrEqual(fit.nuclearNorm, values.reduce(0, +) - Double(values.count).squareRoot() * fit.trainingError * norm - 1e-9)
    }

    /// The minimum nuclear norm completion brackets Σ|y| between its certified bounds, within the gap of 1e-4.
    func testMinimumNuclearNormFitBracketsTheClosedForm() throws {
        let fit = try data.minimumNuclearNormFit()
        let minimum = values.reduce(0, +)
        let lower = try XCTUnwrap(fit.lowerBound)
        XCTAssertEqual(fit.status, .solved, fit.message)
        XCTAssertLessThanOrEqual(lower, minimum * (1 + 1e-12))
        XCTAssertGreaterThanOrEqual(fit.nuclearNorm, minimum * (1 - 1e-12))
        XCTAssertLessThanOrEqual(try XCTUnwrap(fit.relativeGap), 1e-4)
        XCTAssertEqual(fit.trainingError, 0, accuracy: 1e-12, "the upper bound's point is feasible")
    }

    /// Without data the table has the paper's numbers, ours NaN, and says why.
    func testComparisonWithoutDataHasThePaperNumbersOnly() throws {
        let comparison = try MovieLensComparison.run(folder: URL(fileURLWithPath: "/nonexistent/ml-100k"), profile: .quick)
        XCTAssertTrue(try XCTUnwrap(comparison.missingData).contains("ua.base is missing"))
        let rows = comparison.rows
        XCTAssertEqual(rows.map(\.paper.nuclearNorm), [8391, 8876, 20912])
        XCTAssertEqual(rows.map(\.paper.testError), [0.2880, 0.2631, 1.000])
        XCTAssertTrue(rows.allSatisfy { $0.testError.isNaN && $0.nuclearNorm.isNaN && $0.status == "no data" && $0.iterations == 0 })
        XCTAssertTrue(comparison.log.hasPrefix("MovieLens-100k is not here"))
        XCTAssertTrue(MovieLensComparison.reproduces(20911.74, 20912))
        XCTAssertFalse(MovieLensComparison.reproduces(8391 * 1.0101, 8391))
    }
}
