// limit-probe: Figures 1–2's runs taken to their limit (FactorizationSweep.limits: the gradient flow on
// RODAS4 from where gradient descent stopped).
//
//   limit-probe --explore SETTING CURVE D SEED [CAP]   one run of the sweep (CAP iterations, 50,000), then its limit
//                                                      (LIMIT_INTEGRATOR=automatic|stiff|dormand-prince, LIMIT_STEPS=N override)
//   limit-probe --cost [a,b,c] [CURVES]                the full profile's sweep per setting, then every run's limit, timed
//                                                      curve by curve on both cores; one row per point into LIMIT_TSV
//                                                      (default /tmp/limit-probe-cost.tsv)
//   limit-probe --check [s:d,…]                        gradient descent run to its own limit beside the route on small-init
//                                                      runs (default b:2, b:3, a:2; `make bench`); exit 1 when one disagrees
import Foundation
import ImplicitRegularization
import LinearAlgebra

BLASThreads.set(1)
/// One line on stdout, unbuffered (print is block-buffered into a file).
func say(_ line: String) { FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!) }
let arguments = CommandLine.arguments
func g(_ x: Double) -> String { String(format: "%.6g", x) }

// --explore SETTING CURVE D SEED [CAP]: one run of the sweep, then its limit.
if arguments.count > 1, arguments[1] == "--explore" {
    let setting = PaperSetting(rawValue: arguments[2])!
    let curve = FactorizationSweep.Curve(rawValue: arguments[3])!
    let d = Int(arguments[4])!
    let seed = UInt64(arguments[5])!
    let cap = arguments.count > 6 ? Int(arguments[6])! : 50_000
    let problem = try setting.problem(.sensing, seed: 0)
    var sweep = FactorizationSweep(problem: problem, ranks: [d], seeds: [seed], curves: [curve], stopping: StoppingRule(tolerance: 1e-6, maxIterations: cap))
    sweep.workers = 1
    let references = try sweep.references()
    var start = Date()
    let points = try sweep.run(references: references)
    say("GD: \(g(Date().timeIntervalSince(start))) s, nuclear \(g(points[0].nuclearNorm)), training \(g(points[0].relativeResidual)), error \(g(points[0].reconstructionError)), \(points[0].status), t0 = \(g(points[0].time ?? .nan)); minimum \(g(references.minimumNuclearNorm))")
    start = Date()
    var options = FactorizationSweep.LimitOptions.standard
    if let name = ProcessInfo.processInfo.environment["LIMIT_INTEGRATOR"] { options.flow.integrator = FlowIntegrator(rawValue: name)! }
    if let steps = ProcessInfo.processInfo.environment["LIMIT_STEPS"] { options.flow.maxSteps = Int(steps)! }
    let limits = try sweep.limits(of: points, references: references, options: options)
    let l = limits[0]
    say("limit: \(g(Date().timeIntervalSince(start))) s, nuclear \(g(l.nuclearNorm)) (excess \(g(l.excessOverMinimum))), training \(g(l.relativeResidual)), error \(g(l.reconstructionError)), \(l.status) by \(l.stationaryBy?.rawValue ?? "-"), t = \(g(l.time)), steps \(l.steps), jacobians \(l.jacobians), cpu \(g(l.cpuSeconds))")
    say(l.message)
    exit(0)
}
// --cost [SETTINGS] [CURVES]: the full profile's sweep of each setting (timed), then every run's limit,
// curve by curve on both cores (timed), one TSV row per run into LIMIT_TSV (default /tmp/limit-probe-cost.tsv).
if arguments.count > 1, arguments[1] == "--cost" {
    let settings = (arguments.count > 2 ? arguments[2] : "a,b,c").split(separator: ",").map { PaperSetting(rawValue: String($0))! }
    let curves = (arguments.count > 3 ? arguments[3] : "small-init,line-search,large-init,svd-init").split(separator: ",").map { FactorizationSweep.Curve(rawValue: String($0))! }
    let profile = FigureProfile.full
    let path = ProcessInfo.processInfo.environment["LIMIT_TSV"] ?? "/tmp/limit-probe-cost.tsv"
    var tsv = "setting\tcurve\td\tseed\tgd_nuclear\tgd_training\tnuclear\texcess\treconstruction\ttraining\tstatus\tstationary_by\tt0\tt\tsteps\tjacobians\tseconds\tcpu_seconds\n"
    var totals: [FactorizationSweep.Curve: (wall: Double, cpu: Double, runs: Int)] = [:]
    for setting in settings {
        let problem = try setting.problem(.sensing, seed: 0)
        let sweep = FactorizationSweep(problem: problem, ranks: profile.ranks, seeds: profile.seeds, curves: curves, stopping: profile.stopping)
        var start = Date()
        let references = try sweep.references()
        let points = try sweep.run(references: references)
        say("(\(setting.rawValue)) sweep: \(g(Date().timeIntervalSince(start))) s for \(points.count) points")
        for curve in curves {
            let chosen = points.filter { $0.curve == curve }
            start = Date()
            let limits = try sweep.limits(of: chosen, references: references)
            let wall = Date().timeIntervalSince(start)
            // The SVD initialisation's repeated points are one run.
            let distinct = curve == .svdInitialization ? limits.filter { $0.seed == profile.seeds[0] } : limits
            let cpu = distinct.reduce(0) { $0 + $1.cpuSeconds }
            let worst = distinct.max { $0.cpuSeconds < $1.cpuSeconds }!
            let statuses = Dictionary(grouping: distinct) { "\($0.status.rawValue)/\($0.stationaryBy?.rawValue ?? "-")" }.map { "\($0.key) \($0.value.count)" }.sorted()
            say("(\(setting.rawValue)) \(curve.rawValue): \(distinct.count) runs in \(g(wall)) s on \(sweep.workers) workers, \(g(cpu)) CPU s; slowest d = \(worst.rank) seed \(worst.seed): \(g(worst.cpuSeconds)) s, t = \(g(worst.time)); \(statuses.joined(separator: ", "))")
            let old = totals[curve] ?? (0, 0, 0)
            totals[curve] = (old.wall + wall, old.cpu + cpu, old.runs + distinct.count)
            for (p, l) in zip(chosen, limits) {
                tsv += "\(setting.rawValue)\t\(curve.rawValue)\t\(l.rank)\t\(l.seed)\t\(p.nuclearNorm)\t\(p.relativeResidual)\t\(l.nuclearNorm)\t\(l.excessOverMinimum)\t\(l.reconstructionError)\t\(l.relativeResidual)\t\(l.status.rawValue)\t\(l.stationaryBy?.rawValue ?? "none")\t\(l.startTime)\t\(l.time)\t\(l.steps)\t\(l.jacobians)\t\(l.seconds)\t\(l.cpuSeconds)\n"
            }
            try tsv.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
    for curve in curves { if let t = totals[curve] { say("total \(curve.rawValue): \(t.runs) runs, \(g(t.wall)) s wall on 2 workers, \(g(t.cpu)) CPU s") } }
    say("total: \(g(totals.values.reduce(0) { $0 + $1.wall })) s wall")
    exit(0)
}
// --check: gradient descent run to its own limit against the route (FactorizationSweep.limits), on
// (b) small-init d = 2 and d = 3 (limits that do not fit the data) and (a) small-init d = 2 (X* itself).
if arguments.count > 1, arguments[1] == "--check" {
    let cases: [(PaperSetting, Int)] = arguments.count > 2
        ? arguments[2].split(separator: ",").map { let p = $0.split(separator: ":"); return (PaperSetting(rawValue: String(p[0]))!, Int(p[1])!) }
        : [(.b, 2), (.b, 3), (.a, 2)]
    var failures = 0
    for (setting, d) in cases {
        let problem = try setting.problem(.sensing, seed: 0)
        let start = Date()
        let check = try DescentLimitCheck.run(problem: problem, rank: d, seed: 1)
        let pass = check.agrees
        if !pass { failures += 1 }
        say("(\(setting.rawValue)) small-init d = \(d): \(check.summary) [\(g(Date().timeIntervalSince(start))) s] \(pass ? "AGREE" : "DISAGREE")")
    }
    exit(failures == 0 ? 0 : 1)
}
say("usage: limit-probe --explore SETTING CURVE D SEED [CAP] | --cost [SETTINGS] [CURVES] | --check [s:d,…]")
exit(2)
