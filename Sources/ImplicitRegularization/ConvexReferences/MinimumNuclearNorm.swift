import Foundation
import LinearAlgebra

/// The minimum nuclear norm solution, the reference of Figures 2–4:
///
/// `min ‖X‖_* = tr(X)  s.t.  A(X) = y,  X ⪰ 0`   (the conjecture's `argmin_{X⪰0} ‖X‖_* s.t. A(X) = y`)
///
/// and its dual `max yᵀz s.t. I − A*(z) ⪰ 0`, solved by an infeasible-start primal–dual
/// interior-point method: HKM search direction, Mehrotra predictor–corrector, the Schur complement
/// `M_ij = tr(A_i X A_j Z⁻¹)` formed as a Gram matrix (`Matrix.congruenceGram`) and factored by
/// Cholesky.
///
/// **Scale.** The problem is solved in units of its own scale (``Normalization``): y divided by
/// its root mean square `rms(y) = ‖y‖/√m` and A by `α = max_i ‖A_i‖_F`, so that every tolerance
/// below is relative and a problem whose y (or A) is scaled by any s > 0 gets the same status and
/// an answer scaled by s (or 1/s). `c = rms(y)/α` is the unit of X; the solution's trace and lower
/// bound are reported in the problem's own units. When that solve ends short of its target with
/// `tr X̃` far from 1 (beyond a factor √10), it is solved once more in the unit `c·tr X̃`, where
/// the solution's trace is 1, and the nearer exact of the two is returned: the interior-point
/// method's own stopping tests (`1 + |tr X| + |yᵀz|`, `1 + ‖y‖`) mix absolute and relative terms,
/// and Figure 3's uniform completion (a), seed 0 (`tr X̃ ≈ 59`), meets its target only at unit trace.
///
/// What it reports is certified, not read off the iteration:
/// - the **lower bound** is `yᵀz / (1 − min(0, λ_min(I − A*(z))))`: the dual iterate scaled until
///   it is exactly dual feasible, so by weak duality no feasible X has a smaller trace;
/// - the **relative duality gap** is `(tr X − lower bound) / max(c, tr X)`, X strictly PD;
/// - the **residual** is `‖A(X) − y‖ / ‖y‖`.
///
/// The iteration is finished on the optimal face (``polish(_:)``): at a low-rank optimum how far
/// an interior-point method gets depends on round-off, hence on the BLAS kernel, and the polished
/// point is certified in the same way. Of every certified point the one with the smallest
/// `max(|gap|, residual)` is returned.
///
/// **Status.** `.solved` when that point has `|gap| ≤ acceptedTolerance` and
/// `residual ≤ acceptedTolerance` (1e-8 both); otherwise the point is still returned, with
/// `.iterationLimit` when the iteration cap ended it and `.inaccurate` when it stalled (a
/// factorisation failed near the optimum), and a message naming what was missed.
///
/// **No strictly feasible point.** A completion problem with a fully observed singular principal
/// block has no feasible X ≻ 0; the dual optimum is then not attained and the iteration stalls short
/// of its target. When it does, the problem is solved again on the face those blocks expose
/// (``solveOnExposedFace()``), and that solution is returned if it is nearer exact, with
/// `exposedDirections` > 0.
///
/// **Infeasibility.** When no PSD X satisfies `A(X) = y`, the dual is unbounded. The solver
/// returns `.infeasible` with a Farkas certificate w: `yᵀw = −1` and `λ_min(A*(w)) ≥ −ε/c`
/// (`ε = infeasibilityTolerance`, 1e-8), both checked with the round-off of their own
/// evaluation allowed for (``InfeasibilityCertificate``). Any PSD X with `A(X) = y` would give
/// `−1 = yᵀw = ⟨A*(w), X⟩ ≥ −(ε/c) tr X`, so none exists with `‖X‖_* < c/ε`. A certificate that
/// does not hold beyond its round-off is not believed: the iteration goes on, and if it ends
/// short of its target the status is `.inaccurate`, with the refused certificate in the message.
/// Two degenerate cases are answered without iterating: y = 0 (X = 0, dual z = 0) and a zero
/// measurement `A_i = 0` with `y_i ≠ 0` (`w = −e_i/y_i`, `A*(w) = 0` exactly).
public struct MinimumNuclearNorm: Sendable {
    public struct Options: Sendable {
        /// Target relative gap `⟨X, Z⟩ / (1 + |tr X| + |yᵀz|)` of the iteration.
        public var gapTolerance = 1e-10
        /// Target relative primal and dual infeasibility of the iteration.
        public var feasibilityTolerance = 1e-9
        /// ε of the infeasibility certificate.
        public var infeasibilityTolerance = 1e-8
        public var maxIterations = 100
        /// The documented target of `.solved`: the returned point's certified |relative gap| and
        /// residual are both at most this.
        public var acceptedTolerance = 1e-8
        public init() {}
    }

