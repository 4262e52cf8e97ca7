import Foundation
import LinearAlgebra

/// The exhaustive search of Figure 4: every symmetric 3 × 3 completion problem with m = 4
/// observed entries among the 6 of the upper triangle (15 masks), each filled with every
/// combination of the 10-point grid of [−1, 1] (10⁴ per mask): 150,000 instances.
///
/// For each instance: the exact PSD-completion test and the minimum nuclear norm
/// `‖X_min‖_* = min tr X s.t. P_Ω(X) = P_Ω(M), X ⪰ 0` (``MinimumNuclearNorm``: feasible when it
/// ends `.solved`, a gap and a residual certified within 1e-8; infeasible when it returns a Farkas certificate
/// with λ_min ≥ −1e-8; an observed negative diagonal entry is infeasible outright; instances
/// it cannot decide, which sit on the boundary of feasibility, are discarded and counted);
/// then the ``GradientFlow`` from `U0 = ᾱ G/‖G‖_F` (G 3 × 3 Gaussian, seeded by the instance)
/// for each ᾱ (rtol 1e-8, `.solved` when `‖r‖/‖y‖ ≤ 1e-5`, else `.stepLimit` after 10⁵ steps or
/// `.timeLimit` at t = 10⁷), and `Δ = (‖X∞‖_* − ‖X_min‖_*) / ‖X_min‖_*`.
public struct ExhaustiveSearch: Sendable {
    /// The 10 uniformly spaced values of [−1, 1].
    public static let grid: [Double] = (0..<10).map { -1 + 2 * Double($0) / 9 }
    /// The upper triangle's entries, in the order masks are enumerated.
    public static let upperEntries: [(row: Int, column: Int)] = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    /// The 15 four-entry masks, as indices into ``upperEntries``, in lexicographic order.
    public static let masks: [[Int]] = {
        var result: [[Int]] = []
        for a in 0..<6 { for b in (a + 1)..<6 { for c in (b + 1)..<6 { for d in (c + 1)..<6 { result.append([a, b, c, d]) } } } }
        return result
    }()
    public static let instanceCount = 15 * 10_000

    /// Why an instance is left out of the histograms.
    public enum Verdict: String, Sendable, Codable {
        case feasible
        case infeasible
        /// The solver could not certify either answer: the instance is on the boundary.
        case undecided
    }

    public struct Outcome: Sendable {
        public var index: Int
        public var verdict: Verdict
        public var minimum: Double
        /// One per ᾱ: `‖X∞‖_*`, Δ, the flow's status, its steps.
        public var nuclearNorms: [Double]
        public var deltas: [Double]
        public var statuses: [SolverStatus]
        public var steps: [Int]
    }

    public var initNorms: [Double]
    public var flow: GradientFlow.Options

    public init(initNorms: [Double] = [1e-5, 1e-3, 1]) {
        self.initNorms = initNorms
        var options = GradientFlow.Options()
        options.relativeTolerance = 1e-8
        options.residualTolerance = 1e-5
        options.maxTime = 1e7
        options.maxSteps = 100_000
        self.flow = options
    }

    /// Instance `index`'s observed entries: mask `index / 10⁴`, values from its base-10 digits.
    public static func entries(of index: Int) -> [MeasurementProblem.ObservedEntry] {
        let mask = masks[index / 10_000]
        var digits = index % 10_000
        return mask.map { position in
            let value = grid[digits % 10]
            digits /= 10
            return .init(row: upperEntries[position].row, column: upperEntries[position].column, value: value)
        }
    }

    public func solve(_ index: Int) -> Outcome {
        let entries = Self.entries(of: index)
        var outcome = Outcome(index: index, verdict: .infeasible, minimum: .nan, nuclearNorms: [], deltas: [], statuses: [], steps: [])
        if entries.contains(where: { $0.row == $0.column && $0.value < 0 }) { return outcome }
        let problem = MeasurementProblem(dimension: 3, completionEntries: entries)
        switch try? MinimumNuclearNorm(problem: problem).solve() {
        case .infeasible: return outcome
        case let .solution(solution) where solution.status == .solved: outcome.minimum = solution.nuclearNorm
        case .solution, nil:
            outcome.verdict = .undecided
            return outcome
        }
        outcome.verdict = .feasible
        let gradientFlow = GradientFlow(problem: problem, options: flow)
        for alpha in initNorms {
            let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: alpha, seed: UInt64(index))
            let result = gradientFlow.run(from: start)
            let nuclear = (try? result.x.nuclearNorm()) ?? .nan
            outcome.nuclearNorms.append(nuclear)
            outcome.deltas.append((nuclear - outcome.minimum) / outcome.minimum)
            outcome.statuses.append(result.status)
            outcome.steps.append(result.steps)
        }
        return outcome
    }
}
