import Foundation

/// What Figure 1's statements read from the three settings' sweeps, and the thresholds they are judged by.
///
/// - **Good reconstruction** ((a), (b), the paper's "even when d ≫ m/n, indeed even for d = n"): over the
///   widths d > m/n (= 6, where the problem is underdetermined), the small initialisation's and the line
///   search's limits are within ``reconstructionAllowance`` (a tenth) of X_gd's error of the minimum nuclear
///   norm solution's own error — the best the nuclear-norm bias can give (0 in (a); not in (b), whose X* is not
///   low rank); X_gd, the unbiased global minimum, is the paper's contrast.
/// - **Fits the data**: relative training error at most the profile's stopping tolerance (1e-6), the paper's
///   "zero". A PSD matrix of rank d has `n·d − d(d−1)/2` parameters; below m = 300 it cannot fit generic data,
///   so in (b), whose X* is not low rank, the small d cannot.
/// - **Not reconstructed** ((c)): an error above ``unreconstructedError`` (0.5, half of ‖X*‖_F).
/// - **A bad global minimum** (the SVD initialisation in (a), 6 < d ≤ n/2): it fits the data and is at least
///   ``badMinimumFactor`` (10) times further from X* than the small initialisation's limits.
extension FactorizationSweep {
    public struct FigureSummary: Sendable, Codable {
        public var outcomes: [Outcome]
        public var profile: FigureProfile
        /// A good reconstruction is within this fraction of X_gd's error of the minimum nuclear norm solution's.
        public var reconstructionAllowance = 0.1
        /// An error above this (a fraction of ‖X*‖_F = 1) is not a reconstruction.
        public var unreconstructedError = 0.5
        /// A bad global minimum is at least this many times further from X* than the small initialisation's.
        public var badMinimumFactor = 10.0

        public init(outcomes: [Outcome], profile: FigureProfile) {
            self.outcomes = outcomes
            self.profile = profile
        }

        /// The relative training error that counts as fitting the data: the stopping rule's target.
        public var tolerance: Double { profile.stopping.tolerance }
        /// n, the widest d.
        public var dimension: Int { PaperSetting.dimension }

        public func outcome(_ setting: PaperSetting) -> Outcome {
            guard let outcome = outcomes.first(where: { $0.setting == setting }) else { preconditionFailure("no sweep of setting (\(setting.rawValue))") }
            return outcome
        }

        /// m/n of a setting: beyond it a rank-d factor has more parameters than the measurements.
        public func measurementsPerRow(_ setting: PaperSetting) -> Int { setting.measurementCount / PaperSetting.dimension }

        // MARK: statuses

        public var runCount: Int { outcomes.map(\.points.count).reduce(0, +) }
        /// The runs gradient descent ended at the iteration cap.
        public var cappedRuns: Int { outcomes.map { $0.points.filter { $0.status == .iterationLimit }.count }.reduce(0, +) }
        public var limitCount: Int { outcomes.map(\.limits.count).reduce(0, +) }
        /// The limits the flow found stationary (`.solved`).
        public var stationaryLimits: Int { outcomes.map { $0.limits.filter { $0.status == .solved }.count }.reduce(0, +) }
        public var everyLimitStationary: Bool { stationaryLimits == limitCount }
        /// The CPU seconds of the continuations to the limit, each distinct run once (the SVD initialisation,
        /// repeated under every seed, counted under the first).
        public var limitCPUSeconds: Double {
            outcomes.flatMap(\.limits).filter { $0.curve != .svdInitialization || $0.seed == profile.seeds[0] }.map(\.cpuSeconds).reduce(0, +)
        }

        // MARK: the statements

