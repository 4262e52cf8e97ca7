import Foundation

/// Figure 1's experiment in one call: for each setting (a), (b), (c) of ``PaperSetting``, the sensing
/// problem of seed 0, the references (X_gd and the certified minimum nuclear norm), every run of the
/// sweep over the profile's widths and seeds, and every run taken to its limit
/// (``limits(of:references:options:progress:)``), in units of one setting at one width
/// (``unit(rank:references:options:runEnded:limitEnded:)``) on threads or a Slurm job array.
/// Figure 2 draws the same runs' nuclear norms.
extension FactorizationSweep {
    /// One setting's sweep: every run's end, the same run taken to its limit (same order), and the
    /// references. Codable, so that a notebook restores it rather than running it again.
    public struct Outcome: Sendable, Codable {
        public var setting: PaperSetting
        public var points: [Point]
        public var limits: [Limit]
        public var references: References

        public init(setting: PaperSetting, points: [Point], limits: [Limit], references: References) {
            precondition(points.count == limits.count, "one limit per run")
            (self.setting, self.points, self.limits, self.references) = (setting, points, limits, references)
        }

        /// The run ended by gradient descent and its limit, of one curve at the widths `ranks` admits.
        public func runs(_ curve: Curve, ranks: (Int) -> Bool = { _ in true }) -> [(point: Point, limit: Limit)] {
            zip(points, limits).filter { $0.0.curve == curve && ranks($0.0.rank) }.map { (point: $0.0, limit: $0.1) }
        }

        /// One line for the notebook's log: X_gd's error, the minimum with its status and gap, how many runs
        /// met the iteration cap and how many limits are stationary; `format(x, digits)` writes a number.
        public func summary(_ format: (Double, Int) -> String) -> String {
            "\(setting.title): X_gd error \(format(references.xgdReconstructionError, 3)), minimum nuclear norm "
                + "\(format(references.minimumNuclearNorm, 7)) (\(references.minimumStatus.rawValue): certified gap "
                + "\(format(references.minimumDualityGap, 2))); \(points.filter { $0.status == .iterationLimit }.count) of "
                + "\(points.count) runs stopped by the cap; taken to their limit, \(limits.filter { $0.status == .solved }.count) stationary"
        }
    }

