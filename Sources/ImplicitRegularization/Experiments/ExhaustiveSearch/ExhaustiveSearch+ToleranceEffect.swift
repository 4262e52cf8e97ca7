import Foundation

extension ExhaustiveSearch {
    /// What the integrator's tolerance does to Δ: the flow from ᾱ = 1e-5 at rtol 1e-6 and at 1e-10
    /// (the search's) on a sample of instances, and the largest |Δ(1e-6) − Δ(1e-10)| over the feasible
    /// ones whose two flows both end `.solved`. Were Δ's gaps numerical error, loosening the
    /// integrator 10⁴-fold would move them.
    public struct ToleranceEffect: Sendable {
        /// The sample: every `stride`-th instance from index 7.
        public var sample: [Int]
        /// |Δ(rtol 1e-6) − Δ(rtol 1e-10)| per compared instance (feasible, both flows solved), in sample order.
        public var changes: [Double]
        /// How many instances were compared.
        public var compared: Int { changes.count }
        /// The largest change (NaN when none was compared).
        public var largestChange: Double { changes.max() ?? .nan }
    }

    /// The sample's stride: every 499th instance (301 of 150,000) on the full profile, every 4999th on the quick one.
    public static func toleranceSampleStride(profile: FigureProfile) -> Int { profile.quick ? 4999 : 499 }

    /// ``ToleranceEffect`` over `profile`'s sample (``toleranceSampleStride(profile:)``), on `workers` threads.
    public static func toleranceEffect(profile: FigureProfile, workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> ToleranceEffect {
        toleranceEffect(stride: toleranceSampleStride(profile: profile), workers: workers)
    }

    /// ``ToleranceEffect`` over every `stride`-th instance from 7, on `workers` threads.
    public static func toleranceEffect(stride step: Int, workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> ToleranceEffect {
        let sample = Array(stride(from: 7, to: instanceCount, by: step))
        var loose = ExhaustiveSearch(initNorms: [1e-5])
        loose.flow.relativeTolerance = 1e-6
        var tight = ExhaustiveSearch(initNorms: [1e-5])
        tight.flow.relativeTolerance = 1e-10
        let (looseSearch, tightSearch) = (loose, tight)
        let changes = ConcurrentWork.map(sample, workers: workers) { index -> Double? in
            let (a, b) = (looseSearch.solve(index), tightSearch.solve(index))
            return a.verdict == .feasible && a.statuses[0] == .solved && b.statuses[0] == .solved ? abs(a.deltas[0] - b.deltas[0]) : nil
        }.compactMap { $0 }
        return ToleranceEffect(sample: sample, changes: changes)
    }
}
