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
            training: MovieLens.ratings(values.enumerated().map { .init(row: $0.offset, column: $0.offset, value: $0.element) }),
            test: MovieLens.ratings([.init(row: 900, column: 1600, value: 4), .init(row: 901, column: 1601, value: 2)]))
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

    /// A fit as the comparison stores it (its memberwise form is the library's), from its JSON.
    private func fit(nuclearNorm: Double, testError: Double, status: SolverStatus = .solved, lowerBound: Double? = nil) throws -> MovieLens.Fit {
        var object: [String: Any] = ["nuclearNorm": nuclearNorm, "testError": testError, "trainingError": 0.01, "iterations": 10,
                                     "status": status.rawValue, "message": "", "seconds": 1]
        object["lowerBound"] = lowerBound
        return try JSONDecoder().decode(MovieLens.Fit.self, from: JSONSerialization.data(withJSONObject: object))
    }

    /// The findings' predicates on hand-made fits: 1% of the paper's numbers, half X_gd's norm, the
    /// ranking by test error, and the excesses the prose reads.
    func testComparisonPredicates() throws {
        var comparison = MovieLensComparison()
        XCTAssertFalse(comparison.zeroFilledReproduces)
        XCTAssertFalse(comparison.descentAndMinimumCompared)
        XCTAssertNil(comparison.descentAboveMinimum)
        XCTAssertEqual([comparison.descentStatus, comparison.minimumStatus], ["not run", "not run"])

        comparison.zeroFilled = try fit(nuclearNorm: 20911.74, testError: 1)
        comparison.descent = try fit(nuclearNorm: 9000, testError: 0.25)
        comparison.minimum = try fit(nuclearNorm: 8000, testError: 0.29, lowerBound: 7999)
        XCTAssertTrue(comparison.zeroFilledReproduces)
        XCTAssertTrue(comparison.descentAndMinimumCompared)
        XCTAssertFalse(comparison.minimumReproduces, "8000 is 4.7% below 8391")
        XCTAssertFalse(comparison.descentNuclearNormReproduces, "9000 is 1.4% above 8876: beyond 1%")
        XCTAssertTrue(comparison.descentIsBiased, "9000 < 20911.74 / 2")
        XCTAssertTrue(comparison.testErrorRankingAsThePaper, "0.25 < 0.29 as 0.2631 < 0.2880")
        XCTAssertFalse(comparison.descentTestErrorReproduces, "0.25 is 5% below 0.2631")
        XCTAssertEqual(try XCTUnwrap(comparison.descentAboveMinimum), 0.125, accuracy: 1e-15)
        XCTAssertEqual(try XCTUnwrap(comparison.paperMinimumAboveOurs), 391.0 / 8000, accuracy: 1e-15)
        XCTAssertEqual(MovieLensComparison.paperDescentAboveMinimum, 485.0 / 8391, accuracy: 1e-15)
        XCTAssertEqual(comparison.descentStatus, "solved")

        comparison.descent = try fit(nuclearNorm: 8900, testError: 0.30, status: .iterationLimit)
        XCTAssertTrue(comparison.descentNuclearNormReproduces, "8900 is 0.27% above 8876")
        XCTAssertFalse(comparison.testErrorRankingAsThePaper, "0.30 > 0.29: the ranking flips")
        XCTAssertFalse(comparison.descentAndMinimumCompared, "gradient descent has not fit the data")
        comparison.zeroFilled = try fit(nuclearNorm: 17000, testError: 1)
        XCTAssertFalse(comparison.descentIsBiased, "8900 is above 17000 / 2")
        XCTAssertFalse(comparison.zeroFilledReproduces)
    }
}
