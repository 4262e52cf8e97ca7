import Foundation
import LinearAlgebra

/// Figure 1's work cut into units that depend on the profile, never on the machine: a unit is one
/// setting's runs at one width d — every (curve, seed), the SVD initialisation once — run by gradient
/// descent as one batch (``BatchedGradientDescent``, whose shared products make a run's last bits depend on
/// which runs share its batch), then each distinct run continued to its limit, in order. The same unit
/// gives the same bits on threads of this process and as a Slurm task, whatever the core count.
///
/// A unit's result is a JSON file written atomically into the run's folder (`units/unit-S-dD.json`),
/// keyed by everything it is a function of (``unitKey(rank:references:options:codeDigest:)``): a
/// second run reads back the sound files and computes only the others.
extension FactorizationSweep {
    /// One unit's result: the points and limits of every (curve, seed) at width `rank`, curves in the
    /// sweep's order and the seeds within each (the SVD initialisation repeated under every seed).
    public struct UnitResult: Codable, Sendable {
        public static let format = "factorization-sweep unit 1"
        public var format = Self.format
        public var key: String
        public var setting: PaperSetting
        public var rank: Int
        public var points: [Point]
        public var limits: [Limit]

        public init(key: String, setting: PaperSetting, rank: Int, points: [Point], limits: [Limit]) {
            (self.key, self.setting, self.rank, self.points, self.limits) = (key, setting, rank, points, limits)
        }
    }

    /// Figure 1's sweep of `setting` under `profile`: the sensing problem of seed 0, the profile's widths,
    /// seeds and stopping rule, every curve.
    public static func figureSweep(_ setting: PaperSetting, profile: FigureProfile) throws -> FactorizationSweep {
        FactorizationSweep(problem: try setting.problem(.sensing, seed: 0), ranks: profile.ranks, seeds: profile.seeds, stopping: profile.stopping)
    }

    /// The distinct descents at the widths `ranks`: for each curve, each d and each seed (the SVD
    /// initialisation at the first seed only), its starting factor and step policy.
    func descentJobs(ranks: [Int], references: References) throws -> [(curve: Curve, rank: Int, seed: UInt64, run: BatchedGradientDescent.Run)] {
        var jobs: [(curve: Curve, rank: Int, seed: UInt64, run: BatchedGradientDescent.Run)] = []
        for curve in curves {
            for d in ranks {
                for seed in (curve == .svdInitialization ? [seeds[0]] : seeds) {
                    let u0 = curve == .svdInitialization
                        ? try FactorInitialization.spectral(of: references.xgd, rank: d)
                        : FactorInitialization.gaussian(
                            dimension: problem.dimension, rank: d, norm: curve == .largeInitialization ? 1 : 1e-4, seed: seed)
                    let policy: StepPolicy = curve == .lineSearch ? .exactLineSearch(maxStep: maxLineSearchStep) : .fixed(step)
                    jobs.append((curve, d, seed, .init(initialFactor: u0, policy: policy)))
                }
            }
        }
        return jobs
    }

    /// A run's end as a ``Point``.
    func point(curve: Curve, rank: Int, seed: UInt64, result: DescentResult) throws -> Point {
        Point(
            curve: curve, rank: rank, seed: seed, reconstructionError: problem.reconstructionError(result.x)!,
            relativeResidual: result.relativeResidual, nuclearNorm: try result.nuclearNorm(),
            iterations: result.iterations, status: result.status, factor: result.factor?.elements, time: result.elapsedTime)
    }

    /// The distinct runs a unit computes: `(curves − 1)·seeds + 1` with the SVD initialisation, else `curves·seeds`.
    public var runsPerUnit: Int { curves.map { $0 == .svdInitialization ? 1 : seeds.count }.reduce(0, +) }

    /// Unit `rank` on the calling thread: gradient descent on its distinct runs as one batch, then each
    /// run's limit (``limit(of:problem:minimum:options:)``), in the order of ``descentJobs(ranks:references:)``;
    /// `runEnded()` and `limitEnded()` are called as each ends. The result lists every (curve, seed).
    public func unit(
        rank d: Int, references: References, options: LimitOptions = .standard,
        runEnded: @escaping @Sendable () -> Void = {}, limitEnded: @escaping @Sendable () -> Void = {}
    ) throws -> (points: [Point], limits: [Limit]) {
        let jobs = try descentJobs(ranks: [d], references: references)
        let results = BatchedGradientDescent(problem: problem, stopping: stopping).run(jobs.map(\.run), onStop: { _ in runEnded() })
        let distinct = try zip(jobs, results).map { job, result in try point(curve: job.curve, rank: d, seed: job.seed, result: result) }
        let limits = distinct.map { point -> Limit in
            defer { limitEnded() }
            return Self.limit(of: point, problem: problem, minimum: references.minimumNuclearNorm, options: options.flow)
        }
        var unitPoints: [Point] = [], unitLimits: [Limit] = []
        for curve in curves {
            for seed in seeds {
                let k = jobs.firstIndex { $0.curve == curve && (curve == .svdInitialization || $0.seed == seed) }!
                var (point, limit) = (distinct[k], limits[k])
                (point.seed, limit.seed) = (seed, seed)
                unitPoints.append(point)
                unitLimits.append(limit)
            }
        }
        return (unitPoints, unitLimits)
    }

