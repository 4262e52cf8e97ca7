// mnn-probe: the minimum nuclear norm SDP (MinimumNuclearNorm) on each Figure 3 problem (setting ×
// observations, seed 0) and on a sample of 403 of Figure 4's instances, solved and timed, one line
// each. A driver, not a check (it was MinimumNuclearNormDiagnosticTests, a test suite with no assertion).
//
//   mnn-probe [uniform-a | sensing-a | figure3 | figure4 | all] [--dump DIR]   (default: all)
//
// --dump DIR (or MNN_DUMP=DIR) also writes each Figure 3 problem file there (ProblemFile's JSON,
// which `factorize min-nuclear-norm` reads). Each line: RESULT label: status, nuclear norm, lower
// bound, gap, residual, iterations, exposed directions, seconds, message.
import Foundation
import ImplicitRegularization
import LinearAlgebra

BLASThreads.set(1)
var arguments = Array(CommandLine.arguments.dropFirst())
var dumpFolder = ProcessInfo.processInfo.environment["MNN_DUMP"]
if let flag = arguments.firstIndex(of: "--dump") {
    guard flag + 1 < arguments.count else { FileHandle.standardError.write(Data("mnn-probe: --dump needs a folder\n".utf8)); exit(2) }
    dumpFolder = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}
let dump = dumpFolder
let mode = arguments.first ?? "all"
guard ["uniform-a", "sensing-a", "figure3", "figure4", "all"].contains(mode), arguments.count <= 1 else {
    FileHandle.standardError.write(Data("usage: mnn-probe [uniform-a | sensing-a | figure3 | figure4 | all] [--dump DIR]\n".utf8))
    exit(2)
}

func run(_ label: String, _ problem: MeasurementProblem, dump: String?) throws {
    if let dump {
        try ProblemFile.encode(problem).write(toFile: "\(dump)/\(label).json", atomically: true, encoding: .utf8)
    }
    let start = Date()
    let outcome = try MinimumNuclearNorm(problem: problem).solve()
    let time = Date().timeIntervalSince(start)
    guard case let .solution(s) = outcome else { return print("RESULT \(label): infeasible | \(outcome.message)") }
    print("RESULT \(label): status \(s.status) norm \(s.nuclearNorm) lb \(s.lowerBound) gap \(s.dualityGap) res \(s.residual) it \(s.iterations) face \(s.exposedDirections) time \(time) s | \(s.message)")
}

do {
    if mode == "uniform-a" { try run("uniform-a-0", try PaperSetting.a.problem(.uniformCompletion, seed: 0), dump: dump) }
    if mode == "sensing-a" { try run("sensing-a-0", try PaperSetting.a.problem(.sensing, seed: 0), dump: dump) }
    if mode == "figure3" || mode == "all" {
        for setting in PaperSetting.allCases {
            for observations in PaperSetting.Observations.allCases {
                try run("\(observations.rawValue)-\(setting.rawValue)-0", try setting.problem(observations, seed: 0), dump: dump)
            }
        }
    }
    if mode == "figure4" || mode == "all" {
        let start = Date()
        var counts: [String: Int] = [:]
        var worst = 0.0
        for index in stride(from: 0, to: 150_000, by: 373) {
            let outcome = try MinimumNuclearNorm(problem: ExhaustiveSearch.problem(of: index)).solve()
            counts["\(outcome.status)", default: 0] += 1
            if case let .solution(s) = outcome { worst = max(worst, max(abs(s.dualityGap), s.residual)) }
        }
        print("RESULT figure4 sample: \(counts.sorted { $0.key < $1.key }) worst error \(worst) time \(Date().timeIntervalSince(start)) s")
    }
} catch {
    FileHandle.standardError.write(Data("mnn-probe: \(error)\n".utf8))
    exit(1)
}