        /// Good reconstruction in one setting (see the type's documentation): the largest error at the limit of
        /// the small initialisation and the line search over d > m/n (`worst`) and over 2 ≤ d ≤ m/n (`narrow`),
        /// against `bar` = the minimum's error + X_gd's × ``reconstructionAllowance``.
        public struct Reconstruction: Sendable, Codable {
            public var worst: Double
            public var narrow: Double
            public var bar: Double
            public var xgd: Double
            /// The minimum nuclear norm solution's error.
            public var best: Double
            public var holds: Bool { worst <= bar }
        }

        /// The small initialisation's and the line search's runs with d ≥ 2.
        func biasedRuns(_ setting: PaperSetting) -> [(point: Point, limit: Limit)] {
            let runs = self.outcome(setting)
            return runs.runs(.smallInitialization) { $0 >= 2 } + runs.runs(.lineSearch) { $0 >= 2 }
        }

        public func reconstruction(_ setting: PaperSetting) -> Reconstruction {
            let references = outcome(setting).references
            let runs = biasedRuns(setting), mOverN = measurementsPerRow(setting)
            return Reconstruction(
                worst: runs.filter { $0.point.rank > mOverN }.map(\.limit.reconstructionError).max() ?? .nan,
                narrow: runs.filter { $0.point.rank <= mOverN }.map(\.limit.reconstructionError).max() ?? .nan,
                bar: references.minimumReconstructionError + references.xgdReconstructionError * reconstructionAllowance,
                xgd: references.xgdReconstructionError, best: references.minimumReconstructionError)
        }

        /// `n·d − d(d−1)/2`, the parameters of a rank-d PSD n × n matrix.
        public func parameterCount(rank d: Int) -> Int { dimension * d - d * (d - 1) / 2 }

        /// The limits of the small initialisation and the line search with d ≥ 2 that do not fit the data (every
        /// setting), and those of them in (b) whose rank has fewer parameters than the m measurements
        /// (`underparameterized`): their count, training errors, and the widest such d.
        public struct Unfitted: Sendable, Codable {
            public var count: Int
            public var training: ValueRange
            public var underparameterized: Int
            public var underparameterizedTraining: ValueRange
            public var widestUnderparameterized: Int?
            public var measurements: Int
            /// Every unfitted limit is explained by its parameter count.
            public var explained: Bool { underparameterized == count }

            /// What the runs show, for the finding: "every run with d ≥ 2 fits to 1e-6 at its limit", or how many do
            /// not, where, and their training errors; `format(x, digits)` writes a number.
            public func statement(tolerance: Double, _ format: (Double, Int) -> String) -> String {
                guard count > 0 else { return "every run with d ≥ 2 fits to \(format(tolerance, 1)) at its limit" }
                guard explained, let widest = widestUnderparameterized else {
                    return "\(count) runs with d ≥ 2 do not fit at their limit (training error up to \(format(training.high, 2)))"
                }
                return "\(count) runs with d ≥ 2 do not fit at their limit, all in (b) at d ≤ \(widest), where a rank-d PSD matrix has "
                    + "fewer parameters (n·d − d(d−1)/2) than the m = \(measurements) measurements; their training error "
                    + "\(format(underparameterizedTraining.low, 2))–\(format(underparameterizedTraining.high, 2))"
            }
        }

        public var unfitted: Unfitted {
            let unfitted = outcomes.flatMap { biasedRuns($0.setting).map(\.limit).filter { $0.relativeResidual > tolerance } }
            let m = PaperSetting.b.measurementCount
            let under = biasedRuns(.b).map(\.limit).filter { $0.relativeResidual > tolerance && parameterCount(rank: $0.rank) < m }
            return Unfitted(count: unfitted.count, training: ValueRange(unfitted.map(\.relativeResidual)), underparameterized: under.count,
                            underparameterizedTraining: ValueRange(under.map(\.relativeResidual)), widestUnderparameterized: under.map(\.rank).max(),
                            measurements: m)
        }

        /// The smallest error at the limit in (c), over every curve with d ≥ 2.
        public var smallestErrorInC: Double {
            outcome(.c).limits.filter { $0.rank >= 2 }.map(\.reconstructionError).min() ?? .nan
        }

