/// How a solver's run ended: one status model for every result of the library, as scipy's
/// `OptimizeResult.status`, SCS's and cvxpy's statuses. The JSON of `factorize`, the notebooks'
/// tables, the figures and the reports all read it from the result that carries it.
///
/// Only ``solved`` says that a run met its documented target (each solver's doc comment states
/// it: a relative training error, a certified duality gap, a stationary flow). Every other case
/// still comes with the best values the run has, so nothing is lost, but nothing calls them final.
public enum SolverStatus: String, Sendable, Codable, CaseIterable {
    /// The documented target was met.
    case solved
    /// The run stopped short of its target for a numerical reason (a stalled interior-point
    /// method, an integrator forced below its resolution); the result is the best it certified.
    case inaccurate
    /// The iteration cap was reached before the target.
    case iterationLimit = "iteration_limit"
    /// An integrator's cap on steps (accepted and rejected) was reached before the target.
    case stepLimit = "step_limit"
    /// A flow reached its time horizon before the target.
    case timeLimit = "time_limit"
    /// The iterates blew up (a step too large): they are not a solution.
    case diverged
    /// The problem has no solution, with a certificate that says so.
    case infeasible

    /// Whether the run met its target.
    public var isSolved: Bool { self == .solved }
}

/// A solver's result: its status and a sentence saying how it ended, in the words of the
/// quantity it was judged by (what target, what value, what limit).
public protocol SolverResult {
    var status: SolverStatus { get }
    var message: String { get }
}
