/// How much of each figure to compute: the paper's full grids, or the quick profile of
/// `make figures QUICK=1` (CI and a first look). The notebooks and the science tests read the
/// same profile, so the tests check what the quick reports show.
///
/// | | full | quick |
/// |---|---|---|
/// | d grid (Figures 1, 2) | SPEC's 14 values, 1…50 | 1, 2, 50 |
/// | seeds of U0 | 1, 2, 3 | 1 |
/// | iteration cap (GD and X_gd) | 50,000 | 25,000 |
/// | time-ordered exponential's horizon (Figure 3) | t = 2000 | t = 200 |
/// | MovieLens GD (Figure 3 iv) | to training error 1e-2, at most 20,000 iterations | 300 iterations |
/// | MovieLens minimum nuclear norm (Figure 3 iv) | to a certified relative gap of 1e-4 | not run |
/// | Figure 4 | all 150,000 instances | every 101st (a stride prime to 10, so that every digit of |
/// | | | the value grid is sampled; every 100th would fix two observed values at −1) |
///
/// The stopping rule is the SPEC's (relative training error 1e-6); the cap is ours. With
/// d > r and η = 1e-3 the last digits come sublinearly: from 30,000 to 60,000 iterations the
/// reconstruction error of setting (a) at d = 50 only goes from 2.9e-3 to 2.2e-3, so the cap
/// moves no curve visibly; each run's status is in the TSVs.
public struct FigureProfile: Sendable, Codable {
    public var quick: Bool
    public var ranks: [Int]
    public var seeds: [UInt64]
    public var stopping: StoppingRule
    /// Figure 4 computes every K-th instance.
    public var exhaustiveSubsample: Int

    public static let full = FigureProfile(
        quick: false, ranks: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50], seeds: [1, 2, 3],
        stopping: StoppingRule(tolerance: 1e-6, maxIterations: 50_000), exhaustiveSubsample: 1)

    public static let quick = FigureProfile(
        quick: true, ranks: [1, 2, 50], seeds: [1],
        stopping: StoppingRule(tolerance: 1e-6, maxIterations: 25_000), exhaustiveSubsample: 101)

    public init(quick: Bool, ranks: [Int], seeds: [UInt64], stopping: StoppingRule, exhaustiveSubsample: Int) {
        self.quick = quick
        self.ranks = ranks
        self.seeds = seeds
        self.stopping = stopping
        self.exhaustiveSubsample = exhaustiveSubsample
    }

    /// The quick profile when `quick` (a notebook's `quick` parameter), else the full one.
    public init(quick: Bool) {
        self = quick ? .quick : .full
    }

    /// The time-ordered exponential's time limit in Figure 3 (sensing units; ×N/m for completion):
    /// far beyond gradient descent's, η × 50,000 = 50. The flow has none but its stationarity.
    public var exponentialHorizon: Double { quick ? 200 : 2000 }

    /// Gradient descent's iteration cap on MovieLens (Figure 3 iv).
    public var movieLensIterations: Int { quick ? 300 : 20_000 }

    /// Whether Figure 3 (iv) solves the minimum nuclear norm completion (the costliest part of its report).
    public var movieLensMinimum: Bool { !quick }

    /// The line every report prints under its title.
    public var banner: String {
        quick
            ? "QUICK PROFILE (make figures QUICK=1): d ∈ \(ranks), \(seeds.count) seed, at most \(stopping.maxIterations) iterations, Figure 4 on one instance in \(exhaustiveSubsample). Not the paper's grids."
            : "Full profile: d ∈ \(ranks), seeds \(seeds), at most \(stopping.maxIterations) iterations, every instance of Figure 4."
    }
}