    /// What unit `rank`'s file is keyed by: the unit's format, `codeDigest` (the library's digest), the
    /// problem (a checksum of its observations), the width, seeds, curves, stopping rule, steps, the
    /// limit's flow options, and the references the unit reads (X_gd and the minimum nuclear norm, bit for bit).
    public func unitKey(rank d: Int, references: References, options: LimitOptions = .standard, codeDigest: String) -> String {
        let bits = (problem.observations + references.xgd.elements + [references.minimumNuclearNorm]).map(\.bitPattern)
        let text = "\(UnitResult.format)|\(codeDigest)|n\(problem.dimension) m\(problem.count)|\(ExhaustiveSearch.checksum(bits.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) }))|d\(d)|\(seeds)|\(curves.map(\.rawValue))|\(stopping)|\(step)|\(maxLineSearchStep)|\(options.flow)"
        return String(ExhaustiveSearch.checksum(Array(text.utf8)), radix: 16)
    }

    /// Unit (`setting`, d)'s file in the run's folder `folder`.
    public static func unitFile(setting: PaperSetting, rank d: Int, folder: URL) -> URL {
        folder.appendingPathComponent("units", isDirectory: true).appendingPathComponent("unit-\(setting.rawValue)-d\(d).json")
    }

    /// Figure 1's run folder (`sweep-quick-DIGEST` or `sweep-full-DIGEST`) in a notebook's state folder.
    public static func figureFolder(in stateFolder: URL, profile: FigureProfile, codeDigest: String) -> URL {
        ExhaustiveSearch.runFolder("sweep", in: stateFolder, profile: profile, codeDigest: codeDigest)
    }

    /// Figure 1's sweep (``figure(_:executor:folder:codeDigest:progress:limitProgress:notice:settingDone:)``) with its
    /// units in ``figureFolder(in:profile:codeDigest:)`` of the notebook's state folder `stateFolder`.
    public static func figure(
        _ profile: FigureProfile, in stateFolder: URL, codeDigest: String, executor: WorkExecutor = .local,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        limitProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        settingDone: (Outcome) -> Void = { _ in }
    ) throws -> FigureSummary {
        try figure(profile, executor: executor, folder: figureFolder(in: stateFolder, profile: profile, codeDigest: codeDigest),
                   codeDigest: codeDigest, progress: progress, limitProgress: limitProgress, settingDone: settingDone)
    }

    /// Writes a unit's result to `file` atomically (JSON, keys sorted; NaN and infinities as strings).
    static func writeUnit(_ result: UnitResult, to file: URL) throws {
        try ExhaustiveSearch.makeFolder(file.deletingLastPathComponent().path)
        try AtomicFile.write(try WorkerPlanDispatch.encoded(result), to: file)
    }

    /// The unit result in `file` when it is sound for (`setting`, d) under `key` with `count` runs, else why not.
    static func readUnit(_ file: URL, setting: PaperSetting, rank d: Int, key: String, count: Int) -> Result<UnitResult, ExhaustiveSearch.ChunkDamage> {
        guard let data = try? Data(contentsOf: file) else { return .failure(.init(reason: "cannot be read")) }
        guard let unit = try? WorkerPlanDispatch.decoded(UnitResult.self, from: data) else {
            return .failure(.init(reason: "is not a unit result of this program (damaged or truncated)"))
        }
        guard unit.format == UnitResult.format, unit.key == key else {
            return .failure(.init(reason: "was computed by other code or for other inputs (key \(unit.key), expected \(key))"))
        }
        guard unit.setting == setting, unit.rank == d, unit.points.count == count, unit.limits.count == count else {
            return .failure(.init(reason: "holds another unit (setting \(unit.setting.rawValue), d = \(unit.rank), \(unit.points.count) runs)"))
        }
        return .success(unit)
    }
}
