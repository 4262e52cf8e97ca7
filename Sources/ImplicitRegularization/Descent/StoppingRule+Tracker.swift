import LinearAlgebra

extension StoppingRule {
    /// One run's account under the rule, the skeleton every descent loop shares:
    ///
    ///     var tracker = StoppingRule.Tracker(rule: stopping, observationNorm: ‖y‖)
    ///     while tracker.observe(residualNorm: ‖A(X) − y‖) { X ← update(X); tracker.countUpdate() }
    ///
    /// It records the loss `½‖A(X₀) − y‖²` at the first observation (the divergence test's
    /// reference), counts the updates, keeps the last residual norm and, once ``observe(residualNorm:)``
    /// returns false, the rule's ``StoppingRule/verdict(residualNorm:observationNorm:initialLoss:iterations:)``
    /// as `status`, with its ``message``. The loop owns the iterate; the tracker does no arithmetic
    /// on it.
    public struct Tracker: Sendable {
        public let rule: StoppingRule
        /// `‖y‖`.
        public let observationNorm: Double
        /// Updates counted.
        public private(set) var iterations = 0
        /// `½‖A(X₀) − y‖²`, once observed.
        public private(set) var initialLoss: Double?
        /// The last `‖A(X) − y‖` observed (NaN before the first).
        public private(set) var residualNorm = Double.nan
        /// The verdict once the rule stopped the run, nil while it goes on.
        public private(set) var status: SolverStatus?

        public init(rule: StoppingRule, observationNorm: Double) {
            (self.rule, self.observationNorm) = (rule, observationNorm)
        }

        /// Records `‖A(X) − y‖` at the current iterate, after ``iterations`` updates; true while
        /// the run goes on, false once the rule has stopped it (its verdict in ``status``).
        public mutating func observe(residualNorm norm: Double) -> Bool {
            residualNorm = norm
            if initialLoss == nil { initialLoss = 0.5 * norm * norm }
            status = rule.verdict(residualNorm: norm, observationNorm: observationNorm, initialLoss: initialLoss!, iterations: iterations)
            return status == nil
        }

        /// Counts one update of the iterate.
        public mutating func countUpdate() { iterations += 1 }

        /// `‖A(X) − y‖ / ‖y‖` at the last observation (‖y‖ at least the least nonzero magnitude).
        public var relativeResidual: Double { residualNorm / max(observationNorm, .leastNonzeroMagnitude) }

        /// The rule's sentence for how the run ended (`.iterationLimit` if it was never stopped).
        public var message: String {
            rule.message(status ?? .iterationLimit, relativeResidual: relativeResidual, iterations: iterations)
        }

        /// A ``DescentResult`` at the final X (and factor), with the verdict and its message.
        func result(x: Matrix, factor: Matrix?, elapsedTime: Double? = nil) -> DescentResult {
            DescentResult(
                x: x, factor: factor, iterations: iterations, relativeResidual: relativeResidual,
                loss: 0.5 * residualNorm * residualNorm, status: status ?? .iterationLimit, message: message, elapsedTime: elapsedTime)
        }
    }
}