    /// A solution, with its certificate of optimality.
    public struct Solution: Sendable {
        /// The primal X (PSD).
        public var x: Matrix
        /// The dual z.
        public var dual: [Double]
        /// `tr X = ‖X‖_*`.
        public var nuclearNorm: Double
        /// A certified lower bound on the minimum (see the type's documentation).
        public var lowerBound: Double
        /// `(tr X − lowerBound) / max(c, tr X)`, `c = rms(y) / max_i ‖A_i‖_F` (evaluated on the
        /// normalized problem, where c = 1).
        public var dualityGap: Double
        /// `‖A(X) − y‖ / ‖y‖` (0 when y = 0).
        public var residual: Double
        public var iterations: Int
        /// `.solved` when `|dualityGap|` and `residual` are both within `acceptedTolerance`;
        /// `.inaccurate` or `.iterationLimit` otherwise.
        public var status: SolverStatus = .solved
        public var message = ""
        /// How many exposed directions the solution's face excludes: 0 for the interior-point
        /// solution, whose dual is feasible for the full problem; otherwise the solution came from the
        /// facially reduced problem (``solveOnExposedFace()``) and `dual`, `lowerBound` are the face's
        /// (the lower bound holds for every feasible X, all of which lie on that face).
        public var exposedDirections = 0
        /// Whether `dual` is feasible for the full problem, so that weak duality bounds the trace of
        /// every PSD X (`tr X ≥ yᵀz − ‖z‖‖A(X) − y‖`, feasible or not): always for the interior-point
        /// solution; on an exposed face, when the face's dual could be moved to such a dual without
        /// losing the certified gap (``fullProblemDual(faceDual:exposing:x:iterations:)``).
        public var dualIsFullProblem = true
    }

    /// A Farkas certificate that no PSD X satisfies the constraints.
    ///
    /// Every PSD X with `A(X) = y` would give `yᵀw = ⟨A*(w), X⟩ ≥ λ_min(A*(w)) tr X`. With the
    /// round-off of the evaluation allowed for (`λ` computed within `roundOff`, `yᵀw` within
    /// `2mε Σ|y_i w_i|`): when `λ − roundOff ≥ 0` no feasible X exists at all (`nuclearNormBound`
    /// is ∞); otherwise none exists with `‖X‖_* < nuclearNormBound = (−yᵀw − δ)/(roundOff − λ)`.
    public struct InfeasibilityCertificate: Sendable {
        /// w with `yᵀw = −1`.
        public var w: [Double]
        /// `λ_min(A*(w))`, as computed.
        public var smallestEigenvalue: Double
        /// The bound on the round-off of `smallestEigenvalue`: `2(n + m)ε(Σ|w_i|‖A_i‖_F + ‖A*(w)‖_F)`
        /// (forming A*(w), then `dsyevd`).
        public var roundOff: Double
        /// No feasible X has `‖X‖_*` below this (∞: no feasible X at all). The solver reports a
        /// certificate only when this is at least `c / infeasibilityTolerance`, `c = rms(y) / max_i ‖A_i‖_F`.
        public var nuclearNormBound: Double
        public var iterations: Int
    }

