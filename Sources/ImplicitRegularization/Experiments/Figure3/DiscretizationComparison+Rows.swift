import Foundation

/// Figure 3's tables as rows: one ``DiscretizationComparison/RunRow`` per problem (the table of runs),
/// one ``DiscretizationComparison/PanelRow`` per setting of an observation model (the log-scale panels).
/// Each stored property is a column, in order; statuses are their raw values.
extension DiscretizationComparison {
    /// Every number of one problem's runs: the flow's nuclear norm, training error, where it stopped and
    /// how (its stationarity reading, the test that ended it, the decade certificate's bound, steps,
    /// Jacobians, λ₃/λ₁ and status), the time-ordered exponential's, gradient descent's, X_gd's nuclear
    /// norm, and the minimum nuclear norm with its certified gap, status and exposed directions.
    public struct RunRow: Sendable, Codable, Equatable {
        public var observations: String, setting: String
        public var flow: Double, flowTrainingError: Double, flowTime: Double, flowStationarity: Double
        public var flowStationaryBy: String, flowRemainingBound: Double, flowSteps: Int, flowJacobians: Int
        public var flowLambda3OverLambda1: Double, flowStatus: String
        public var toe: Double, toeTrainingError: Double, toeStatus: String
        public var gd: Double, gdTrainingError: Double, gdStatus: String
        public var xgd: Double
        public var minNuclearNorm: Double, minDualityGap: Double, minStatus: String, minExposedDirections: Int

        public init(_ o: Outcome) {
            (observations, setting) = (o.observations.rawValue, o.setting.rawValue)
            (flow, flowTrainingError, flowTime, flowStationarity) = (o.flow, o.flowResidual, o.flowTime, o.flowStationarity)
            (flowStationaryBy, flowRemainingBound, flowSteps, flowJacobians) =
                (o.flowStationaryBy, o.flowRemainingBound, o.flowSteps, o.flowJacobians)
            (flowLambda3OverLambda1, flowStatus) = (o.flowBeyondRank, o.flowStatus.rawValue)
            (toe, toeTrainingError, toeStatus) = (o.toe, o.toeResidual, o.toeStatus.rawValue)
            (gd, gdTrainingError, gdStatus) = (o.gd, o.gdResidual, o.gdStatus.rawValue)
            xgd = o.xgd
            (minNuclearNorm, minDualityGap, minStatus, minExposedDirections) =
                (o.minimum, o.gap, o.minimumStatus.rawValue, o.minimumExposedDirections)
        }
    }

    /// The name of an observation model's panel table: `panel_sensing`, `panel_uniform_completion`, …
    public static func panelName(_ observations: PaperSetting.Observations) -> String {
        "panel_" + observations.rawValue.replacingOccurrences(of: "-", with: "_")
    }
}

extension DiscretizationComparison.Summary {
    /// The table of runs: a row per problem, in the outcomes' order.
    public var runRows: [DiscretizationComparison.RunRow] { outcomes.map(DiscretizationComparison.RunRow.init) }
}

extension DiscretizationComparison {
    /// One bar of the log-scale figure: `max(|‖X‖_*/min − 1|, 1e-6)` (floored for the log axis),
    /// whether its run was solved, and whether it lies below the minimum (a run that has not fit the data).
    public struct PanelBar: Sendable, Codable, Equatable {
        public var distance: Double
        public var solved: Bool
        public var below: Bool

        public init(nuclearNorm: Double, minimum: Double, status: SolverStatus) {
            let excess = nuclearNorm / minimum - 1
            self.init(distance: max(abs(excess), 1e-6), solved: status == .solved, below: excess < 0)
        }

        public init(distance: Double, solved: Bool, below: Bool) {
            (self.distance, self.solved, self.below) = (distance, solved, below)
        }
    }

    /// One group of bars: a setting's label "(a)", its position on the axis, and the bars of the
    /// flow, the time-ordered exponential, gradient descent and X_gd (``panelMethods``).
    ///
    /// Its columns: `setting` (the label), `x` (the position), then for each method m the three
    /// columns `m` (the distance), `m_solved` and `m_below`.
    public struct PanelRow: Sendable, Codable, Equatable {
        public var label: String
        public var position: Int
        public var bars: [PanelBar]

        public init(label: String, position: Int, bars: [PanelBar]) {
            precondition(bars.count == DiscretizationComparison.panelMethods.count, "one bar per method")
            (self.label, self.position, self.bars) = (label, position, bars)
        }

        private struct Column: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.init(stringValue) }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Column.self)
            try container.encode(label, forKey: Column("setting"))
            try container.encode(position, forKey: Column("x"))
            for (method, bar) in zip(DiscretizationComparison.panelMethods, bars) {
                try container.encode(bar.distance, forKey: Column(method))
                try container.encode(bar.solved, forKey: Column(method + "_solved"))
                try container.encode(bar.below, forKey: Column(method + "_below"))
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Column.self)
            label = try container.decode(String.self, forKey: Column("setting"))
            position = try container.decode(Int.self, forKey: Column("x"))
            bars = try DiscretizationComparison.panelMethods.map { method in
                PanelBar(
                    distance: try container.decode(Double.self, forKey: Column(method)),
                    solved: try container.decode(Bool.self, forKey: Column(method + "_solved")),
                    below: try container.decode(Bool.self, forKey: Column(method + "_below")))
            }
        }
    }

    /// The methods of a ``PanelRow``'s bars, in order.
    public static let panelMethods = ["flow", "toe", "gd", "xgd"]
}

extension DiscretizationComparison.Summary {
    /// Every observation model's panel table, named by ``DiscretizationComparison/panelName(_:)``, in `allCases` order.
    public var panels: [(name: String, rows: [DiscretizationComparison.PanelRow])] {
        PaperSetting.Observations.allCases.map { (DiscretizationComparison.panelName($0), panel($0)) }
    }

    /// The panel of one observation model: a row per setting, in the outcomes' order.
    public func panel(_ observations: PaperSetting.Observations) -> [DiscretizationComparison.PanelRow] {
        outcomes.filter { $0.observations == observations }.enumerated().map { position, o in
            DiscretizationComparison.PanelRow(
                label: "(\(o.setting.rawValue))", position: position,
                bars: [(o.flow, o.flowStatus), (o.toe, o.toeStatus), (o.gd, o.gdStatus), (o.xgd, .solved)].map {
                    DiscretizationComparison.PanelBar(nuclearNorm: $0.0, minimum: o.minimum, status: $0.1)
                })
        }
    }
}
