// flow-limit-probe: re-runs Figure 4 flows (ExhaustiveSearch's options) and records, per flow, how
// it ends at t = 1e9 (status, residual, stationarity, singular values of U, steps, time) and how
// those quantities evolve when the flow is continued to 1e10, 1e11 and 1e12.
//
//   flow-limit-probe FLOWS.tsv [every K] [--long] [--no-continue]  (FLOWS.tsv: index, values, init_norm, …)
//   flow-limit-probe --random N SEED [--no-continue]                (N random feasible instances, all three ᾱ)
//   flow-limit-probe --check FILE        (index<TAB>alpha rows: distance of the stopping point from X(1e14))
//   flow-limit-probe --search FOLDER [K] (the whole Figure 4 search, timed)
//   flow-limit-probe --limit FOLDER [K] [deep|isometric|both] [WORKERS] (limit.md's searches, timed; FOLDER/limit-rows.tsv to diff)
//   flow-limit-probe --figure3 [T] [--all] [--no-decade] (Figure 3's two time-limited flows, or all nine; PROBE_FORCED=T' adds a forced reference run)
// PROBE_MAXTIME and PROBE_DECADE=0|1 override the search's flow options (PROBE_MAXTIME=1e9 PROBE_DECADE=0: version 4's).
//
// Writes one TSV row per flow to stdout.
import Foundation
import ImplicitRegularization
import LinearAlgebra

func now() -> Double { Date().timeIntervalSince1970 }
/// The process's CPU time in seconds (all threads): under load steadier than the wall clock.
func cpuTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// `t‖Ẋ‖_F/‖X‖_F` and the relative residual at U, computed independently of `GradientFlow.stationarity`
/// on purpose (dense `A(X)`, `A*(r)` and matrix products rather than the factored products), as a
/// second route to the quantity the library's test reads.
func measure(_ problem: MeasurementProblem, _ u: Matrix, time t: Double) -> (residual: Double, speed: Double, sigma: [Double], nuclear: Double) {
    let x = Matrix.gram(u)
    let r = Vector.difference(problem.measurements.apply(x), problem.observations)
    let s = problem.measurements.adjoint(r)
    let v = (-2.0) * (s * u)
    let xDot = v * u.transposed + u * v.transposed
    let sigma = (try? u.singularValues()) ?? [.nan, .nan, .nan]
    return (Vector.norm(r) / Vector.norm(problem.observations), t * xDot.frobeniusNorm / x.frobeniusNorm, sigma, (try? x.nuclearNorm()) ?? .nan)
}

func g(_ x: Double) -> String { String(format: "%.4g", x) }

