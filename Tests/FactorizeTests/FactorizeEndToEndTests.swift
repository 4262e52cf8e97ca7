import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// Runs the built `factorize` as a user would.
final class FactorizeEndToEndTests: XCTestCase {
    /// `factorize` runs OpenBLAS on one thread (Factorize.swift); the library runs these tests compare
    /// its output with step for step must too: OpenBLAS's threaded kernels round differently (under
    /// Nehalem's, a second thread changed the n = 4 flow's step count from 265 to 268).
    override func setUp() { BLASThreads.set(1) }

    /// The fixtures' folder: `Tests/Fixtures`, or `$FIXTURES_DIR` (``TestSupport/Fixtures``).
    static var fixtures: String { Fixtures.directory.path }

    /// The tool beside the test bundle (`swift build` puts both in one folder).
    static var tool: URL {
        if let path = ProcessInfo.processInfo.environment["FACTORIZE"] { return URL(fileURLWithPath: path) }
        return Bundle.main.bundleURL.appendingPathComponent("factorize")
    }

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] }
    }

    /// Runs `factorize arguments` to its end (a solve may take minutes: the MovieLens minimum takes about four).
    func factorize(_ arguments: String...) throws -> Outcome {
        try run(arguments, timeout: 3600)
    }

    /// The minimum of a feasible fixture against cvxpy/Clarabel's (the fixture's reference), with
    /// the lower bound and gap it prints consistent with each other.
    func testMinimumNuclearNormOfAFixture() throws {
        let result = try factorize("min-nuclear-norm", try Fixtures.path("psd3-1.json"))
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(result.json)
        XCTAssertEqual(json["feasible"] as? Bool, true)
        let expected = try XCTUnwrap(Fixtures.reference("psd3-1.json")["min_nuclear_norm"] as? Double)
        let nuclear = try XCTUnwrap(json["nuclear_norm"] as? Double)
        let lower = try XCTUnwrap(json["lower_bound"] as? Double)
        XCTAssertEqual(nuclear, expected, accuracy: 1e-6 * expected)
        XCTAssertLessThanOrEqual(lower, expected * (1 + 1e-7), "a lower bound")
        // The gap is relative to the problem's own unit c = rms(y)/max‖A_i‖_F (completion: rms(y)).
        let observed = try Fixtures.problem("psd3-1.json").observations
        let unit = Vector.norm(observed) / Double(observed.count).squareRoot()
        XCTAssertEqual(try XCTUnwrap(json["duality_gap"] as? Double), (nuclear - lower) / max(unit, nuclear), accuracy: 1e-12)
        XCTAssertLessThanOrEqual(try XCTUnwrap(json["duality_gap"] as? Double), 1e-8)
    }

    /// A completion with no PSD completion (cvxpy agrees: the fixture's reference) exits 0 with a
    /// Farkas certificate w, checked here from the problem as the file states it: with
    /// `A*(w) = Σ_k w_k A_k` formed in full (`A_k = E_ii`, or `(E_ij + E_ji)/2` off the diagonal),
    /// `yᵀw = −1` and `λ_min(A*(w)) ≥ −1e-8`, so any PSD X with A(X) = y would give
    /// `−1 = ⟨A*(w), X⟩ ≥ −1e-8 tr X`: none with tr X < 1e8. The reported eigenvalue is A*(w)'s.
    func testInfeasibleCompletionExitsZeroWithACertificate() throws {
        let name = "psd3-0.json"
        XCTAssertEqual(try Fixtures.reference(name)["feasible"] as? Bool, false)
        let result = try factorize("min-nuclear-norm", try Fixtures.path(name))
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(result.json)
        XCTAssertEqual(json["feasible"] as? Bool, false)
        let certificate = try XCTUnwrap(json["certificate"] as? [String: Any])
        let w = try XCTUnwrap(certificate["w"] as? [Double])
        let entries = try XCTUnwrap(Fixtures.json(name)["entries"] as? [[Double]])
        XCTAssertEqual(w.count, entries.count)
        let n = try XCTUnwrap(Fixtures.json(name)["rows"] as? Int)
        var adjoint = Matrix(rows: n, columns: n)
        var yw = 0.0
        for (k, entry) in entries.enumerated() {
            let (i, j, value) = (Int(entry[0]), Int(entry[1]), entry[2])
            yw += value * w[k]
            if i == j { adjoint[i, i] += w[k] } else { adjoint[i, j] += w[k] / 2; adjoint[j, i] += w[k] / 2 }
        }
        XCTAssertEqual(yw, -1, accuracy: 1e-12, "yᵀw = −1")
        let smallest = try SymmetricEigendecomposition.eigenvalues(adjoint).min()!
        XCTAssertGreaterThanOrEqual(smallest, -1e-8, "A*(w) ⪰ −1e-8 I")
        XCTAssertEqual(try XCTUnwrap(certificate["smallest_eigenvalue"] as? Double), smallest, accuracy: 1e-12)
    }

    /// generate → gd → xgd: a planted problem shared through a file, solved by the tool.
    func testGenerateThenSolve() throws {
        let generated = try factorize("generate", "sensing", "--n", "10", "--rank", "1", "--measurements", "30", "--seed", "2")
        XCTAssertEqual(generated.status, 0, generated.stderr)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-e2e-\(getpid()).json")
        try generated.stdout.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let again = try factorize("generate", "sensing", "--n", "10", "--rank", "1", "--measurements", "30", "--seed", "2")
        XCTAssertEqual(again.stdout, generated.stdout, "the same seed gives the same file")

        let launched = Date()
        let gd = try factorize("gd", file.path, "--rank", "10", "--init-norm", "1e-4", "--step", "1e-2", "--seed", "1")
        let gdWallClock = Date().timeIntervalSince(launched)
        XCTAssertEqual(gd.status, 0, gd.stderr)
        let json = try XCTUnwrap(gd.json)
        XCTAssertLessThan(try XCTUnwrap(json["relative_error"] as? Double), 1e-2)
        // The six fields are the library's answer for the same run (same file, U0, step and stopping
        // rule, in this process's BLAS kernel), and the loss is ½(‖y‖·relative_training_error)².
        let problem = try ProblemFile.read(path: file.path)
        let library = FactorizedGradientDescent(problem: problem, stopping: .standard)
            .run(from: FactorInitialization.gaussian(dimension: 10, rank: 10, norm: 1e-4, seed: 1), policy: .fixed(1e-2))
        XCTAssertEqual(json["status"] as? String, library.status.rawValue)
        XCTAssertEqual(json["message"] as? String, library.message)
        XCTAssertEqual(json["iterations"] as? Int, library.iterations)
        let nuclear = try XCTUnwrap(json["nuclear_norm"] as? Double)
        XCTAssertEqual(nuclear, try library.nuclearNorm(), accuracy: 1e-12 * nuclear)
        // The loss of a fitted run is a cancellation, ½‖A(X) − y‖² with ‖r‖ ≈ 1e-6‖y‖: its relative
        // round-off is about ε‖y‖/‖r‖ ≈ 1e-10 (two BLAS threads moved it by 1e-12), so 1e-8.
        let loss = try XCTUnwrap(json["training_loss"] as? Double)
        XCTAssertEqual(loss, library.loss, accuracy: 1e-8 * library.loss)
        let relative = try XCTUnwrap(json["relative_training_error"] as? Double)
        let observed = Vector.norm(problem.observations)
        XCTAssertEqual(loss, 0.5 * (relative * observed) * (relative * observed), accuracy: 1e-10 * loss, "loss = ½‖r‖², r = relative · ‖y‖")
        XCTAssertGreaterThan(loss, 0)
        let seconds = try XCTUnwrap(json["seconds"] as? Double)
        XCTAssertGreaterThan(seconds, 0)
        XCTAssertLessThan(seconds, gdWallClock, "the run's own time is within the process's")

        let xgd = try factorize("xgd", file.path)
        XCTAssertEqual(xgd.status, 0, xgd.stderr)
        XCTAssertEqual(xgd.json?["status"] as? String, "solved")

        let diverged = try factorize("gd", file.path, "--rank", "10", "--init-norm", "1", "--step", "100")
        XCTAssertEqual(diverged.status, 0, diverged.stderr)
        XCTAssertEqual(diverged.json?["status"] as? String, "diverged")
    }

    /// Every bad input: one line on stderr naming the file, field or option, and exit code 2.
    func testBadInputIsRefusedWithExitCodeTwo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-bad-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ text: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let cases: [([String], String)] = [
            (["xgd", directory.appendingPathComponent("missing.json").path], "missing.json: cannot read the file"),
            (["xgd", try file("malformed.json", "{\"kind\": \"sensing\",\n\"n\": 2,,}")], "malformed.json:2:8: malformed JSON"),
            (["xgd", try file("sizes.json", "{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 0]], \"y\": [1]}")], "field \"measurements[0]\" has 3 numbers; n·n = 4"),
            (["xgd", try file("asym.json", "{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 2, 0, 1]], \"y\": [1]}")], "field \"measurements[0]\" is not symmetric"),
            (["xgd", try file("nan.json", "{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [NaN]}")], "nan.json:1:58: malformed JSON: NaN and Infinity are not JSON numbers"),
            (["gd", "\(Self.fixtures)/psd3-1.json", "--rank", "0", "--init-norm", "1", "--step", "1e-3"], "--rank must be a positive integer, got 0"),
            (["gd", "\(Self.fixtures)/psd3-1.json", "--rank", "9", "--init-norm", "1", "--step", "1e-3"], "--rank: must be at most n = 3"),
            (["gd", "\(Self.fixtures)/psd3-1.json", "--rank", "2", "--init-norm", "1"], "--step S or --line-search"),
            (["gd", "\(Self.fixtures)/psd3-1.json", "--rank", "2", "--init-norm=-1", "--step", "1"], "--init-norm must be a positive number"),
            (["generate", "sensing", "--n", "5", "--rank", "1", "--measurements", "3", "--seed", "1", "--spectrum", "flat"], "--spectrum must be one of"),
        ]
        for (arguments, expected) in cases {
            let process = Process()
            process.executableURL = Self.tool
            process.arguments = arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = Pipe()
            try process.run()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 2, arguments.joined(separator: " "))
            XCTAssertTrue(stderr.contains(expected), "\(arguments.joined(separator: " ")): \(stderr)")
            XCTAssertEqual(stderr.split(separator: "\n").count, 1, "one line: \(stderr)")
        }
    }

    func testHelpExplainsEachCommand() throws {
        for command in ["min-nuclear-norm", "gd", "xgd", "generate"] {
            let help = try factorize(command, "--help")
            XCTAssertEqual(help.status, 0)
            XCTAssertTrue(help.stdout.contains("USAGE: factorize \(command)"), command)
        }
    }
}
