// `make bench`: our solvers against numpy (and cvxpy when installed) on the same sizes, in one
// run, printed side by side as ratios. Speed targets live here, never in the tests.
import Foundation
import ImplicitRegularization
import LinearAlgebra

BLASThreads.set(1)
// The kernels every number below was computed with (BLASKernelSelection: the best the CPU supports
// where OpenBLAS does not know it; a user's OPENBLAS_CORETYPE wins).
print("BLAS: \(BLASKernel.description)")

func seconds(_ work: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let duration = try clock.measure(work)
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

let problem = try PlantedSensing.generate(dimension: 50, rank: 2, measurements: 300, seed: 0)
let forever = StoppingRule(tolerance: 0, maxIterations: 0)

// One gradient-descent iteration at n = 50, m = 300, d = 50.
let u0 = FactorInitialization.gaussian(dimension: 50, rank: 50, norm: 1e-4, seed: 1)
let iterations = 2000
var gd = FactorizedGradientDescent(problem: problem, stopping: forever)
gd.stopping.maxIterations = iterations
_ = gd.run(from: u0, policy: .fixed(1e-3))
let gdSeconds = seconds { _ = gd.run(from: u0, policy: .fixed(1e-3)) } / Double(iterations)

// What bounds that iteration: its two products with P (`dgemv` each way; BLAS has no call that
// fuses them, so each streams the whole 300 × 1275 operator from memory).
let operatorBytes = Double(problem.count * SymmetricPacking.packedCount(problem.dimension) * 8)
let probe = SymmetricPacking.pack(Matrix.gram(u0))
var probeImage = [Double](repeating: 0, count: problem.count)
var probeAdjoint = [Double](repeating: 0, count: probe.count)
let productsSeconds = seconds {
    for _ in 0..<iterations {
        problem.measurements.apply(packedVector: probe, scale: 1, adding: 0, into: &probeImage)
        problem.measurements.adjointPacked(probeImage, into: &probeAdjoint)
    }
} / Double(iterations)

// The batched sweep: 30 runs (10 values of d × 3 seeds), per run-iteration.
let runs = [1, 2, 3, 4, 5, 6, 8, 10, 15, 20].flatMap { d in
    (1...3).map { seed in
        BatchedGradientDescent.Run(initialFactor: FactorInitialization.gaussian(dimension: 50, rank: d, norm: 1e-4, seed: UInt64(seed)), policy: .fixed(1e-3))
    }
}
let sweepIterations = 500
let batch = BatchedGradientDescent(problem: problem, stopping: StoppingRule(tolerance: 0, maxIterations: sweepIterations))
let sweepSeconds = seconds { _ = batch.run(runs) } / Double(sweepIterations * runs.count)
// The same 30 runs as `FactorizationSweep` runs a figure: dealt round-robin to one batch per core.
let cores = ProcessInfo.processInfo.activeProcessorCount
let dealt = (0..<cores).map { w in Array(stride(from: w, to: runs.count, by: cores)).map { runs[$0] } }
let sweepAllCoresSeconds = seconds { _ = ConcurrentWork.map(dealt) { batch.run($0) } } / Double(sweepIterations * runs.count)
// Its two products with P per run-iteration are 4·m·n(n+1)/2 flops at least (the rest, dsyrk and
// dsymm on n × d factors, adds a few percent); this machine's dgemm peak, measured the same way
// (one single-threaded 1500³ product per core at once), bounds how fast any sweep can go.
let sweepFlops = 4 * Double(problem.count * SymmetricPacking.packedCount(problem.dimension))
let square = Matrix(rows: 1500, columns: 1500, repeating: 1e-3)
let squareFlops = 2 * 1500.0 * 1500 * 1500
let peakOneCore = (0..<3).map { _ in squareFlops / seconds { _ = Matrix.product(square, .none, square, .none) } }.max()!
if CommandLine.arguments.contains("--small-kernels") {
    // The plain-Swift small-matrix kernels against OpenBLAS/LAPACKE on the same work, side by side:
    // CPU time of Figure 4's search on every 149th instance (one thread), of the 3×3 flow to T = 100,
    // and of the sweep's run-iteration (n = 50, untouched but for its d × d products).
    let flowProblem = MeasurementProblem(dimension: 3, completionEntries: [
        .init(row: 0, column: 0, value: 1), .init(row: 0, column: 1, value: 1.0 / 9),
        .init(row: 0, column: 2, value: 1.0 / 9), .init(row: 1, column: 1, value: 1),
    ])
    let g = Matrix(rows: 3, columns: 3, rowMajor: [0.3, -0.2, 0.5, 0.1, 0.4, -0.3, -0.6, 0.2, 0.1])
    // CPU time (this process's, user + system), the least of three runs taken in turn, so that other
    // work on the machine does not decide the ratio.
    func measure() throws -> (search: Double, flow: Double, sweep: Double) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-bench-small-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let search = try cpuSeconds { _ = try ExhaustiveSearch().run(subsample: 149, folder: folder, workers: 1) }
        let flow = cpuSeconds { for _ in 0..<20 { _ = GradientFlow(problem: flowProblem).run(from: (1e-3 / g.frobeniusNorm) * g, horizon: 100) } } / 20
        let sweep = cpuSeconds { _ = batch.run(runs) } / Double(sweepIterations * runs.count)
        return (search, flow, sweep)
    }
    var (blas, small) = ((search: Double.infinity, flow: Double.infinity, sweep: Double.infinity), (search: Double.infinity, flow: Double.infinity, sweep: Double.infinity))
    for _ in 0..<3 {
        for enabled in [false, true] {
            SmallMatrixKernels.isEnabled = enabled
            let run = try measure()
            if enabled {
                small = (min(small.search, run.search), min(small.flow, run.flow), min(small.sweep, run.sweep))
            } else {
                blas = (min(blas.search, run.search), min(blas.flow, run.flow), min(blas.sweep, run.sweep))
            }
        }
    }
    SmallMatrixKernels.isEnabled = true
    print("small-matrix kernels against OpenBLAS/LAPACKE, one thread, CPU time (least of 3):")
    print(String(format: "  Figure 4's search, every 149th instance: %.2f s against %.2f s (%.2f×)", small.search, blas.search, blas.search / small.search))
    print(String(format: "  3×3 flow to T = 100: %.0f µs against %.0f µs (%.2f×)", small.flow * 1e6, blas.flow * 1e6, blas.flow / small.flow))
    print(String(format: "  sweep per run-iteration (n = 50): %.1f µs against %.1f µs (%.2f×)", small.sweep * 1e6, blas.sweep * 1e6, blas.sweep / small.sweep))
    exit(0)
}
if CommandLine.arguments.contains("--kernels") {
    // The kernels' speed alone: `factorize-bench --kernels`, e.g. under OPENBLAS_CORETYPE=Prescott beside the selection.
    print(String(format: "sweep per run-iteration, 1 core: %.1f µs; dgemm peak %.1f Gflop/s on 1 core", sweepSeconds * 1e6, peakOneCore / 1e9))
    exit(0)
}
let peakAllCores = (0..<3).map { _ in
    Double(cores) * squareFlops / seconds { _ = ConcurrentWork.map(Array(0..<cores)) { _ in Matrix.product(square, .none, square, .none) } }
}.max()!