    /// What the solver found: a certified point (whose `status` says whether it met the target) or
    /// a certificate of infeasibility.
    public enum Outcome: Sendable, SolverResult {
        case solution(Solution)
        case infeasible(InfeasibilityCertificate)

        public var status: SolverStatus {
            switch self {
            case let .solution(solution): solution.status
            case .infeasible: .infeasible
            }
        }

        public var message: String {
            switch self {
            case let .solution(solution): solution.message
            case let .infeasible(certificate):
                certificate.nuclearNormBound == .infinity
                    ? "no PSD X satisfies A(X) = y: a Farkas certificate w with yᵀw = −1 and λ_min(A*(w)) = \(certificate.smallestEigenvalue.formatted(significantDigits: 3)) ≥ 0 beyond its round-off \(certificate.roundOff.formatted(significantDigits: 3))"
                    : "no PSD X satisfies A(X) = y with ‖X‖_* < \(certificate.nuclearNormBound.formatted(significantDigits: 3)): a Farkas certificate w with yᵀw = −1 and λ_min(A*(w)) = \(certificate.smallestEigenvalue.formatted(significantDigits: 3)) (round-off \(certificate.roundOff.formatted(significantDigits: 3)))"
            }
        }

        /// The solution when it met its target, else nil.
        public var solved: Solution? {
            if case let .solution(solution) = self, solution.status == .solved { solution } else { nil }
        }
    }

    public let problem: MeasurementProblem
    public var options: Options

    public init(problem: MeasurementProblem, options: Options = Options()) {
        self.problem = problem
        self.options = options
    }

    /// Solves the problem as posed, in units of its own scale (``Normalization``): the problem with
    /// y = 0 has the answer X = 0; a zero measurement with `y_i ≠ 0` is an exact Farkas certificate;
    /// otherwise the normalized problem is solved (``solveNormalized()``) and its answer scaled back.
    public func solve() throws -> Outcome {
        switch Normalization.of(problem) {
        case .zero: return .solution(Self.zeroSolution(problem))
        case let .zeroMeasurement(index, value): return .infeasible(Self.zeroMeasurementCertificate(problem, index: index, value: value))
        case let .normalized(normalization):
            let outcome = try MinimumNuclearNorm(problem: normalization.problem, options: options).solveNormalized()
            // Short of its target, with a solution far from unit trace: once more with X̃'s unit its
            // trace, so that the solution too is of order 1 (the unit is still the problem's own).
            if case let .solution(first) = outcome, first.status != .solved, first.nuclearNorm.isFinite,
               first.nuclearNorm > 0, abs(log10(first.nuclearNorm)) > 0.5 {
                let rescaled = normalization.rescaled(by: first.nuclearNorm)
                if case let .solution(second) = try MinimumNuclearNorm(problem: rescaled.problem, options: options).solveNormalized(),
                   Self.error(second) < Self.error(first) {
                    return rescaled.restore(.solution(second), original: problem)
                }
            }
            return normalization.restore(outcome, original: problem)
        }
    }

    /// ``solve()`` on a problem already normalized (`rms(y) = 1`, the largest `‖A_i‖_F` 1, no zero
    /// measurement): the tolerances below are relative to that scale.
    func solveNormalized() throws -> Outcome {
        let outcome = try solveInterior()
        // A completion problem the iteration leaves short of its target may have no strictly feasible
        // point: then it is solved on the face its singular observed blocks expose.
        if case let .solution(solution) = outcome, solution.status != .solved, problem.entries != nil,
           let reduced = try solveOnExposedFace(), Self.error(reduced) < Self.error(solution) {
            return .solution(reduced)
        }
        return outcome
    }