        /// Every limit in (c) with d ≥ 2 is further than ``unreconstructedError`` from X*.
        public var nothingReconstructsInC: Bool { smallestErrorInC > unreconstructedError }

        /// The SVD initialisation in (a) over m/n < d ≤ n/2: the largest training error of its limits, their
        /// errors, and the smallest of them over the small initialisation's largest at the same d.
        public struct BadMinimum: Sendable, Codable {
            public var widest: Int
            public var training: ValueRange
            public var error: ValueRange
            public var ratio: Double
        }

        /// nil where the profile has no width in that range.
        public var badMinimum: BadMinimum? {
            let mOverN = measurementsPerRow(.a), widest = dimension / 2
            let svd = outcome(.a).runs(.svdInitialization) { $0 > mOverN && $0 <= widest }.map(\.limit)
            let small = outcome(.a).runs(.smallInitialization) { $0 > mOverN && $0 <= widest }.map(\.limit)
            guard !svd.isEmpty else { return nil }
            let error = ValueRange(svd.map(\.reconstructionError))
            return BadMinimum(widest: widest, training: ValueRange(svd.map(\.relativeResidual)), error: error,
                              ratio: error.low / (small.map(\.reconstructionError).max() ?? .nan))
        }

        public func badMinimumHolds(_ bad: BadMinimum) -> Bool { bad.training.high <= tolerance && bad.ratio >= badMinimumFactor }

        /// In (a) at d = n: the smallest error at the limit from ‖U0‖ = 1 and the largest from ‖U0‖ = 1e-4.
        public var errorsAtFullWidth: (large: Double, small: Double) {
            let a = outcome(.a)
            return (a.runs(.largeInitialization) { $0 == dimension }.map(\.limit.reconstructionError).min() ?? .nan,
                    a.runs(.smallInitialization) { $0 == dimension }.map(\.limit.reconstructionError).max() ?? .nan)
        }

        /// (b)'s runs from ‖U0‖ = 1e-4 with d ≥ 2 as the iteration cap left them: training errors and nuclear norms.
        public var cappedInB: (training: ValueRange, nuclear: ValueRange) {
            let capped = outcome(.b).runs(.smallInitialization) { $0 >= 2 }.map(\.point)
            return (ValueRange(capped.map(\.relativeResidual)), ValueRange(capped.map(\.nuclearNorm)))
        }

        // MARK: tables

        /// Table `references`: one row per setting.
        public var referenceRows: [ReferenceRow] { outcomes.map { ReferenceRow(setting: $0.setting, references: $0.references) } }
        /// Table `runs`: every run of every setting.
        public var runRows: [RunRow] { outcomes.flatMap(\.runRows) }

        // MARK: checks

        /// Every minimum nuclear norm certified and every X_gd fitted (both `.solved`).
        public var referencesSolved: Bool {
            outcomes.allSatisfy { $0.references.minimumStatus == .solved && $0.references.xgdStatus == .solved }
        }

        /// (b) at d = n: the limits from ‖U0‖ = 1e-4 fit the data and lie at or above the certified minimum,
        /// `‖X‖_* ≥ min · (1 − |gap|)`.
        public var fullWidthOnOrAboveMinimumInB: Bool {
            let b = outcome(.b)
            let floor = b.references.minimumNuclearNorm * (1 - abs(b.references.minimumDualityGap))
            return b.runs(.smallInitialization) { $0 == dimension }.allSatisfy { $0.limit.relativeResidual <= tolerance && $0.limit.nuclearNorm >= floor }
        }
    }

    /// The smallest and the largest of some values (NaN for none).
    public struct ValueRange: Sendable, Codable, Equatable {
        public var low: Double
        public var high: Double

        public init(_ values: [Double]) {
            low = values.min() ?? .nan
            high = values.max() ?? .nan
        }
    }
}
