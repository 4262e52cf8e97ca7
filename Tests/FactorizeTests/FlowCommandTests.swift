import Foundation
import ImplicitRegularization
import TestSupport
import XCTest

/// `factorize flow`, `toe` and `exhaustive` as a user runs them.
extension FactorizeEndToEndTests {
    func testFlowUsesTheFilesStartAndHorizon() throws {
        // Dormand–Prince throughout (the default, automatic, turns stiff on this flow before T = 5000).
        let outcome = try factorize("flow", try Fixtures.path("flow-n4-m5.json"), "--integrator", "dormand-prince")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try XCTUnwrap(outcome.json)
        let nuclear = try XCTUnwrap(json["nuclear_norm"] as? Double)
        XCTAssertEqual(nuclear, try XCTUnwrap(Fixtures.reference("flow-n4-m5.json")["nuclear_norm_X_T"] as? Double), accuracy: 1e-6, "scipy LSODA's X_T")
        XCTAssertEqual((json["X"] as? [Double])?.count, 16)
        XCTAssertEqual(json["time"] as? Double, 5000)
        // The integrator's counts: Dormand–Prince evaluates F once at the start and six times per
        // attempted step (first same as last), so evaluations = 1 + 6 (steps + rejected); and they
        // are the library's for the same flow.
        let steps = try XCTUnwrap(json["steps"] as? Int)
        let rejected = try XCTUnwrap(json["rejected_steps"] as? Int)
        XCTAssertEqual(try XCTUnwrap(json["evaluations"] as? Int), 1 + 6 * (steps + rejected))
        let problem = try Fixtures.problem("flow-n4-m5.json")
        let setting = try XCTUnwrap(problem.flow)
        var options = GradientFlow.Options()
        options.integrator = .dormandPrince
        let library = GradientFlow(problem: problem, options: options).run(from: setting.initialFactor, horizon: setting.horizon)
        XCTAssertEqual(steps, library.steps)
        XCTAssertEqual(rejected, library.rejectedSteps)
        XCTAssertGreaterThan(steps, 10)
    }

    /// The default integrator (automatic) on the n = 20 sensing fixture (‖U0‖ = 1e-5) to its T = 1e6,
    /// deep in the stiff phase: `solved`, RODAS4 has taken over (Jacobians > 0), and X_T is scipy
    /// Radau's (rtol 1e-10, analytic Jacobian) to 1e-12 in Frobenius norm, as in the library's test.
    func testFlowDefaultIntegratorReachesTheStiffFlowsReference() throws {
        let name = "flow-n20-r2-m120.json"
        let outcome = try factorize("flow", try Fixtures.path(name))
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try XCTUnwrap(outcome.json)
        XCTAssertEqual(json["status"] as? String, "solved", "\(json["message"] ?? "")")
        XCTAssertEqual(json["time"] as? Double, 1e6)
        XCTAssertGreaterThan(try XCTUnwrap(json["jacobians"] as? Int), 0, "the flow turned stiff and RODAS4 took over")
        let x = try XCTUnwrap(json["X"] as? [Double])
        let radau = try XCTUnwrap(Fixtures.reference(name)["X_T"] as? [Double])
        XCTAssertEqual(x.count, 400)
        let distance = zip(x, radau).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        XCTAssertLessThan(distance, 1e-12, "‖X_T − X_Radau‖_F")
    }

