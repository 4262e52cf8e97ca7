import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// A driver, not a check: each Figure 3 problem (setting × observations, seed 0) and a sample of 403 of
/// Figure 4's instances, solved and timed, one line each. Runs only with `MNN_DIAGNOSE=1`
/// (`MNN_DUMP=dir` also writes each problem file there):
/// `MNN_DIAGNOSE=1 swift test -c release --skip-build --filter MinimumNuclearNormDiagnosticTests`.
final class MinimumNuclearNormDiagnosticTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipIf(ProcessInfo.processInfo.environment["MNN_DIAGNOSE"] == nil, "a driver: MNN_DIAGNOSE=1 runs it")
        BLASThreads.set(1)
    }

    func run(_ label: String, _ problem: MeasurementProblem) throws {
        if let dir = ProcessInfo.processInfo.environment["MNN_DUMP"] {
            try ProblemFile.encode(problem).write(toFile: "\(dir)/\(label).json", atomically: true, encoding: .utf8)
        }
        let start = Date()
        let outcome = try MinimumNuclearNorm(problem: problem).solve()
        let time = Date().timeIntervalSince(start)
        guard case let .solution(s) = outcome else { return print("\(label): infeasible") }
        print("RESULT \(label): status \(s.status) norm \(s.nuclearNorm) lb \(s.lowerBound) gap \(s.dualityGap) res \(s.residual) it \(s.iterations) face \(s.exposedDirections) time \(time) s | \(s.message)")
    }

    func testDiagnoseUniformA0() throws { try run("uniform-a-0", try PaperSetting.a.problem(.uniformCompletion, seed: 0)) }
    func testDiagnoseSensingA0() throws { try run("sensing-a-0", try PaperSetting.a.problem(.sensing, seed: 0)) }
    func testDiagnoseFigure3All() throws {
        for setting in PaperSetting.allCases {
            for observations in PaperSetting.Observations.allCases {
                try run("\(observations.rawValue)-\(setting.rawValue)-0", try setting.problem(observations, seed: 0))
            }
        }
    }
    func testDiagnoseFigure4Sample() throws {
        let start = Date()
        var counts: [String: Int] = [:]
        var worst = 0.0
        for index in stride(from: 0, to: 150_000, by: 373) {
            let problem = ExhaustiveSearch.problem(of: index)
            let outcome = try MinimumNuclearNorm(problem: problem).solve()
            counts["\(outcome.status)", default: 0] += 1
            if case let .solution(s) = outcome { worst = max(worst, max(abs(s.dualityGap), s.residual)) }
        }
        print("RESULT figure4 sample: \(counts) worst error \(worst) time \(Date().timeIntervalSince(start)) s")
    }
}