// The minimum nuclear norm.
var sdpGap = Double.nan
let sdpSeconds = try seconds {
    if case let .solution(solution) = try MinimumNuclearNorm(problem: problem).solve() { sdpGap = solution.dualityGap }
}

// The gradient flow on a 3×3 completion instance, to T = 100 (the same one numpy_reference.py integrates).
let flowProblem = MeasurementProblem(dimension: 3, completionEntries: [
    .init(row: 0, column: 0, value: 1), .init(row: 0, column: 1, value: 1.0 / 9),
    .init(row: 0, column: 2, value: 1.0 / 9), .init(row: 1, column: 1, value: 1),
])
let g = Matrix(rows: 3, columns: 3, rowMajor: [0.3, -0.2, 0.5, 0.1, 0.4, -0.3, -0.6, 0.2, 0.1])
let flowStart = (1e-3 / g.frobeniusNorm) * g
var flowResult: GradientFlow.Result?
let flowRepeats = 20
let flowSeconds = seconds {
    for _ in 0..<flowRepeats { flowResult = GradientFlow(problem: flowProblem).run(from: flowStart, horizon: 100) }
} / Double(flowRepeats)

// The flow to stationarity (no horizon: ‖r‖/‖y‖ ≤ 1e-8 and t‖Ẋ‖/‖X‖ ≤ 1e-6, or t = 1e10) at rtol 1e-10,
// on the 3×3 instance above and on the n = 20 sensing fixture (rank 2, m = 120, ‖U0‖ = 1e-5), on each of
// our integrators; stiff_reference.py runs scipy's LSODA and Radau (analytic Jacobian) to the same test.
struct StationaryRun { var instance: String; var integrator: FlowIntegrator; var result: GradientFlow.Result; var seconds: Double; var cpuSeconds: Double }
/// The process's CPU time (user + system), so that a ratio is fair on a machine other work shares.
func cpuSeconds(_ work: () throws -> Void) rethrows -> Double {
    var before = rusage(), after = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &before)
    try work()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &after)
    func total(_ u: rusage) -> Double {
        Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
    }
    return total(after) - total(before)
}
let fixturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Tests/Fixtures")
let sensing20 = try ProblemFile.read(path: fixturesFolder.appendingPathComponent("flow-n20-r2-m120.json").path)
let stationaryInstances: [(name: String, problem: MeasurementProblem, start: Matrix)] = [
    ("3×3 completion, ‖U0‖ = 1e-3", flowProblem, flowStart),
    ("n=20 sensing r=2 m=120, ‖U0‖ = 1e-5", sensing20, sensing20.flow!.initialFactor),
]
var stationaryRuns: [StationaryRun] = []
for (name, problem, start) in stationaryInstances {
    for integrator in FlowIntegrator.allCases {
        var options = GradientFlow.Options()
        options.integrator = integrator
        options.residualTolerance = 1e-8
        options.stationarityTolerance = 1e-6
        options.maxTime = 1e10
        // Dormand–Prince on the n = 20 flow would take ~10⁹ steps: capped, to show where it stalls.
        options.maxSteps = problem.dimension > 3 && integrator == .dormandPrince ? 100_000 : 2_000_000
        var result: GradientFlow.Result?
        let repeats = problem.dimension > 3 ? 1 : 5
        var wall = 0.0
        let cpu = cpuSeconds {
            wall = seconds { for _ in 0..<repeats { result = GradientFlow(problem: problem, options: options).run(from: start) } } / Double(repeats)
        } / Double(repeats)
        stationaryRuns.append(StationaryRun(instance: name, integrator: integrator, result: result!, seconds: wall, cpuSeconds: cpu))
    }
}

