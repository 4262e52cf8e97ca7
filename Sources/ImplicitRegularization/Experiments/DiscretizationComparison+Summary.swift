import Foundation

/// What Figure 3's prose, findings and checks read from the nine outcomes, and the distances its
/// log-scale figure draws.
///
/// The excess of a nuclear norm over the minimum is `(‖X‖_* − min)/min` (``DiscretizationComparison/Summary/excess(_:_:)``);
/// a run has **fit the data** at relative training error ≤ ``DiscretizationComparison/Summary/fitted`` (1e-3);
/// two nuclear norms are **on each other** within ``DiscretizationComparison/Summary/overlap`` (1%) of the minimum,
/// about a bar's line width on the paper's axes (0 to 3), and a gap beyond it is **discernible**.
extension DiscretizationComparison {
    public struct Summary: Sendable, Codable {
        public var outcomes: [Outcome]
        /// The relative training error at which a run has fit the data.
        public var fitted = 1e-3
        /// Within this fraction of the minimum, a nuclear norm is on it.
        public var overlap = 1e-2

        public init(_ outcomes: [Outcome]) {
            self.outcomes = outcomes
        }

        /// The outcome of one problem.
        public func outcome(_ observations: PaperSetting.Observations, _ setting: PaperSetting) -> Outcome {
            guard let outcome = outcomes.first(where: { $0.observations == observations && $0.setting == setting }) else {
                preconditionFailure("no run of \(observations.rawValue) (\(setting.rawValue))")
            }
            return outcome
        }

        /// The flow's excess over the minimum, `(‖X‖_* − min)/min`, on one problem.
        public func excess(_ observations: PaperSetting.Observations, _ setting: PaperSetting) -> Double {
            outcome(observations, setting).flowExcess
        }

        /// The flows that met their stationarity target (`.solved`).
        public var stationaryFlows: [Outcome] { outcomes.filter { $0.flowStatus == .solved } }
        /// The flows that stopped at their time or step limit.
        public var flowsAtLimit: [Outcome] { outcomes.filter { $0.flowStatus != .solved } }
        /// The flows a stationarity test ended.
        public func flows(endedBy test: GradientFlow.StationarityTest) -> [Outcome] {
            outcomes.filter { $0.flowStationaryBy == test.rawValue }
        }
        /// The largest t at which a flow stopped.
        public var latestFlowTime: Double { outcomes.map(\.flowTime).max() ?? .nan }
        /// The integrator's steps over all flows.
        public var flowSteps: Int { outcomes.map(\.flowSteps).reduce(0, +) }
        /// RODAS4's Jacobians over all flows.
        public var flowJacobians: Int { outcomes.map(\.flowJacobians).reduce(0, +) }

        /// The gradient-descent runs that stopped at their iteration cap.
        public var descentsAtLimit: [Outcome] { outcomes.filter { $0.gdStatus != .solved } }
        /// The gradient-descent runs whose nuclear norm is below the minimum: they have not fit the data.
        public var descentsBelowMinimum: [Outcome] { outcomes.filter { $0.gd < $0.minimum } }

        /// The problems where both the flow and the time-ordered exponential have fit the data.
        public var bothFit: [Outcome] { outcomes.filter { $0.flowResidual <= fitted && $0.toeResidual <= fitted } }
        /// `max |‖X_flow‖_* − ‖X_toe‖_*| / min` over ``bothFit`` (NaN where it is empty).
        public var flowExponentialDifference: Double { bothFit.map { abs($0.flow - $0.toe) / $0.minimum }.max() ?? .nan }
        /// The flows of setting (b) that have fit the data.
        public var fittedInSettingB: [Outcome] { outcomes.filter { $0.setting == .b && $0.flowResidual <= fitted } }

        /// The minima certified to the SDP's target (`.solved`).
        public var certifiedMinima: [Outcome] { outcomes.filter { $0.minimumStatus == .solved } }
        /// The problems with no strictly feasible X (fully observed singular blocks), solved on the face those expose.
        public var minimaOnFace: [Outcome] { outcomes.filter { $0.minimumExposedDirections > 0 } }

        /// The stationary flows more than ``overlap`` from the minimum.
        public var gapPanels: [Outcome] { outcomes.filter { $0.flowStatus == .solved && abs($0.flow / $0.minimum - 1) > overlap } }
        /// The largest `‖X_flow‖_*/min − 1` of ``gapPanels`` (NaN where there is none).
        public var largestGap: Double { gapPanels.map { $0.flow / $0.minimum - 1 }.max() ?? .nan }

