import Foundation

/// Figure 1's experiment in one call: for each setting (a), (b), (c) of ``PaperSetting``, the sensing
/// problem of seed 0, the references (X_gd and the certified minimum nuclear norm), every run of the
/// sweep over the profile's widths and seeds, and every run taken to its limit
/// (``limits(of:references:options:progress:)``). Figure 2 draws the same runs' nuclear norms.
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

    /// How many runs the figure's sweep reports (the SVD initialisation counted under every seed) and how
    /// many distinct limits it computes (the SVD initialisation once per d), for a progress report.
    public static func figureRunCount(_ profile: FigureProfile) -> (runs: Int, limits: Int) {
        let widths = PaperSetting.allCases.count * profile.ranks.count
        return (widths * Curve.allCases.count * profile.seeds.count, widths * ((Curve.allCases.count - 1) * profile.seeds.count + 1))
    }

    /// Figure 1's sweep on the three settings under `profile`. `runsEnded(k)` is called as k runs end
    /// (from worker threads; the SVD initialisation's repeats under the other seeds are counted when the
    /// setting's runs are done), `limitEnded(1)` as each distinct limit is found, `settingDone` after each setting.
    public static func figure(
        _ profile: FigureProfile, runsEnded: @escaping @Sendable (Int) -> Void = { _ in },
        limitEnded: @escaping @Sendable (Int) -> Void = { _ in }, settingDone: (Outcome) -> Void = { _ in }
    ) throws -> FigureSummary {
        var outcomes: [Outcome] = []
        for setting in PaperSetting.allCases {
            let sweep = FactorizationSweep(problem: try setting.problem(.sensing, seed: 0), ranks: profile.ranks, seeds: profile.seeds, stopping: profile.stopping)
            let references = try sweep.references()
            let points = try sweep.run(references: references) { _, _ in runsEnded(1) }
            runsEnded(profile.ranks.count * (profile.seeds.count - 1))
            let limits = try sweep.limits(of: points, references: references) { _, _ in limitEnded(1) }
            outcomes.append(Outcome(setting: setting, points: points, limits: limits, references: references))
            settingDone(outcomes.last!)
        }
        return FigureSummary(outcomes: outcomes, profile: profile)
    }
}
