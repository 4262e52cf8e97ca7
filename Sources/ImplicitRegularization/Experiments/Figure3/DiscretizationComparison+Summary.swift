import Foundation

/// What Figure 3's prose, findings and checks read from the nine outcomes, and the distances its
/// log-scale figure draws.
///
/// The excess of a nuclear norm over the minimum is `(‖X‖_* − min)/min` (``DiscretizationComparison/Summary/excess(_:_:)``);
/// a run has **fit the data** at relative training error ≤ ``DiscretizationComparison/Summary/fitted`` (1e-3);
/// two nuclear norms are **on each other** within ``DiscretizationComparison/Summary/overlap`` (1%) of the minimum,
/// about a bar's line width on the paper's axes (0 to 3), and a gap beyond it is **discernible**.
///
/// The checks of the numerics read the runs' own targets: a flow is stationary at relative training
/// error ≤ ``DiscretizationComparison/Summary/residualTarget`` (the stopping rule's 1e-6) with X within
/// ``DiscretizationComparison/Summary/stationarityTarget`` (1e-6) of its limit; a minimum is certified to
/// ``DiscretizationComparison/Summary/minimumTarget``, the SDP's accepted relative gap (1e-8).
extension DiscretizationComparison {
    public struct Summary: Sendable, Codable {
        public var outcomes: [Outcome]
        /// The relative training error at which a run has fit the data.
        public var fitted = 1e-3
        /// Within this fraction of the minimum, a nuclear norm is on it.
        public var overlap = 1e-2
        /// The flow's training-error target (the comparison's stopping rule).
        public var residualTarget: Double
        /// The flow's stationarity target: X within this of its limit, relatively.
        public var stationarityTarget: Double
        /// The SDP's certified relative duality gap (``MinimumNuclearNorm/Options/acceptedTolerance``).
        public var minimumTarget = MinimumNuclearNorm.Options().acceptedTolerance

        /// The summary of `outcomes`, read against the targets of `comparison` (by default those of
        /// the full profile, which the quick one shares).
        public init(_ outcomes: [Outcome], of comparison: DiscretizationComparison = DiscretizationComparison(profile: .full)) {
            self.outcomes = outcomes
            residualTarget = comparison.stopping.tolerance
            stationarityTarget = comparison.flowStationarity
        }

        /// Every flow is stationary: `.solved`, training error ≤ ``residualTarget``, and ended by the
        /// speed test or the decade certificate.
        public var everyFlowStationary: Bool {
            flowsAtLimit.isEmpty && outcomes.allSatisfy { $0.flowResidual <= residualTarget }
                && flows(endedBy: .speed).count + flows(endedBy: .decadeCertificate).count == outcomes.count
        }
        /// Each stationarity test met its target: `t‖Ẋ‖/‖X‖ ≤ stationarityTarget` where the speed test
        /// ended the flow, a remainder bounded by it where the decade certificate did.
        public var stationarityTestsMet: Bool {
            flows(endedBy: .speed).allSatisfy { $0.flowStationarity <= stationarityTarget }
                && flows(endedBy: .decadeCertificate).allSatisfy { $0.flowRemainingBound <= stationarityTarget }
        }
        /// The flows the decade certificate ended could not pass the speed test: `t‖Ẋ‖/‖X‖` above its
        /// target where they stopped.
        public var decadeFlowsFailedTheSpeedTest: Bool {
            flows(endedBy: .decadeCertificate).allSatisfy { $0.flowStationarity > stationarityTarget }
        }
        /// Every minimum nuclear norm is certified (`.solved`).
        public var everyMinimumCertified: Bool { certifiedMinima.count == outcomes.count }
        /// X_gd, a feasible point, is at or above every certified minimum: `‖X_gd‖_* ≥ min·(1 − minimumTarget)`.
        public var zeroFilledAboveEveryMinimum: Bool { outcomes.allSatisfy { $0.xgd >= $0.minimum * (1 - minimumTarget) } }

        /// The flow's excess over the minimum in setting (a), for sensing, uniform and power-law completion.
        public var excessesInSettingA: [Double] { PaperSetting.Observations.allCases.map { excess($0, .a) } }
        /// The excesses of ``excessesInSettingA``, each written by `format(x, 2)`, joined by ", ".
        public func settingAExcessNotes(_ format: (Double, Int) -> String) -> String {
            excessesInSettingA.map { format($0, 2) }.joined(separator: ", ")
        }
        /// Whether the flow is on the minimum (within ``overlap``) in setting (a) for every observation model.
        public var flowOnTheMinimumInSettingA: Bool { excessesInSettingA.allSatisfy { abs($0) <= overlap } }
        /// Whether the flow and the time-ordered exponential are on each other (within ``overlap`` of the
        /// minimum) wherever both fit the data, and both do somewhere.
        public var flowAndExponentialAgree: Bool { !bothFit.isEmpty && flowExponentialDifference <= overlap }

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
        /// Whether there is a discernible gap with every flow stationary: a gap at the flow's t → ∞ limit.
        public var gapAtTheLimit: Bool { !gapPanels.isEmpty && flowsAtLimit.isEmpty }
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

        /// For a report: how many stationary flows are more than ``overlap`` above the minimum, and by how
        /// much each (``gapNotes(_:)``, written by `percent(x, digits)`), or that none is.
        public func gapStatement(_ percent: (Double, Int) -> String) -> String {
            gapPanels.isEmpty ? "no stationary flow is more than \(percent(overlap, 0)) from the minimum"
                : "\(gapPanels.count) of \(outcomes.count) flows at their limit are more than \(percent(overlap, 0)) above it: " + gapNotes(percent)
        }

        /// For a report: where both the flow and the time-ordered exponential fit the data, the largest
        /// difference of their nuclear norms relative to the minimum (written by `format(x, 2)`), or that they fit nowhere together.
        public func agreementStatement(_ format: (Double, Int) -> String) -> String {
            bothFit.isEmpty ? "no problem where both fit the data to \(format(fitted, 1))"
                : "where both fit the data (\(bothFit.count) of \(outcomes.count) problems) their nuclear norms differ by at most \(format(flowExponentialDifference, 2)) of the minimum"
        }

        private static func notes(_ outcomes: [Outcome], separator: String, _ note: (Outcome) -> String) -> String {
            outcomes.isEmpty ? "none" : outcomes.map(note).joined(separator: separator)
        }
    }
}

extension DiscretizationComparison.Summary: CustomStringConvertible {
    /// One line per problem (``DiscretizationComparison/Outcome/description``).
    public var description: String { outcomes.map(\.description).joined(separator: "\n") }
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