    /// The interior-point iteration on the problem as posed.
    func solveInterior() throws -> Outcome {
        let n = problem.dimension
        let m = problem.count
        let operatorA = problem.measurements
        let b = problem.observations
        let identity = Matrix.identity(n)
        // The measurement matrices side by side, n × nm, for the Schur complement.
        var blocks = Matrix(rows: n, columns: n * m)
        for i in 0..<m {
            let a = operatorA.matrix(i)
            blocks.elements.replaceSubrange((i * n * n)..<((i + 1) * n * n), with: a.elements)
        }
        let packedRows = operatorA.packed  // built once (completion stores only its nonzeros)
        let measurementNorms = (0..<m).map { i in Vector.norm((0..<packedRows.columns).map { packedRows[i, $0] }) }
        let bNorm = Vector.norm(b)
        let rootN = Double(n).squareRoot()
        // Starting point (after SDPT3): X, Z multiples of I large enough to be well inside the cones.
        var xi = max(10, rootN)
        var zeta = max(10, rootN, rootN)
        for i in 0..<m {
            xi = max(xi, rootN * (1 + abs(b[i])) / (1 + measurementNorms[i]))
            zeta = max(zeta, 1 + measurementNorms[i])
        }
        var x = xi * identity
        var z = zeta * identity
        var y = [Double](repeating: 0, count: m)

        var iteration = 0
        // The best certified iterate so far (the smallest max(|gap|, residual)): near a degenerate
        // optimum round-off can push later iterates off the constraints (the residual grows from
        // 1e-11 to 1e-9 on some of Figure 4's instances) before the iteration's targets are met.
        var best: Solution?
        // The last Farkas certificate that the round-off check refused, if the dual ran away.
        var unbelievedCertificate: InfeasibilityCertificate?
        func stop(reason: SolverStatus) throws -> Outcome {
            let last = try certify(x: x, y: y, iterations: iteration)
            var candidates = [best, last].compactMap { $0 }
            if let closest = candidates.min(by: { Self.error($0) < Self.error($1) }), Self.error(closest) > 1e-13,
               let polished = try polish(closest) {
                candidates.append(polished)
            }
            var chosen = candidates.min(by: { Self.error($0) < Self.error($1) })!
            let tolerance = options.acceptedTolerance
            let gap = chosen.dualityGap.formatted(significantDigits: 3)
            let residual = chosen.residual.formatted(significantDigits: 3)
            if abs(chosen.dualityGap) <= tolerance && chosen.residual <= tolerance {
                chosen.status = .solved
                chosen.message = "certified relative gap \(gap) and residual \(residual), both within \(tolerance)"
            } else {
                chosen.status = reason
                let why = reason == .iterationLimit ? "stopped at the cap of \(options.maxIterations) iterations" : "the interior-point method stalled near the optimum after \(iteration) iterations"
                chosen.message = "\(why): the best certified point has relative gap \(gap) and residual \(residual) (target \(tolerance))"
                if let refused = unbelievedCertificate {
                    chosen.status = .inaccurate
                    chosen.message += "; the dual objective ran away, as for an infeasible problem, but its Farkas certificate is not believed: λ_min(A*(w)) = \(refused.smallestEigenvalue.formatted(significantDigits: 3)) with round-off \(refused.roundOff.formatted(significantDigits: 3)) excludes only ‖X‖_* < \(refused.nuclearNormBound.formatted(significantDigits: 3))·c, c = rms(y)/max‖A_i‖_F (needed: \((1 / options.infeasibilityTolerance).formatted(significantDigits: 3)))"
                }
            }
            return .solution(chosen)
        }
        while true {
            var rp = b
            Vector.axpy(-1, operatorA.apply(x), &rp)
            let aty = operatorA.adjoint(y)
            let rd = identity - z - aty
            let pobj = x.trace
            let dobj = Vector.dot(b, y)
            let gapXZ = Matrix.frobeniusInner(x, z)
            let mu = gapXZ / Double(n)
            let relativeGap = gapXZ / (1 + abs(pobj) + abs(dobj))
            let primalInfeasibility = Vector.norm(rp) / (1 + bNorm)
            let dualInfeasibility = rd.frobeniusNorm / (1 + rootN)

            // A Farkas certificate, once the dual objective runs away, believed only when it holds
            // with the round-off of its own evaluation allowed for.
            if dobj > 1 / options.infeasibilityTolerance {
                let candidate = try farkasCertificate(w: y.map { -$0 / dobj }, iterations: iteration)
                if candidate.nuclearNormBound >= 1 / options.infeasibilityTolerance { return .infeasible(candidate) }
                unbelievedCertificate = candidate
            }
            let done = relativeGap <= options.gapTolerance && primalInfeasibility <= options.feasibilityTolerance
                && dualInfeasibility <= options.feasibilityTolerance
            if done { return try stop(reason: .solved) }
            if iteration >= options.maxIterations { return try stop(reason: .iterationLimit) }
            if relativeGap <= options.acceptedTolerance && primalInfeasibility <= options.acceptedTolerance {
                let candidate = try certify(x: x, y: y, iterations: iteration)
                if best.map({ Self.error(candidate) < Self.error($0) }) ?? true { best = candidate }
            }

            // Near the optimum X and Z become numerically singular; a factorisation that fails
            // there ends the iteration, with the best certified iterate (or a refusal).
            guard let cholX = try? Cholesky(x), let cholZ = try? Cholesky(z) else { return try stop(reason: .inaccurate) }
            let zInverse = try cholZ.inverse()
            let schur = Matrix.congruenceGram(blocks: blocks, left: cholX.lower, right: try cholZ.inverseOfLower())
            let schurFactor = try factorRegularized(schur)

            // Solves the Newton system for a target σμ and an optional second-order term
            // `corrector` (ΔX_p ΔZ_p Z⁻¹), returning (ΔX, Δy, ΔZ).
            func direction(sigmaMu: Double, corrector: Matrix?) throws -> (Matrix, [Double], Matrix) {
                // ΔX = σμ Z⁻¹ − X − sym(X ΔZ Z⁻¹) − sym(corrector), ΔZ = R_d − A*(Δy)
                var base = sigmaMu * zInverse - x - (x * rd * zInverse).symmetricPart
                if let corrector { base = base - corrector.symmetricPart }
                var rhs = rp
                Vector.axpy(-1, operatorA.apply(base), &rhs)
                let dy = try schurFactor.solve(rhs)
                let dz = rd - operatorA.adjoint(dy)
                var dx = sigmaMu * zInverse - x - (x * dz * zInverse).symmetricPart
                if let corrector { dx = dx - corrector.symmetricPart }
                return (dx, dy, dz)
            }

            let (dxP, _, dzP) = try direction(sigmaMu: 0, corrector: nil)
            let alphaPP = min(1, try maxStep(cholX, dxP))
            let alphaDP = min(1, try maxStep(cholZ, dzP))
            let muAffine = Matrix.frobeniusInner(x + alphaPP * dxP, z + alphaDP * dzP) / Double(n)
            let ratio = max(0, min(1, muAffine / mu))
            let sigma = pow(ratio, max(1, 3 * min(alphaPP, alphaDP) * min(alphaPP, alphaDP)))
            let (dx, dy, dz) = try direction(sigmaMu: sigma * mu, corrector: dxP * dzP * zInverse)
            let gamma = 0.9 + 0.09 * min(alphaPP, alphaDP)
            let alphaP = min(1, gamma * (try maxStep(cholX, dx)))
            let alphaD = min(1, gamma * (try maxStep(cholZ, dz)))
            x.add(alphaP, dx)
            x = x.symmetricPart
            Vector.axpy(alphaD, dy, &y)
            z.add(alphaD, dz)
            z = z.symmetricPart
            iteration += 1
        }
    }