    /// Figure 1's sweep on the three settings under `profile`, on `executor`. This process computes each
    /// setting's references (X_gd and the certified minimum nuclear norm); then the units — a setting at
    /// one width d (``unit(rank:references:options:runEnded:limitEnded:)``) — run on `executor`:
    ///
    /// - `.threads(n)`: n threads of this process take the units, the widest first (the costliest);
    /// - `.slurm(options)`: the units still to compute are the tasks of one job array whose worker is
    ///   `options.worker` (the notebook's own program), given a ``WorkerPlan`` in `folder/slurm/plan.json`;
    ///   each task writes its unit's file and this process reads it back.
    ///
    /// With a `folder` (required for Slurm; the run holds its ``FolderLock`` throughout), each unit's
    /// result is written to `folder/units/` as it ends and a later run reads the sound ones back (a damaged file, or one keyed otherwise, is
    /// reported through `notice` and computed again). The units and their bits do not depend on the
    /// executor or the core count. `progress(done, total)` and `limitProgress(done, total)` hear the
    /// distinct runs ended by gradient descent and continued to their limit, summed over the settings
    /// (a Slurm run hears them a unit at a time); `settingDone` is called with each setting's outcome.
    public static func figure(
        _ profile: FigureProfile, executor: WorkExecutor = .local, folder: URL? = nil, codeDigest: String = "",
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        limitProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        notice: @escaping @Sendable (String) -> Void = { StandardError.write($0 + "\n") },
        settingDone: (Outcome) -> Void = { _ in }
    ) throws -> FigureSummary {
        let sweeps = try PaperSetting.allCases.map { try figureSweep($0, profile: profile) }
        let references = try sweeps.map { try $0.references() }
        let units = PaperSetting.allCases.indices.flatMap { s in profile.ranks.map { (setting: s, rank: $0) } }
        let perUnit = sweeps[0].runsPerUnit
        let keys = units.map { sweeps[$0.setting].unitKey(rank: $0.rank, references: references[$0.setting], codeDigest: codeDigest) }
        @Sendable func file(_ k: Int) -> URL? {
            folder.map { unitFile(setting: PaperSetting.allCases[units[k].setting], rank: units[k].rank, folder: $0) }
        }
        func read(_ k: Int) -> Result<UnitResult, ExhaustiveSearch.ChunkDamage>? {
            guard let file = file(k), FileManager.default.fileExists(atPath: file.path) else { return nil }
            return readUnit(file, setting: PaperSetting.allCases[units[k].setting], rank: units[k].rank, key: keys[k], count: sweeps[0].curves.count * profile.seeds.count)
        }
        // One run per folder (its ``FolderLock``; a second one throws ``FolderLock/Busy`` at once).
        var lock: FolderLock?
        defer { withExtendedLifetime(lock) {} }
        if let folder {
            try ExhaustiveSearch.makeFolder(folder.path)
            lock = try FolderLock(folder: folder)
            try ExhaustiveSearch.makeFolder(folder.appendingPathComponent("units").path)
            AtomicFile.removeAbandonedTemporaries(in: folder.appendingPathComponent("units"))
        }
        var results: [Int: UnitResult] = [:]
        var pending: [Int] = []
        for k in units.indices {
            switch read(k) {
            case let .success(unit)?: results[k] = unit
            case let .failure(damage)?:
                notice("figure 1: \(file(k)!.path): \(damage.reason); computing it again")
                pending.append(k)
            case nil: pending.append(k)
            }
        }
        let total = units.count * perUnit
        let runsDone = Counter(results.count * perUnit), limitsDone = Counter(results.count * perUnit)
        progress(runsDone.value, total)
        limitProgress(limitsDone.value, total)
        switch executor {
        case let .threads(workers):
            // The widest first: the costliest units start early, so that the workers finish together.
            let queue = pending.sorted { (units[$0].rank, $1) > (units[$1].rank, $0) }
            let computed = ConcurrentWork.map(queue, workers: workers) { k -> Result<UnitResult, Error> in
                Result {
                    let (s, d) = units[k]
                    let (points, limits) = try sweeps[s].unit(
                        rank: d, references: references[s],
                        runEnded: { progress(runsDone.increment(), total) }, limitEnded: { limitProgress(limitsDone.increment(), total) })
                    let unit = UnitResult(key: keys[k], setting: PaperSetting.allCases[s], rank: d, points: points, limits: limits)
                    if let file = file(k) { try writeUnit(unit, to: file) }
                    return unit
                }
            }
            for (k, result) in zip(queue, computed) { results[k] = try result.get() }
        case let .slurm(options):
            guard let folder else { throw SlurmArray.Failure.invalidOptions("a Slurm run of Figure 1 needs a state folder for its units") }
            guard let program = options.worker.first else { throw SlurmArray.Failure.invalidOptions("no worker program") }
            guard !pending.isEmpty else { break }
            let array = SlurmArray(options: options, folder: folder)
            try ExhaustiveSearch.makeFolder(array.slurmFolder.path)
            let planFile = array.slurmFolder.appendingPathComponent("plan.json")
            let plan = WorkerPlan(
                profile: profile, references: references, folder: folder.path, codeDigest: codeDigest,
                programDigest: try WorkerPlanDispatch.digest(ofProgram: program),
                tasks: pending.map { .init(setting: PaperSetting.allCases[units[$0].setting], rank: units[$0].rank, key: keys[$0]) })
            try AtomicFile.write(try WorkerPlanDispatch.encoded(plan), to: planFile)
            var withPlan = options
            withPlan.worker += [planFile.path, "--task"]
            let already = results.count
            _ = try SlurmArray(options: withPlan, folder: folder).run(
                units: pending.count,
                isFinished: { task in
                    let k = pending[task]
                    guard results[k] == nil else { return true }
                    guard case let .success(unit)? = read(k) else { return false }
                    results[k] = unit
                    return true
                },
                unitName: { task in "unit \(PaperSetting.allCases[units[pending[task]].setting].rawValue), d = \(units[pending[task]].rank) (\(file(pending[task])!.lastPathComponent))" },
                progress: { finished in
                    progress((already + finished) * perUnit, total)
                    limitProgress((already + finished) * perUnit, total)
                })
        }
        var outcomes: [Outcome] = []
        for (s, setting) in PaperSetting.allCases.enumerated() {
            let byRank = Dictionary(uniqueKeysWithValues: units.indices.filter { units[$0].setting == s }.map { (units[$0].rank, results[$0]!) })
            var points: [Point] = [], limits: [Limit] = []
            for c in sweeps[s].curves.indices {
                for d in profile.ranks {
                    let unit = byRank[d]!
                    let range = (c * profile.seeds.count)..<((c + 1) * profile.seeds.count)
                    points += unit.points[range]
                    limits += unit.limits[range]
                }
            }
            outcomes.append(Outcome(setting: setting, points: points, limits: limits, references: references[s]))
            settingDone(outcomes.last!)
        }
        return FigureSummary(outcomes: outcomes, profile: profile)
    }
}
