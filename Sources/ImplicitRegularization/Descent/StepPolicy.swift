/// How gradient descent on U picks its step.
public enum StepPolicy: Sendable, Equatable {
    /// `U ← U − η ∇f(U)` with a fixed η (the paper's η = 10⁻³).
    case fixed(Double)
    /// The exact line search η_ELS, clipped to `maxStep` (see `ExactLineSearch`).
    case exactLineSearch(maxStep: Double)
}