    /// The largest α with `S + α ΔS ⪰ 0`, from `S = LLᵀ`: `−1/λ_min(L⁻¹ ΔS L⁻ᵀ)` (∞ when λ_min ≥ 0).
    private func maxStep(_ chol: Cholesky, _ delta: Matrix) throws -> Double {
        let inverse = try chol.inverseOfLower()
        var scaled = Matrix.product(inverse * delta, .none, inverse, .transpose)
        scaled = scaled.symmetricPart
        let lambda = try scaled.smallestEigenvalue()
        return lambda >= 0 ? .infinity : -1 / lambda
    }

    /// Cholesky of the Schur complement, with the smallest diagonal shift that lets it through
    /// when round-off has made it numerically singular near the optimum.
    private func factorRegularized(_ s: Matrix) throws -> Cholesky {
        if let c = try? Cholesky(s) { return c }
        let scale = s.diagonalEntries.reduce(0) { max($0, abs($1)) }
        var shift = 1e-14 * max(scale, 1e-300)
        while shift < scale {
            if let c = try? Cholesky(s + shift * Matrix.identity(s.rows)) { return c }
            shift *= 10
        }
        return try Cholesky(s)
    }

    /// `(tr X − lowerBound) / max(rms(y), |tr X|)`: relative to the solution, or to the problem's own
    /// unit when the solution is smaller (1 on a normalized problem; never an absolute 1, which would
    /// let a problem posed at a tiny scale pass any gap).
    func relativeGap(trace: Double, lowerBound: Double) -> Double {
        let y = problem.observations
        let unit = y.isEmpty ? 0 : Vector.norm(y) / Double(y.count).squareRoot()
        let scale = max(unit, abs(trace))
        return scale > 0 ? (trace - lowerBound) / scale : 0
    }