    /// `--integrator stiff` and `automatic` land on scipy LSODA's X_T as Dormand–Prince does, and
    /// count their Jacobians; an unknown integrator is refused.
    func testFlowIntegratorOption() throws {
        let file = try Fixtures.path("flow-n4-m5.json")
        let expected = try XCTUnwrap(Fixtures.reference("flow-n4-m5.json")["nuclear_norm_X_T"] as? Double)
        for integrator in ["stiff", "automatic", "dormand-prince"] {
            let outcome = try factorize("flow", file, "--integrator", integrator)
            XCTAssertEqual(outcome.status, 0, outcome.stderr)
            let json = try XCTUnwrap(outcome.json)
            XCTAssertEqual(json["status"] as? String, "solved", "\(integrator): \(json["message"] ?? "")")
            XCTAssertEqual(try XCTUnwrap(json["nuclear_norm"] as? Double), expected, accuracy: 1e-6, integrator)
            let jacobians = try XCTUnwrap(json["jacobians"] as? Int)
            if integrator == "stiff" { XCTAssertEqual(jacobians, try XCTUnwrap(json["steps"] as? Int)) }
            if integrator == "dormand-prince" { XCTAssertEqual(jacobians, 0) }
        }
        let bad = try factorize("flow", file, "--integrator", "euler")
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("--integrator must be one of dormand-prince, stiff, automatic"), bad.stderr)
    }

    func testTimeOrderedExponentialAndItsErrors() throws {
        let file = FactorizeEndToEndTests.fixtures + "/sensing-n8-r1-m24.json"
        let outcome = try factorize("toe", file, "--step", "0.1", "--init-norm", "1e-3", "--tolerance", "1e-3")
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let error = try XCTUnwrap(outcome.json?["relative_training_error"] as? Double)
        XCTAssertLessThanOrEqual(error, 1e-3)
        let missing = try factorize("toe", file)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("has no \"flow\".U0: give --init-norm"), missing.stderr)
    }

    func testExhaustiveWritesTablesAndResumes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exhaustive-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try factorize("exhaustive", "--subsample", "1500", "--init-norms", "1e-5", "--out", folder.path)
        XCTAssertEqual(first.status, 0, first.stderr)
        let json = try XCTUnwrap(first.json)
        XCTAssertEqual(json["instances"] as? Int, 100)
        XCTAssertEqual(json["computed"] as? Int, 100, "the instances computed, not whole chunks of 500")
        let feasible = try XCTUnwrap(json["feasible"] as? Int)
        let infeasible = try XCTUnwrap(json["discarded_infeasible"] as? Int)
        let undecided = try XCTUnwrap(json["discarded_undecided"] as? Int)
        XCTAssertEqual(feasible + infeasible + undecided, 100)
        let expected = stride(from: 0, to: 150_000, by: 1500).filter { PSDCompletion3.isFeasible(instance: $0) }.count
        XCTAssertEqual(feasible, expected, "the closed form's count of PSD-completable instances")
        XCTAssertEqual(undecided, 0)
        let rows = try String(contentsOf: folder.appendingPathComponent("instances.tsv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows.count, 101)
        let histogram = try String(contentsOf: folder.appendingPathComponent("histogram.tsv"), encoding: .utf8)
        let counted = histogram.split(separator: "\n").dropFirst().compactMap { Int($0.split(separator: "\t").last!) }.reduce(0, +)
        XCTAssertEqual(counted, feasible)
        let again = try factorize("exhaustive", "--subsample", "1500", "--init-norms", "1e-5", "--out", folder.path)
        XCTAssertEqual(again.json?["computed"] as? Int, 0, "the second run reads the finished chunks back")
        XCTAssertEqual(again.json?["feasible"] as? Int, feasible)
    }

    /// `--decade-certificate` reaches Figure 4's criterion from the command line: instance 5039 at
    /// ᾱ = 1 (X₀₀ = 1, X₀₁ = −1/3, X₀₂ = −1, X₁₁ = 1/9) approaches its limit like t^(−1/2), where the
    /// speed test alone cannot end it; with the flag it ends `solved`, its bound reported, and it is
    /// the library's flow with ExhaustiveSearch's options step for step. Its limit has
    /// X₁₂ = X₀₁X₀₂/X₀₀ = 1/3 (rows 0 and 1 of U parallel). Without the flag, stopped at t = 5e7 and
    /// fitted to 3.8e-9 (under `--tolerance 1e-8`), the flow is still moving: t‖Ẋ‖/‖X‖ = 1.01e-5, ten
    /// times the bound, the same to 3 digits under the Prescott, Nehalem, Sandybridge, Haswell and Zen
    /// kernels: `time_limit`. (It used to stop the plain command at 5e9, where t‖Ẋ‖/‖X‖ is mostly
    /// round-off, 1.2e-6 to 2.9e-6 for a true 1.0e-6: under Sandybridge's kernels it read 7.6e-7 at
    /// t = 4.6e9 and ended `solved`.)
    func testFlowDecadeCertificateFlagEndsASlowFlowAtItsLimit() throws {
        let index = 5039
        let entries = ExhaustiveSearch.entries(of: index).map { "[\($0.row), \($0.column), \($0.value)]" }.joined(separator: ", ")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-decade-\(getpid()).json")
        try #"{"kind": "completion", "rows": 3, "cols": 3, "symmetric": true, "entries": [\#(entries)]}"#.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let common = [file.path, "--init-norm", "1", "--seed", "\(index)", "--tolerance", "1e-9", "--stationarity", "1e-6"]
        let outcome = try run(["flow"] + common + ["--decade-certificate", "--max-time", "1e14"], timeout: 600)
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let json = try XCTUnwrap(outcome.json)
        XCTAssertEqual(json["status"] as? String, "solved", "\(json["message"] ?? "")")
        let bound = try XCTUnwrap(json["remaining_bound"] as? Double)
        XCTAssertLessThanOrEqual(bound, 1e-6)
        let library = GradientFlow(problem: ExhaustiveSearch.problem(of: index), options: ExhaustiveSearch().flow)
            .run(from: FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1, seed: UInt64(index)))
        // Ended by the certificate, not the speed test (whose t‖Ẋ‖/‖X‖ there, 1.3e-6 to 8.5e-6 over the
        // kernels, is round-off).
        XCTAssertEqual(library.stationaryBy, .decadeCertificate, library.message)
        // The same run, to the last bits of its numbers (Foundation's JSON reader moved one by an ulp).
        XCTAssertEqual(try XCTUnwrap(json["stationarity"] as? Double), library.stationarity, accuracy: 1e-12 * library.stationarity)
        XCTAssertEqual(try XCTUnwrap(json["time"] as? Double), library.time, accuracy: 1e-12 * library.time)
        XCTAssertEqual(json["steps"] as? Int, library.steps)
        XCTAssertEqual(bound, library.remainingBound, accuracy: 1e-12 * library.remainingBound)
        let x = try XCTUnwrap(json["X"] as? [Double])
        XCTAssertEqual(x[5], 1.0 / 3, accuracy: 2e-6, "X₁₂ → X₀₁X₀₂/X₀₀ = 1/3")

        let plain = try run(["flow", file.path, "--init-norm", "1", "--seed", "\(index)", "--tolerance", "1e-8", "--stationarity", "1e-6", "--max-time", "5e7"], timeout: 600)
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let moving = try XCTUnwrap(plain.json)
        XCTAssertEqual(moving["status"] as? String, "time_limit", "\(moving["message"] ?? "")")
        XCTAssertEqual(moving["time"] as? Double, 5e7)
        XCTAssertLessThanOrEqual(try XCTUnwrap(moving["relative_training_error"] as? Double), 1e-8 / 2, "fitted (measured 3.77e-9)")
        let speed = try XCTUnwrap(moving["stationarity"] as? Double)
        XCTAssertGreaterThan(speed, 5e-6, "still moving (measured 1.01e-5)")
        XCTAssertLessThan(speed, 2e-5)
        XCTAssertNil(moving["remaining_bound"], "no certificate without the flag")
        let refused = try run(["flow"] + common.dropLast(2) + ["--decade-certificate"], timeout: 60)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("--decade-certificate needs --stationarity"), refused.stderr)
    }
}