// The exhaustive search, run as Figure 4 runs it (chunks spread over every core) on every 49th
// instance, and projected to all 150,000: the cores' real scaling is in the measurement. The
// stride is prime to 10, so every value of the grid is sampled (every 300th instance, as this
// bench used to take, always observes −1 twice and is mostly infeasible: 2.3× too optimistic).
let sampleStride = 49
let sampleFolder = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: sampleFolder) }
let sampleSeconds = try seconds { _ = try ExhaustiveSearch().run(subsample: sampleStride, folder: sampleFolder) }
let projectedMinutes = sampleSeconds * Double(sampleStride) / 60

// One MovieLens gradient-descent iteration (d = 943), when the data is here; the same in numpy + scipy.sparse.
var movieLensSeconds: Double?
if let data = try? MovieLens.load(from: MovieLens.folder(given: nil)) {
    let entries = data.training
    let (u0, v0) = AsymmetricGradientDescent.initialFactors(rows: MovieLens.users, columns: MovieLens.movies, rank: 943, norm: 1e-3, seed: 0)
    let descent = AsymmetricGradientDescent(entries: entries, step: 1e-2, lossScale: 12, stopping: StoppingRule(tolerance: 0, maxIterations: 10))
    movieLensSeconds = seconds { _ = descent.run(u0: u0, v0: v0) } / 10
}