    /// `‖r‖ / ‖y‖`, the residual `r = A(X) − y` relative to the observations (`‖r‖` when y = 0).
    func relativeResidual(_ r: [Double]) -> Double {
        let yNorm = Vector.norm(problem.observations)
        return yNorm > 0 ? Vector.norm(r) / yNorm : Vector.norm(r)
    }

    /// How far a certified iterate is from exact: `max(|gap|, residual)`.
    static func error(_ solution: Solution) -> Double {
        max(abs(solution.dualityGap), solution.residual)
    }

    /// The certificate of a final iterate: the lower bound from the scaled dual, gap and residual.
    ///
    /// The bound allows for the round-off of its own evaluation, so that it stays a bound in floating
    /// point: `λ_min(I − A*(z))` is taken `δλ = 2(n + m)ε(√n + ‖A*(z)‖_F)` lower (the error of forming
    /// the slack and of `dsyevd`), and `yᵀz` is lowered by `2mε Σ|y_i z_i|`; the scaled objective is
    /// then the smaller over that range of λ. The price is a bound about 1e-15 (relative) lower.
    func certify(x: Matrix, y: [Double], iterations: Int) throws -> Solution {
        let (n, m) = (problem.dimension, problem.count)
        let adjoint = problem.measurements.adjoint(y)
        let slack = Matrix.identity(n) - adjoint
        let lambda = try slack.smallestEigenvalue()
        let epsilon = Double.ulpOfOne
        let eigenvalueError = 2 * Double(n + m) * epsilon * (Double(n).squareRoot() + adjoint.frobeniusNorm)
        let dobj = Vector.dot(problem.observations, y)
        let dobjError = 2 * Double(m) * epsilon * zip(problem.observations, y).reduce(0) { $0 + abs($1.0 * $1.1) }
        let numerator = dobj - dobjError
        // z/(1 − min(0, λ)) is dual feasible for the true λ ∈ [λ − δλ, λ + δλ]: the least objective over that range.
        let divisor = numerator >= 0 ? 1 - min(0, lambda - eigenvalueError) : 1 - min(0, lambda + eigenvalueError)
        let lower = numerator / divisor
        let trace = x.trace
        var r = problem.measurements.apply(x)
        Vector.axpy(-1, problem.observations, &r)
        return Solution(
            x: x, dual: y, nuclearNorm: trace, lowerBound: lower, dualityGap: relativeGap(trace: trace, lowerBound: lower),
            residual: relativeResidual(r), iterations: iterations)
    }
}
