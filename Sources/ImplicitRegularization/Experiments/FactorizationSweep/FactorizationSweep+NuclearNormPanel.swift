/// Figure 2's statements, read from one setting's panel of Figure 1 (``FactorizationSweep/PanelRow``'s columns).
///
/// The excess of a nuclear norm over the certified minimum is `(‖X‖_* − min)/min`. Only an X that fits the data
/// (relative training error at most the stopping tolerance, 1e-6) is bounded below by the minimum over
/// `A(X) = y`, so the small initialisation's limits are compared at the d where their mean training error meets
/// it. A limit is **on the minimum** within ``overlap`` (1%: about a line's width on the paper's nuclear-norm
/// axes, 0.6 to 2.5); gradient descent shows **a bias toward low nuclear norm** where every such excess is below
/// ``biasFraction`` (half) of X_gd's, the unbiased global minimum's.
extension FactorizationSweep {
    public struct NuclearNormPanel: Sendable, Codable {
        public var setting: PaperSetting
        public var widths: [Int]
        public var minimum: Double
        /// X_gd's nuclear norm.
        public var xgd: Double
        /// `small_init_limit_nuclear`, `small_init_limit_training`: the small initialisation's limits (mean over the seeds).
        public var limits: [Double]
        public var limitTraining: [Double]
        /// `small_init_nuclear`: the same runs as the iteration cap left them.
        public var capped: [Double]
        /// `small_init_limit_unsolved` + `line_search_limit_unsolved` over the widths: runs short of their limit.
        public var unsolvedLimits: Int
        /// The relative training error that counts as fitting the data.
        public var tolerance: Double

        /// Within this fraction of the minimum, a nuclear norm is on it.
        public static let overlap = 1e-2
        /// A bias: an excess at most this fraction of X_gd's.
        public static let biasFraction = 0.5

        /// The panel from its columns, `column(name)` giving one column of Figure 1's `panel_<setting>` table.
        public init(_ setting: PaperSetting, tolerance: Double, column: (String) -> [Double]) {
            self.setting = setting
            self.tolerance = tolerance
            widths = column("d").map { Int($0) }
            minimum = column("min_nuclear")[0]
            xgd = column("xgd_nuclear")[0]
            limits = column("small_init_limit_nuclear")
            limitTraining = column("small_init_limit_training")
            capped = column("small_init_nuclear")
            unsolvedLimits = Int((column("small_init_limit_unsolved") + column("line_search_limit_unsolved")).reduce(0, +))
        }

        /// `(‖X‖_* − min)/min`.
        public func excess(_ nuclearNorm: Double) -> Double { (nuclearNorm - minimum) / minimum }

        public var xgdExcess: Double { excess(xgd) }

        /// The excess of the small initialisation's limits for d ≥ 2, in increasing d.
        public var limitExcess: [Double] { widths.indices.filter { widths[$0] >= 2 }.map { excess(limits[$0]) } }

        /// One line for the notebook's log: the minimum, the range of ``limitExcess`` and its value at d = n, X_gd's
        /// excess; `format(x, digits)` writes a number to significant digits, `percent(x, digits)` a percentage.
        public func summary(_ format: (Double, Int) -> String, _ percent: (Double, Int) -> String) -> String {
            let excess = limitExcess
            return "\(setting.title): minimum \(format(minimum, 7)); the limits from ‖U0‖ = 1e-4 are \(format(excess.min() ?? .nan, 3)) to "
                + "\(format(excess.max() ?? .nan, 3)) relative to it for d ≥ 2 (\(format(excess.last ?? .nan, 3)) at d = n); X_gd \(percent(xgdExcess, 0))"
        }

        /// The excess of the same runs at the iteration cap for d ≥ 2.
        public var cappedExcess: ValueRange { ValueRange(widths.indices.filter { widths[$0] >= 2 }.map { excess(capped[$0]) }) }

        /// The indices of the widths d ≥ 2 whose small-initialisation limits fit the data.
        var fitting: [Int] { widths.indices.filter { widths[$0] >= 2 && limitTraining[$0] <= tolerance } }

        /// The small initialisation's limits that fit the data: their excess over the minimum, the largest |excess|,
        /// and the smallest d that fits (0 where none does).
        public struct OnMinimum: Sendable, Codable {
            public var excess: ValueRange
            public var worst: Double
            public var from: Int
            public var holds: Bool { worst <= NuclearNormPanel.overlap }
        }

        public var onMinimum: OnMinimum {
            let excesses = fitting.map { excess(limits[$0]) }
            return OnMinimum(excess: ValueRange(excesses), worst: excesses.map(abs).max() ?? .nan, from: fitting.map { widths[$0] }.min() ?? 0)
        }

        /// For a report: where the small initialisation's limits fit the data, their excess over the minimum
        /// ("at the limit, L to H from the minimum for d ≥ D", saying when no rank-d X fits below D) and
        /// X_gd's, or that no d ≥ 2 fits. `relative(x)` writes a relative difference, `percent(x, digits)` a percentage.
        public func onMinimumStatement(_ relative: (Double) -> String, _ percent: (Double, Int) -> String) -> String {
            let on = onMinimum
            guard on.from > 0 else { return "no d ≥ 2 whose limits fit the data" }
            return "at the limit, \(relative(on.excess.low)) to \(relative(on.excess.high)) from the minimum for d ≥ \(on.from)"
                + (on.from > 2 ? " (below, no rank-d X fits the data)" : "") + " (X_gd: \(percent(xgdExcess, 0)) above it)"
        }

        /// No run of the small initialisation or the line search short of its limit.
        public var limitsStationary: Bool { unsolvedLimits == 0 }

        /// Every fitting limit's excess below ``biasFraction`` of X_gd's.
        public var biased: Bool { fitting.allSatisfy { excess(limits[$0]) < xgdExcess * Self.biasFraction } }
    }
}

extension [FactorizationSweep.NuclearNormPanel] {
    /// The largest excess of a fitting limit over the panels (NaN where none fits).
    public var highestExcess: Double { map(\.onMinimum.excess.high).filter { !$0.isNaN }.max() ?? .nan }
}