// Each MovieLens method's wall time, as Figure 3 (iv) runs it (BENCH_MOVIELENS=0 skips these ~9 minutes).
var movieLensRuns: [(String, Double, String)] = []
if ProcessInfo.processInfo.environment["BENCH_MOVIELENS"] != "0", let data = try? MovieLens.load(from: MovieLens.folder(given: nil)) {
    let entries = data.training
    let scale = try AsymmetricGradientDescent.defaultLossScale(for: entries)
    let (u0, v0) = AsymmetricGradientDescent.initialFactors(rows: MovieLens.users, columns: MovieLens.movies, rank: 943, norm: 1e-3, seed: 0)
    var gd: AsymmetricGradientDescent.Result?
    let gdSeconds = seconds {
        gd = AsymmetricGradientDescent(entries: entries, step: 1e-2, lossScale: scale, stopping: StoppingRule(tolerance: 1e-2, maxIterations: 20_000))
            .run(u0: u0, v0: v0)
    }
    movieLensRuns.append(("GD to training error 1e-2", gdSeconds, "\(gd!.iterations) iterations, \(gd!.status.rawValue)"))
    var minimum: MinimumNuclearNormCompletion.Solution?
    let minimumSeconds = try seconds { minimum = try MinimumNuclearNormCompletion(entries: entries).solve() }
    movieLensRuns.append(("minimum nuclear norm to gap 1e-4", minimumSeconds,
                          String(format: "gap %.1e, %.2f ≤ min ≤ %.2f", minimum!.relativeGap, minimum!.lowerBound, minimum!.nuclearNorm)))
}

