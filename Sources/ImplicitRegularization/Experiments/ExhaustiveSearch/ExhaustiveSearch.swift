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
/// for each ᾱ, run to its limit: `.automatic` (Dormand–Prince, RODAS4 once stiff) at rtol 1e-10,
/// `.solved` when `‖r‖/‖y‖ ≤ 1e-9` and X is stationary to a relative 1e-6 (``GradientFlow/Options/decadeCertificate``
/// set): either `t‖Ẋ‖_F/‖X‖_F` plus its round-off floor is ≤ 1e-6 with the residual at round-off
/// (X has at most a relative 1e-6 still to travel when it approaches its limit like t^(−p), p ≥ 1),
/// or the decade certificate holds (``GradientFlow/decadeCertificate(time:state:residual:checkpoints:)``:
/// the displacement of X over the last two decades of t fits a power law of exponent p ≥ 0.3 whose
/// remainder is ≤ 1e-6, while the residual still falls at least like t^(−1/2)); else `.timeLimit`
/// at t = 10¹⁴ or `.stepLimit` after 10⁵ steps (for ᾱ < 1e-6 the linear phase up to ‖U‖_F = 1e-6 in
/// closed form, ``linearPhase(of:from:to:)``); and `Δ = (‖X∞‖_* − ‖X_min‖_*) / ‖X_min‖_*`.
///
/// The certificate is for the flows of instances with an observed singular 2 × 2 block
/// (`X_ii X_jj = X_ij²`, 1,050 feasible instances): there the residual falls like 1/t, a singular
/// value of U like t^(−1/2) and X's unobserved entries with it (p = 1/2), so `t‖Ẋ‖` is still
/// above 1e-6 at t = 10⁹ and reads round-off (`t·O(ε)`) after. Measured (against each
/// flow forced on to t = 10¹⁴): the speed test `t‖Ẋ‖` alone, to t = 10⁹, leaves 1,500 of these 3,150
/// flows at `.timeLimit` and calls 309 of the rest `.solved` more than 1e-6 from X(10¹⁴) (up to 1.9e-5:
/// from ᾱ = 1e-5 on a plateau at t ≈ 20); with the certificate all 3,150 end `.solved` (1,504 of them
/// between t = 1.4e9 and 1.3e13), 2 of them (48569, 95398 at ᾱ = 1e-5, certified at t ≈ 110 before a plateau) more than
/// 1e-6 from X(10¹⁴) (8.5e-6, 1.4e-6). On 684 flows of other instances the farthest is 1.4e-9.
///
/// **Δ below 0, certified.** Every X = UUᵀ is PSD, so with the SDP's certified dual z
/// (`I − A*(z) ⪰ 0`, lower bound `ℓ = ⟨y, z⟩`), weak duality gives
/// `tr X ≥ ⟨z, A(X)⟩ ≥ ℓ − ‖z‖‖A(X) − y‖`: each flow's Δ is at least
/// `−(‖X_min‖_* − ℓ + ‖z‖‖A(X) − y‖)/‖X_min‖_* − 1e-13` (the last term the round-off of two
/// nuclear norms), recorded per flow as ``Outcome/floors``; a Δ below its floor would be an error
/// of the computation, not of the flow (the residual is measured in the SPEC's weighting
/// whichever ``weighting`` the flow runs on).
///
/// ``weighting`` chooses the observation operator the flow descends: the SPEC's
/// (`⟨A_k, X⟩ = X_ij`, `A_k = (e_ie_jᵀ + e_je_iᵀ)/2`) or the isometric one
/// (`A_k = (e_ie_jᵀ + e_je_iᵀ)/√2` off the diagonal, `y_k = √2 X_ij`, so that `‖A(X)‖ = ‖X‖_F`
/// on a full mask; ``problem(of:weighting:)`` builds it as the SPEC's operator observing each
/// off-diagonal entry twice, the same loss); the minimum nuclear norm is the same under both. With ``greedy`` set, each
/// feasible instance also runs ``GreedyLowRankLearning`` on the same operator.
///
/// ``representation`` chooses the factor the flows run on: the dense U (``GradientFlow``), or a graded one
/// (``GradedGradientFlow``, the same options), which is the flow from its ᾱ however small: from ᾱ = 1e-100 the
/// dense U holds the directions that escape later only below its dominant direction's round-off, and its
/// flow stalls at saddles (or leaves them late) that the graded flow leaves (on the 31,350 feasible instances at
/// ᾱ = 1e-100, all 2,967 dense flows at their time limit end `.solved` on the graded flow).
public struct ExhaustiveSearch: Sendable, Codable {
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
        /// One per ᾱ: the certified lowest Δ that flow's X allows (≤ 0; see the type's comment).
        public var floors: [Double] = []
        /// ``GreedyLowRankLearning``'s result, when ``ExhaustiveSearch/greedy`` is set.
        public var greedy: GreedyOutcome? = nil