let arguments = CommandLine.arguments
// --figure3 [maxTime×stretch]: Figure 3's two time-limited flows (completion, setting (a); the options of
// DiscretizationComparison) with the decade certificate, to the given time limit (default 1e14) in sensing units.
if arguments.count > 1, arguments[1] == "--figure3" {
    var comparison = DiscretizationComparison(profile: .full)
    comparison.flowTimeLimit = arguments.count > 2 ? Double(arguments[2]) ?? 1e14 : 1e14
    let n = PaperSetting.dimension
    // --all: the nine flows of Figure 3, not only the two that were time-limited.
    let cases = arguments.contains("--all")
        ? DiscretizationComparison.problems.map { ($0.observations, $0.setting) }
        : [(PaperSetting.Observations.uniformCompletion, PaperSetting.a), (.powerLawCompletion, .a)]
    for (observations, setting) in cases {
        let problem = try! setting.problem(observations, seed: comparison.problemSeed)
        let stretch = DiscretizationComparison.stretch(of: problem, observations: observations)
        let u0 = FactorInitialization.gaussian(dimension: n, rank: n, norm: comparison.initialNorm, seed: comparison.seed)
        var options = comparison.flowOptions(stretch: stretch)
        options.decadeCertificate = !arguments.contains("--no-decade")
        let t0 = now()
        let flow = GradientFlow(problem: problem, options: options).run(from: u0)
        let sigma = (try? flow.factor.singularValues()) ?? []
        var distance = Double.nan
        if let forcedLimit = ProcessInfo.processInfo.environment["PROBE_FORCED"].flatMap(Double.init) {
            // The same flow forced on to forcedLimit (sensing units), never stopping early: how far the stopping point is from it.
            var forced = options
            forced.residualTolerance = 0
            forced.decadeCertificate = false
            forced.maxTime = forcedLimit * stretch
            let later = GradientFlow(problem: problem, options: forced).run(from: u0)
            distance = (flow.x - later.x).frobeniusNorm / flow.x.frobeniusNorm
            print("  forced to", g(later.time), later.status.rawValue, "distance", g(distance), "nuclear", (try? later.x.nuclearNorm()) ?? .nan)
        }
        print(observations.rawValue, setting.rawValue, flow.status.rawValue, "t", g(flow.time), "steps", flow.steps, "jacobians", flow.jacobians, "wall s", g(now() - t0),
              "nuclear", (try? flow.x.nuclearNorm()) ?? .nan, "sigma3/sigma1", g(sigma.count > 2 ? sigma[2] / sigma[0] : .nan), "|", flow.message)
    }
    exit(0)
}
var flows: [(index: Int, alpha: Double)] = []
// --search FOLDER [SUBSAMPLE]: the whole Figure 4 search (2 workers), timed, with its per-ᾱ counts.
if arguments.count > 2, arguments[1] == "--search" {
    let t0 = now()
    let summary = try! ExhaustiveSearch().run(subsample: arguments.count > 3 ? Int(arguments[3])! : 1, folder: URL(fileURLWithPath: arguments[2]), workers: 2)
    print("instances \(summary.instances) feasible \(summary.feasible) wall s \(g(now() - t0))")
    for s in summary.perInitNorm {
        print("alpha \(s.initNorm): unsolved \(s.unsolved), within 1e-2 \(s.within1e2), median \(g(s.medianDelta)), max \(g(s.maxDelta)), negative \(s.negative), below floor \(s.belowFloor), lowest negative floor \(g(s.lowestNegativeFloor))")
    }
    for outcome in summary.outcomes where outcome.verdict == .feasible {
        for (k, status) in outcome.statuses.enumerated() where status != .solved {
            print("not solved: \(outcome.index) alpha \(summary.perInitNorm[k].initNorm) \(status.rawValue) delta \(outcome.deltas[k])")
        }
    }
    let steps = summary.outcomes.filter { $0.verdict == .feasible }.map { $0.steps.reduce(0, +) }.reduce(0, +)
    print("steps \(steps)")
    exit(0)
}
// --limit FOLDER [SUBSAMPLE] [deep|isometric|both|sdp|flow|glrl] [WORKERS]: limit.md's own searches, timed: ᾱ = 1e-100 with GLRL
// (time limit 1e9) and the isometric weighting at ᾱ = 1e-5, 1e-3, 1. Writes FOLDER/limit-rows.tsv (per
// feasible instance: statuses, Δ to 17 digits, GLRL's status, rank and Δ) for diffing runs.
if arguments.count > 2, arguments[1] == "--limit" {
    let folder = URL(fileURLWithPath: arguments[2])
    let subsample = arguments.count > 3 ? Int(arguments[3])! : 10
    let which = arguments.count > 4 ? arguments[4] : "both"
    let workers = arguments.count > 5 ? Int(arguments[5])! : 2
    var searches: [(String, ExhaustiveSearch)] = []
    if which != "isometric" {
        var deep = ExhaustiveSearch(initNorms: [1e-100], greedy: GreedyLowRankLearning.Options())
        deep.flow.maxTime = 1e9
        searches.append(("deep", deep))
    }
    if which == "deep" || which == "both" || which == "isometric" {
        if which != "deep" { searches.append(("isometric", ExhaustiveSearch(initNorms: [1e-5, 1e-3, 1], weighting: .isometric))) }
    } else {
        // The parts, for timing: the SDP alone, the flow from 1e-100 alone, GLRL alone.
        searches = []
        var part = ExhaustiveSearch(initNorms: which == "flow" ? [1e-100] : [], greedy: which == "glrl" ? GreedyLowRankLearning.Options() : nil)
        part.flow.maxTime = 1e9
        searches.append((which, part))
    }
    var rows = ""
    for (label, search) in searches {
        let (t0, c0) = (now(), cpuTime())
        let summary = try! search.run(subsample: subsample, folder: folder.appendingPathComponent(label), workers: workers)
        print("\(label): instances \(summary.instances) feasible \(summary.feasible) computed \(summary.computed) wall s \(g(now() - t0)) cpu s \(g(cpuTime() - c0))")
        for s in summary.perInitNorm {
            print("  alpha \(s.initNorm): unsolved \(s.unsolved), within 1e-2 \(s.within1e2), median \(g(s.medianDelta)), max \(g(s.maxDelta)), negative \(s.negative), below floor \(s.belowFloor)")
        }
        let feasible = summary.outcomes.filter { $0.verdict == .feasible }
        print("  steps \(feasible.map { $0.steps.reduce(0, +) }.reduce(0, +))")
        for o in feasible {
            var fields = [label, "\(o.index)", String(format: "%.17g", o.minimum)]
            for k in o.deltas.indices { fields += [o.statuses[k].rawValue, String(format: "%.17g", o.deltas[k]), "\(o.steps[k])"] }
            if let gr = o.greedy { fields += [gr.status.rawValue, "\(gr.rank)", String(format: "%.17g", gr.delta)] }
            rows += fields.joined(separator: "\t") + "\n"
        }
    }
    try! rows.write(to: folder.appendingPathComponent("limit-rows.tsv"), atomically: true, encoding: .utf8)
    exit(0)
}
// --check FILE (rows "index<TAB>alpha"): each feasible flow run as the search runs it (PROBE_* overrides),
// then forced on to t = 1e14; prints how far X where it stopped is from X(1e14), relatively.
if arguments.count > 2, arguments[1] == "--check" {
    var search = ExhaustiveSearch()
    if let value = ProcessInfo.processInfo.environment["PROBE_MAXTIME"].flatMap(Double.init) { search.flow.maxTime = value }
    if let value = ProcessInfo.processInfo.environment["PROBE_DECADE"] { search.flow.decadeCertificate = value == "1" }
    print("index\talpha\tstatus\tt\tstat\tbound\tresidual\tdistance_to_1e14")
    for line in try! String(contentsOfFile: arguments[2], encoding: .utf8).split(separator: "\n") {
        let fields = line.split(separator: "\t")
        let (index, alpha) = (Int(fields[0])!, Double(fields[1])!)
        let problem = ExhaustiveSearch.problem(of: index)
        guard case let .solution(found)? = try? MinimumNuclearNorm(problem: problem).solve(), found.status == .solved else { continue }
        let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: alpha, seed: UInt64(index))
        let result = GradientFlow(problem: problem, options: search.flow).run(from: start)
        var forced = search.flow
        forced.residualTolerance = 0
        forced.decadeCertificate = false
        forced.maxTime = 1e14
        let later = GradientFlow(problem: problem, options: forced).run(from: start)
        let distance = (result.x - later.x).frobeniusNorm / result.x.frobeniusNorm
        print("\(index)\t\(alpha)\t\(result.status.rawValue)\t\(g(result.time))\t\(g(result.stationarity))\t\(g(result.remainingBound))\t\(g(result.relativeResidual))\t\(g(distance))")
    }
    exit(0)
}
var search = ExhaustiveSearch()
// PROBE_MAXTIME / PROBE_DECADE=0|1 override the search's flow options for the first run.
if let value = ProcessInfo.processInfo.environment["PROBE_MAXTIME"].flatMap(Double.init) { search.flow.maxTime = value }
if let value = ProcessInfo.processInfo.environment["PROBE_DECADE"] { search.flow.decadeCertificate = value == "1" }
if arguments.count > 1, arguments[1] == "--random" {
    let count = Int(arguments[2])!
    var state = UInt64(arguments[3])!
    while flows.count < 3 * count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let index = Int((state >> 33) % UInt64(ExhaustiveSearch.instanceCount))
        let entries = ExhaustiveSearch.entries(of: index)
        if entries.contains(where: { $0.row == $0.column && $0.value < 0 }) { continue }
        guard case let .solution(found)? = try? MinimumNuclearNorm(problem: ExhaustiveSearch.problem(of: index)).solve(), found.status == .solved else { continue }
        for alpha in search.initNorms { flows.append((index, alpha)) }
    }
} else {
    let text = try! String(contentsOfFile: arguments[1], encoding: .utf8)
    let every = arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1
    for (k, line) in text.split(separator: "\n").dropFirst().enumerated() where k % every == 0 {
        let fields = line.split(separator: "\t")
        flows.append((Int(fields[0])!, Double(fields[2])!))
    }
}
let long = arguments.contains("--long")
let continued = !arguments.contains("--no-continue")