// numpy and cvxpy, on the same sizes: numpy with its default OpenBLAS threads (one per core), and
// its descent alone again on one thread.
let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("numpy_reference.py")
func numpyReference(_ environment: [String: String] = [:]) -> [String: Any] {
    let python = Process()
    python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    python.arguments = ["python3", script.path]
    python.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    python.standardOutput = pipe
    do {
        try python.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        return (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    } catch {
        print("numpy reference could not run: \(error)")
        return [:]
    }
}
let reference = numpyReference()
let referenceOneThread = numpyReference(["OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "NUMPY_REFERENCE_PARTS": "descent"])

func row(_ what: String, ours: Double, theirs: Double?, goal: String) {
    let t = theirs.map { String(format: "%10.1f µs", $0 * 1e6) } ?? "         —   "
    let ratio = theirs.map { String(format: "%6.1f×", $0 / ours) } ?? "    — "
    print(String(format: "%-56@ %10.1f µs %@ %@   goal %@", what as NSString, ours * 1e6, t, ratio, goal))
}
let numpyThreads = reference["blas_threads"].map { "\($0)" } ?? "?"
print("factorize-bench (ours: OpenBLAS single-threaded, \(cores) cores); ratio = numpy or cvxpy time / ours")
print(String(format: "%-56@ %13@ %13@ %7@", "" as NSString, "ours" as NSString, "reference" as NSString, "ratio" as NSString))
row("GD iteration, n=50 m=300 d=50 (numpy, \(numpyThreads) threads)", ours: gdSeconds, theirs: reference["gd_iteration_seconds"] as? Double, goal: "≥ 3×")
row("GD iteration, n=50 m=300 d=50 (numpy, 1 thread)", ours: gdSeconds, theirs: referenceOneThread["gd_iteration_seconds"] as? Double, goal: "≥ 3×")
print(String(format: "  of ours, the two dgemv with P (%.1f MB, streamed each way) take %.1f µs: %.1f GB/s", operatorBytes / 1e6, productsSeconds * 1e6, 2 * operatorBytes / productsSeconds / 1e9))
row("sweep per run-iteration, 1 core (numpy, 1 thread)", ours: sweepSeconds, theirs: referenceOneThread["sweep_run_iteration_seconds"] as? Double, goal: "≥ 10×")
row("sweep per run-iteration, \(cores) cores (numpy, \(numpyThreads) threads)", ours: sweepAllCoresSeconds, theirs: reference["sweep_run_iteration_seconds"] as? Double, goal: "≥ 10×")
print(String(format: "  the sweep's products with P alone: %.1f Gflop/s on 1 core (dgemm peak %.1f), %.1f on %d (peak %.1f)",
             sweepFlops / sweepSeconds / 1e9, peakOneCore / 1e9, sweepFlops / sweepAllCoresSeconds / 1e9, cores, peakAllCores / 1e9))
if let numpySweep = reference["sweep_run_iteration_seconds"] as? Double {
    print(String(format: "  10× numpy's %.1f µs would need %.1f Gflop/s from those products alone", numpySweep * 1e6, sweepFlops / (numpySweep / 10) / 1e9))
}
let cvx = reference["cvxpy_seconds"] as? Double
row("min nuclear norm, n=50 m=300 (cvxpy \((reference["cvxpy_solver"] as? String) ?? "not installed"))", ours: sdpSeconds, theirs: cvx, goal: "≥ 5×")
print(String(format: "our SDP's certified relative gap: %.2e", sdpGap))
if cvx == nil { print("cvxpy is not installed: `pip install cvxpy` to compare the SDP") }
let scipyFlow = reference["flow_seconds"] as? Double
row("gradient flow 3×3 to T=100, rtol 1e-10 (scipy RK45)", ours: flowSeconds, theirs: scipyFlow, goal: "≥ 20×")
print(String(format: "  right-hand sides: ours %d, scipy %d; ‖X_T‖_*: ours %.10f, scipy %.10f",
             flowResult?.evaluations ?? 0, reference["flow_evaluations"] as? Int ?? 0,
             (try? flowResult?.x.nuclearNorm()) ?? .nan, reference["flow_nuclear_norm"] as? Double ?? .nan))
let stiffReference = reference["stiff_flows"] as? [String: [String: [String: Any]]] ?? [:]
print("the flow to stationarity (‖r‖/‖y‖ ≤ 1e-8, t‖Ẋ‖/‖X‖ ≤ 1e-6, t ≤ 1e10), rtol 1e-10; ratio = scipy's seconds / ours (best of ours), wall and CPU (goal ≥ 10×)")
for (index, instance) in stationaryInstances.enumerated() {
    let runs = stationaryRuns.filter { $0.instance == instance.name }
    let references = stiffReference[index == 0 ? "3x3" : "n20"] ?? [:]
    print("  \(instance.name)")
    for run in runs {
        let r = run.result
        print(String(format: "    ours %-15@ %-11@ t %9.3g  steps %6d  F %7d  J %5d  rel. residual %8.2e  ‖X‖_* %.12f  %8.3f s (CPU %.3f s)",
                     run.integrator.rawValue as NSString, r.status.rawValue as NSString, r.time, r.steps, r.evaluations, r.jacobians,
                     r.relativeResidual, (try? r.x.nuclearNorm()) ?? .nan, run.seconds, run.cpuSeconds))
    }
    let best = runs.filter { $0.result.status == .solved }.map(\.seconds).min()
    let bestCPU = runs.filter { $0.result.status == .solved }.map(\.cpuSeconds).min()
    for method in ["LSODA", "Radau"] {
        guard let ref = references[method], let wall = ref["seconds"] as? Double else {
            print("    scipy \(method): not run (" + (references.isEmpty ? "`pip install scipy`" : "BENCH_RADAU=1 runs it: more than 25 min") + ")")
            continue
        }
        let ratio = best.map { String(format: "%.1f×", wall / $0) } ?? "—"
        let cpu = ref["cpu_seconds"] as? Double ?? .nan
        let cpuRatio = bestCPU.map { String(format: "%.1f×", cpu / $0) } ?? "—"
        print(String(format: "    scipy %-14@ %-11@ t %9.3g  steps %6d  F %7d  J %5d  rel. residual %8.2e  ‖X‖_* %.12f  %8.3f s (CPU %.3f s)   ratio %@ (CPU %@)",
                     method as NSString, ((ref["success"] as? Bool) == true ? "ok" : "failed") as NSString, ref["time"] as? Double ?? .nan,
                     ref["steps"] as? Int ?? 0, ref["evaluations"] as? Int ?? 0, ref["jacobians"] as? Int ?? 0,
                     ref["relative_residual"] as? Double ?? .nan, ref["nuclear_norm"] as? Double ?? .nan, wall, cpu, ratio as NSString, cpuRatio as NSString))
    }
}
if let movieLensSeconds {
    row("MovieLens GD iteration, d=943 (numpy+scipy.sparse)", ours: movieLensSeconds, theirs: reference["movielens_iteration_seconds"] as? Double, goal: "GD to 1e-2 ≤ 5 min")
} else {
    print("MovieLens-100k not found (data/ml-100k or MOVIELENS_DIR): its GD iteration is not timed")
}
print(String(format: "exhaustive search (Figure 4): %.1f s for %d sampled instances on %d cores → all 150,000 in %.1f min (goal ≤ 10 min)",
             sampleSeconds, ExhaustiveSearch.instanceCount / sampleStride, ProcessInfo.processInfo.activeProcessorCount, projectedMinutes))
for (what, wall, detail) in movieLensRuns {
    let goal = what.hasPrefix("GD") ? "≤ 5 min" : "≤ 10 min"
    print("MovieLens \(what): " + String(format: "%.1f s = %.1f min", wall, wall / 60) + " (goal \(goal); \(detail))")
}