        public init(
            index: Int, verdict: Verdict, minimum: Double, nuclearNorms: [Double], deltas: [Double], statuses: [SolverStatus], steps: [Int],
            floors: [Double] = [], greedy: GreedyOutcome? = nil
        ) {
            (self.index, self.verdict, self.minimum, self.nuclearNorms, self.deltas) = (index, verdict, minimum, nuclearNorms, deltas)
            (self.statuses, self.steps, self.floors, self.greedy) = (statuses, steps, floors, greedy)
        }
    }

    /// What GLRL found on one instance.
    public struct GreedyOutcome: Sendable {
        public var nuclearNorm: Double
        public var delta: Double
        public var status: SolverStatus
        public var rank: Int
        public var floor: Double

        public init(nuclearNorm: Double, delta: Double, status: SolverStatus, rank: Int, floor: Double) {
            (self.nuclearNorm, self.delta, self.status, self.rank, self.floor) = (nuclearNorm, delta, status, rank, floor)
        }
    }

    /// The observation operator a flow descends (the minimum nuclear norm is the same under both).
    public enum Weighting: String, Sendable, CaseIterable, Codable {
        /// The SPEC's: `⟨A_k, X⟩ = X_ij`, `A_k = (e_ie_jᵀ + e_je_iᵀ)/2` off the diagonal.
        case entry
        /// `A_k = (e_ie_jᵀ + e_je_iᵀ)/√2` off the diagonal, `y_k = √2 M_ij`: A an isometry on a full mask.
        case isometric
    }

    public var initNorms: [Double]
    public var flow: GradientFlow.Options
    public var weighting: Weighting
    /// Run ``GreedyLowRankLearning`` too, with these options (nil: not run).
    public var greedy: GreedyLowRankLearning.Options?
    /// Take a flow's linear phase, below ‖U‖_F = ``linearPhaseNorm``, in closed form (``linearPhase(of:from:to:)``):
    /// it changes only the flows from ᾱ < 1e-6.
    public var closedFormLinearPhase = true
    /// The factor the flows run on: dense U (``GradientFlow``) or a graded one (``GradedGradientFlow``, with
    /// the same ``flow`` options; its closed-form linear phase, when ``closedFormLinearPhase`` is set, is
    /// ``GradedGradientFlow/linearPhase(of:from:logNorm:to:)``, and its clock starts there at t₀, not at 0).
    public var representation = FlowRepresentation.dense

    /// How a flow's factor is held.
    public enum FlowRepresentation: String, Sendable, Codable {
        /// U as an n × d matrix: from ᾱ ≪ 1e-8 the directions below the dominant one's round-off are lost.
        case dense
        /// U = W diag(e^{l}) re-graded as it goes (``GradedGradientFlow``): the flow from its ᾱ however small.
        case graded
    }

    /// The flows run to their limit (see the type's comment for the options).
    public init(initNorms: [Double] = [1e-5, 1e-3, 1], weighting: Weighting = .entry, greedy: GreedyLowRankLearning.Options? = nil) {
        self.initNorms = initNorms
        self.weighting = weighting
        self.greedy = greedy
        var options = GradientFlow.Options()
        options.integrator = .automatic
        options.relativeTolerance = 1e-10
        options.residualTolerance = 1e-9
        options.stationarityTolerance = 1e-6
        options.maxTime = 1e14
        options.decadeCertificate = true
        options.maxSteps = 100_000
        self.flow = options
    }

    /// The SPEC's problem of instance `index` (``weighting`` `.entry`), or its isometric form.
    public static func problem(of index: Int, weighting: Weighting = .entry) -> MeasurementProblem {
        let entries = Self.entries(of: index)
        switch weighting {
        case .entry:
            return MeasurementProblem(dimension: 3, completionEntries: entries)
        case .isometric:
            // ½(√2 X_ij − √2 M_ij)² = 2 · ½(X_ij − M_ij)²: the isometric loss is the SPEC's with each
            // off-diagonal entry observed twice, so the flows (and GLRL) are the same, on the cheap
            // observed-entries operator.
            return MeasurementProblem(dimension: 3, completionEntries: entries.flatMap { $0.row == $0.column ? [$0] : [$0, $0] })
        }
    }

    /// Instance `index`'s observed entries: mask `index / 10⁴`, values from its base-10 digits.
    public static func entries(of index: Int) -> [ObservedEntries.Entry] {
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
        let problem = Self.problem(of: index)
        let solution: MinimumNuclearNorm.Solution
        switch try? MinimumNuclearNorm(problem: problem).solve() {
        case .infeasible: return outcome
        // The floors below are weak duality on every PSD X: they need a dual feasible for the full
        // problem. A minimum found on an exposed face (no X ≻ 0 feasible) has one when the face's
        // dual could be lifted to it; otherwise the instance is undecided (figure4.md checks that none is).
        case let .solution(found) where found.status == .solved && found.dualIsFullProblem: solution = found
        case .solution, nil:
            outcome.verdict = .undecided
            return outcome
        }
        outcome.minimum = solution.nuclearNorm
        outcome.verdict = .feasible
        let dualNorm = Vector.norm(solution.dual)
        // The certified lowest Δ of a PSD X: −(min − ℓ + ‖z‖‖A(X) − y‖)/min, less round-off.
        func floor(_ x: Matrix) -> Double {
            -(solution.nuclearNorm - solution.lowerBound + dualNorm * Vector.norm(Vector.difference(problem.measurements.apply(x), problem.observations)))
                / solution.nuclearNorm - 1e-13
        }
        let flowProblem = Self.problem(of: index, weighting: weighting)
        for alpha in initNorms {
            let result = flowResult(of: flowProblem, initNorm: alpha, seed: UInt64(index))
            let nuclear = (try? result.x.nuclearNorm()) ?? .nan
            outcome.nuclearNorms.append(nuclear)
            outcome.deltas.append((nuclear - outcome.minimum) / outcome.minimum)
            outcome.statuses.append(result.status)
            outcome.steps.append(result.steps)
            outcome.floors.append(floor(result.x))
        }
        if let greedy {
            let result = GreedyLowRankLearning(problem: flowProblem, options: greedy).run()
            let nuclear = (try? result.x.nuclearNorm()) ?? .nan
            outcome.greedy = GreedyOutcome(
                nuclearNorm: nuclear, delta: (nuclear - outcome.minimum) / outcome.minimum, status: result.status,
                rank: result.rank, floor: floor(result.x))
        }
        return outcome
    }

    /// The flow of ``solve(_:)`` from `U0 = ᾱ G/‖G‖_F` (G seeded by the instance), on ``representation``:
    /// its X, status and accepted steps.
    public func flowResult(of problem: MeasurementProblem, initNorm alpha: Double, seed: UInt64) -> (x: Matrix, status: SolverStatus, steps: Int) {
        if representation == .graded {
            let result = gradedFlowResult(of: problem, logInitNorm: log(alpha), seed: seed)
            return (result.x, result.status, result.steps)
        }
        let start = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: alpha, seed: seed)
        let linear = closedFormLinearPhase ? Self.linearPhase(of: problem, from: start, to: Self.linearPhaseNorm) : nil
        let result = GradientFlow(problem: problem, options: flow).run(from: linear?.factor ?? start)
        return (result.x, result.status, result.steps)
    }

    /// The graded flow (``GradedGradientFlow``) of ``solve(_:)`` from `U0 = e^{logInitNorm} G/‖G‖_F`, for any
    /// `logInitNorm` (ᾱ = 1e-1000 is `logInitNorm = −1000 log 10`), with the closed-form linear phase when
    /// ``closedFormLinearPhase`` is set.
    public func gradedFlowResult(of problem: MeasurementProblem, logInitNorm: Double, seed: UInt64) -> GradedGradientFlow.Result {
        let direction = FactorInitialization.gaussian(dimension: 3, rank: 3, norm: 1, seed: seed)
        let graded = GradedGradientFlow(problem: problem, options: flow)
        let linear = closedFormLinearPhase
            ? GradedGradientFlow.linearPhase(of: problem, from: direction, logNorm: logInitNorm, to: Self.linearPhaseNorm) : nil
        return linear.map { graded.run(from: $0.factor, startTime: $0.time) }
            ?? graded.run(from: GradedFactor(factor: direction, logScale: logInitNorm))
    }
}