        /// The flows the decade certificate ended, for the prose: "sensing (b) at t = T (remainder ≤ R,
        /// t‖Ẋ‖/‖X‖ = S, λ₃/λ₁ = L)", joined by "; ", or "none"; `format(x, digits)` writes each number
        /// to 2 significant digits.
        public func decadeCertificateNotes(_ format: (Double, Int) -> String) -> String {
            Self.notes(outcomes.filter { $0.flowStationaryBy == GradientFlow.StationarityTest.decadeCertificate.rawValue }, separator: "; ") {
                "\($0.name) at t = \(format($0.flowTime, 2)) (remainder ≤ \(format($0.flowRemainingBound, 2)), "
                    + "t‖Ẋ‖/‖X‖ = \(format($0.flowStationarity, 2)), λ₃/λ₁ = \(format($0.flowBeyondRank, 2)))"
            }
        }

        /// The flows not stationary, for the prose: "sensing (b): time_limit at t = T, training error E,
        /// t‖Ẋ‖/‖X‖ = S, λ₃/λ₁ = L" (T to 3 significant digits, the others 2), joined by "; ", or "none".
        public func flowsAtLimitNotes(_ format: (Double, Int) -> String) -> String {
            Self.notes(flowsAtLimit, separator: "; ") {
                "\($0.name): \($0.flowStatus.rawValue) at t = \(format($0.flowTime, 3)), training error \(format($0.flowResidual, 2)), "
                    + "t‖Ẋ‖/‖X‖ = \(format($0.flowStationarity, 2)), λ₃/λ₁ = \(format($0.flowBeyondRank, 2))"
            }
        }

        /// The minima solved on an exposed face: "sensing (c): 3 directions", joined by "; ", or "none".
        public var minimaOnFaceNotes: String {
            Self.notes(minimaOnFace, separator: "; ") { "\($0.name): \($0.minimumExposedDirections) directions" }
        }

        /// The panels with a discernible gap: "sensing (b) 3.4%", joined by ", ", or "none";
        /// `format(fraction, 1)` writes `‖X_flow‖_*/min − 1` as a percentage.
        public func gapNotes(_ format: (Double, Int) -> String) -> String {
            Self.notes(gapPanels, separator: ", ") { "\($0.name) \(format($0.flow / $0.minimum - 1, 1))" }
        }

        private static func notes(_ outcomes: [Outcome], separator: String, _ note: (Outcome) -> String) -> String {
            outcomes.isEmpty ? "none" : outcomes.map(note).joined(separator: separator)
        }
    }

    /// One bar of the log-scale figure: `max(|‖X‖_*/min − 1|, 1e-6)` (floored for the log axis),
    /// whether its run was solved, and whether it lies below the minimum (a run that has not fit the data).
    public struct PanelBar: Sendable, Codable {
        public var distance: Double
        public var solved: Bool
        public var below: Bool

        public init(nuclearNorm: Double, minimum: Double, status: SolverStatus) {
            let excess = nuclearNorm / minimum - 1
            distance = max(abs(excess), 1e-6)
            solved = status == .solved
            below = excess < 0
        }
    }

    /// One group of bars: a setting's label "(a)", its position on the axis, and the bars of the
    /// flow, the time-ordered exponential, gradient descent and X_gd (``panelMethods``).
    public struct PanelRow: Sendable, Codable {
        public var label: String
        public var position: Int
        public var bars: [PanelBar]
    }

    /// The methods of a ``PanelRow``'s bars, in order.
    public static let panelMethods = ["flow", "toe", "gd", "xgd"]
}

extension DiscretizationComparison.Summary {
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

extension DiscretizationComparison.Outcome: CustomStringConvertible {
    /// "sensing (a)": the problem's name in the prose.
    public var name: String { "\(observations.rawValue) (\(setting.rawValue))" }

    /// The flow's excess over the minimum, `(‖X‖_* − min)/min`.
    public var flowExcess: Double { (flow - minimum) / minimum }

    /// One line: each method's excess over the minimum with its status, X_gd's, and the training errors.
    public var description: String {
        let excess = [flow, toe, gd].map { ($0 - minimum) / minimum }
        return "\(name): ODE \(String(format: "%+.2e", excess[0])) [\(flowStatus.rawValue)], "
            + "TOE \(String(format: "%+.2e", excess[1])) [\(toeStatus.rawValue)], "
            + "GD \(String(format: "%+.2e", excess[2])) [\(gdStatus.rawValue)] relative to the minimum "
            + "(largest \(String(format: "%.1e", excess.max()!))); X_gd \(String(format: "%+.0f%%", 100 * (xgd - minimum) / minimum)); "
            + "training errors \(String(format: "%.0e / %.0e / %.0e", flowResidual, toeResidual, gdResidual))"
    }
}