FileHandle.standardOutput.write(Data((["index", "alpha", "minimum", "status9", "t9", "steps9", "wall9_ms", "res9", "stat9", "s1", "s2", "s3", "delta9",
       "res10", "stat10", "s3_10", "D10", "res11", "stat11", "s3_11", "D11", "res12", "stat12", "s3_12", "D12", "delta12", "cont_ms",
       "statusL", "tL", "stepsL", "wallL_ms", "resL", "statL", "deltaL", "bound9", "message9"].joined(separator: "\t") + "\n").utf8))
for (index, alpha) in flows {
    let problem = ExhaustiveSearch.problem(of: index)
    var minimum = Double.nan
    if case let .solution(found)? = try? MinimumNuclearNorm(problem: problem).solve() { minimum = found.nuclearNorm }
    let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: alpha, seed: UInt64(index))
    let flow = GradientFlow(problem: problem, options: search.flow)
    var t0 = now()
    let first = flow.run(from: start)
    let wall9 = (now() - t0) * 1000
    let m9 = measure(problem, first.factor, time: first.time)
    var row = ["\(index)", "\(alpha)", "\(minimum)", first.status.rawValue, g(first.time), "\(first.steps)", g(wall9), g(m9.residual), g(first.stationarity),
               g(m9.sigma[0]), g(m9.sigma[1]), g(m9.sigma[2]), g((m9.nuclear - minimum) / minimum)]
    if continued {
        // The same flow forced on to T = 1e9, 1e10, 1e11, 1e12 (residual target 0: it never stops early),
        // and the displacement of X over each decade, ‖X(T) − X(T/10)‖_F/‖X(T)‖_F.
        t0 = now()
        var forced = search.flow
        forced.residualTolerance = 0
        forced.decadeCertificate = false
        var previous: Matrix? = nil
        var last = m9
        var cells: [String] = []
        for target in [1e9, 1e10, 1e11, 1e12] {
            forced.maxTime = target
            let next = GradientFlow(problem: problem, options: forced).run(from: start)
            last = measure(problem, next.factor, time: next.time)
            let x = Matrix.gram(next.factor)
            if let previous {
                cells += [g(last.residual), g(last.speed), g(last.sigma[2]), g((x - previous).frobeniusNorm / x.frobeniusNorm)]
            }
            previous = x
        }
        row += cells + [g((last.nuclear - minimum) / minimum), g((now() - t0) * 1000)]
    } else {
        row += Array(repeating: "nan", count: 14)
    }
    if long {
        var options = search.flow
        options.maxTime = 1e12
        options.decadeCertificate = false
        t0 = now()
        let result = GradientFlow(problem: problem, options: options).run(from: start)
        let wall = (now() - t0) * 1000
        row += [result.status.rawValue, g(result.time), "\(result.steps)", g(wall), g(result.relativeResidual), g(result.stationarity),
                g(((try? result.x.nuclearNorm()) ?? .nan) / minimum - 1)]
    } else {
        row += Array(repeating: "nan", count: 7)
    }
    row += [g(first.remainingBound), first.message]
    FileHandle.standardOutput.write(Data((row.joined(separator: "\t") + "\n").utf8))
}
