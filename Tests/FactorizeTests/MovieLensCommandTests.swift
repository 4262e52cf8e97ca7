import Foundation
import TestSupport
import XCTest

/// `factorize movielens` on MovieLens-100k (never committed: `$MOVIELENS_DIR` or `data/ml-100k`;
/// skipped, saying where to put it, when it is in neither), and its refusals.
extension FactorizeEndToEndTests {
    static var movieLens: String { MovieLensData.directory ?? MovieLensData.candidates[0] }

    static func requireMovieLens() throws {
        guard MovieLensData.directory != nil else { throw XCTSkip(MovieLensData.missingMessage) }
    }

    /// X_gd is the zero-filled training matrix: the paper's 20912 and test error 1.000.
    func testMovieLensZeroFilledMatrix() throws {
        try Self.requireMovieLens()
        let outcome = try factorize("movielens", "--data", Self.movieLens, "--method", "xgd")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try XCTUnwrap(outcome.json)
        XCTAssertEqual(try XCTUnwrap(json["nuclear_norm"] as? Double), 20911.74, accuracy: 0.005)
        XCTAssertEqual(try XCTUnwrap(json["test_error"] as? Double), 1, accuracy: 1e-12, "ua.test is disjoint from ua.base")
        XCTAssertEqual(try XCTUnwrap(json["training_error"] as? Double), 0, accuracy: 1e-12)
    }

    /// The minimum nuclear norm completion of ua.base, certified: a feasible point (training error
    /// 0) whose nuclear norm is within 1e-4 of a dual lower bound. About 4 minutes on two cores.
    func testMovieLensMinimumNuclearNormIsCertifiedToAGapOf1e4() throws {
        try Self.requireMovieLens()
        let outcome = try factorize("movielens", "--data", Self.movieLens, "--method", "min-nuclear-norm")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try XCTUnwrap(outcome.json)
        let upper = try XCTUnwrap(json["nuclear_norm"] as? Double)
        let lower = try XCTUnwrap(json["lower_bound"] as? Double)
        XCTAssertEqual(json["status"] as? String, "solved")
        XCTAssertLessThanOrEqual(lower, upper)
        XCTAssertLessThanOrEqual((upper - lower) / upper, 1e-4)
        XCTAssertEqual(try XCTUnwrap(json["relative_gap"] as? Double), (upper - lower) / upper, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(json["training_error"] as? Double), 0, accuracy: 1e-12, "the upper bound's point is feasible")
        // Far below X_gd's 20,911.74, and the test ratings are predicted about as well as the paper's 0.288.
        XCTAssertLessThan(upper, 0.5 * 20911.74)
        XCTAssertEqual(try XCTUnwrap(json["test_error"] as? Double), 0.28, accuracy: 0.02)
    }

    /// A missing folder says where to get the data; a malformed line is named by file and line.
    func testMovieLensRefusals() throws {
        let missing = try factorize("movielens", "--data", "/nonexistent/ml-100k", "--method", "xgd")
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/ml-100k/ua.base is missing"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("GroupLens") && missing.stderr.contains("MOVIELENS_DIR"), missing.stderr)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ml-bad-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "1\t1\t5\t874965758\n1\t2\t7\t876893171\n".write(to: folder.appendingPathComponent("ua.base"), atomically: true, encoding: .utf8)
        try "1\t3\t4\t878542960\n".write(to: folder.appendingPathComponent("ua.test"), atomically: true, encoding: .utf8)
        let malformed = try factorize("movielens", "--data", folder.path, "--method", "xgd")
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderr.contains("ua.base:2:"), malformed.stderr)
    }
}
