import Foundation
import LinearAlgebra

/// The minimum nuclear norm completion of a rectangular matrix, the reference of Figure 3 (iv):
///
///     min ‖X‖_*  s.t.  X_ij = y_ij on Ω,
///
/// solved in factored form, through the variational form of the nuclear norm
/// `‖X‖_* = min_{UVᵀ = X} ½(‖U‖²_F + ‖V‖²_F)` (Srebro, Rennie & Jaakkola 2005; Burer & Monteiro 2003):
///
///     min_{U, V} ½(‖U‖²_F + ‖V‖²_F)  s.t.  P_Ω(UVᵀ) = y,      U n₁ × k, V n₂ × k,
///
/// by the method of multipliers. Each outer iteration minimises the augmented Lagrangian
///
///     L_ρ(U, V; λ) = ½(‖U‖² + ‖V‖²) + (ρ/2)‖P_Ω(UVᵀ) − y − λ/ρ‖²
///
/// by ``LimitedMemoryBFGS`` (`innerIterations` steps, 5 pairs), each step the exact minimiser along its
/// direction (L_ρ is a quartic in the step: ``ExactLineSearch``), then sets `λ ← λ − ρ(P_Ω(UVᵀ) − y)`.
/// Every product is sparse, O(m·k) (``ObservedEntries``). The rank k defaults to the smallest with
/// `k(k+1)/2 > m`: some minimiser has a rank below it (Pataki 1998), and above it the factored
/// problem has no spurious second-order critical points for generic y (Boumal, Voroninski &
/// Bandeira 2016). ρ defaults to `4/rms(y)`, which makes the iteration invariant to the scale of y.
///
/// After every outer iteration the answer is bracketed; both bounds hold whatever the state of the
/// iteration, so the gap is certified:
/// - **upper bound**: `‖Z‖_*` for Z = UVᵀ with its observed entries set to y, an exactly feasible
///   point (all its singular values, LAPACK `dgesdd`);
/// - **lower bound**: `⟨λ, y⟩ / ‖P_Ω*(λ)‖_op`, by weak duality: every feasible X has
///   `‖X‖_* ≥ ⟨P_Ω*(λ), X⟩ / ‖P_Ω*(λ)‖_op = ⟨λ, y⟩ / ‖P_Ω*(λ)‖_op` (the norm from the full SVD,
///   never an estimate from below);
/// and it stops when `(upper − lower)/upper ≤ gapTolerance`.
public struct MinimumNuclearNormCompletion: Sendable {
    public struct Options: Sendable {
        public var gapTolerance = 1e-4
        public var maxIterations = 100
        public var innerIterations = 200
        /// k; nil for the smallest k with k(k+1)/2 > m (at most min(n₁, n₂)).
        public var rank: Int?
        /// ρ; nil for 4/rms(y).
        public var penalty: Double?
        /// Pairs kept by L-BFGS.
        public var memory = 5
        /// The seed of the random start (`RandomSource(seed, stream: 6)`).
        public var seed: UInt64 = 0
        /// Threads for the sparse products and the vector operations (they pay off from about a
        /// million multiply-adds).
        public var threads = 2
        public init() {}
    }

    public struct Solution: Sendable, SolverResult {
        /// The feasible point whose nuclear norm is the upper bound.
        public var x: Matrix
        public var nuclearNorm: Double
        public var lowerBound: Double
        public var relativeGap: Double
        /// Outer (multiplier) iterations.
        public var iterations: Int
        /// L-BFGS steps over all outer iterations.
        public var innerIterations: Int
        public var rank: Int
        /// `.solved` when the certified relative gap is within `gapTolerance`; `.iterationLimit`
        /// after `maxIterations` outer iterations short of it; `.diverged` when the bounds are not finite.
        public var status: SolverStatus
        public var message: String
    }

    public let entries: ObservedEntries
    public var options: Options

    public init(entries: ObservedEntries, options: Options = Options()) {
        self.entries = entries
        self.options = options
    }

    /// The default k: the smallest with k(k+1)/2 > m, at most min(n₁, n₂).
    public static func defaultRank(rows: Int, columns: Int, observations m: Int) -> Int {
        var k = 1
        while k * (k + 1) / 2 <= m { k += 1 }
        return min(k, rows, columns)
    }

    /// `progress(iteration, upper, lower, innerIterations)` after each outer iteration.
    public func solve(progress: ((Int, Double, Double, Int) -> Void)? = nil) throws -> Solution {
        let (n1, n2, m) = (entries.rows, entries.columns, entries.count)
        let k = options.rank ?? Self.defaultRank(rows: n1, columns: n2, observations: m)
        precondition(k >= 1 && m > 0, "a rank of at least 1 and at least one observation")
        let y = entries.values
        let rms = Vector.norm(y) / Double(m).squareRoot()
        let rho = options.penalty ?? 4 / max(rms, .leastNormalMagnitude)
        let threads = m * k >= 1_000_000 ? max(options.threads, 1) : 1

        // z = (U, V) by rows; entries N(0, σ²) with σ² = rms/√k, so that UVᵀ starts at the scale of y.
        var random = RandomSource(seed: options.seed, stream: 6)
        let sigma = (rms / Double(k).squareRoot()).squareRoot()
        let z = SharedBuffer(random.normals((n1 + n2) * k).map { $0 * sigma }, threads: threads)
        let lambda = SharedBuffer(count: m)
        let target = SharedBuffer(count: m)
        var bfgs = LimitedMemoryBFGS(dimension: z.count, memory: options.memory, threads: threads)
        // The buffers free themselves; they are used through their pointers, so keep them to the end.
        defer { withExtendedLifetime((z, lambda, target)) {} }
        let objective = AugmentedLagrangian(entries: entries, rank: k, rho: rho, threads: threads, target: target)

        var innerTotal = 0
        var best: Solution?
        var lower = -Double.infinity
        for iteration in 1...max(options.maxIterations, 1) {
            // t = y + λ/ρ: L_ρ = ½‖z‖² + (ρ/2)‖P_Ω(UVᵀ) − t‖² + const.
            for j in 0..<m { target.pointer[j] = y[j] + lambda.pointer[j] / rho }
            bfgs.reset()  // each subproblem has its own target t: its own curvature pairs
            innerTotal += bfgs.minimize(objective, from: z, iterations: options.innerIterations)
            // λ ← λ − ρ(P_Ω(UVᵀ) − y).
            objective.sampled(z, into: target)
            for j in 0..<m { lambda.pointer[j] -= rho * (target.pointer[j] - y[j]) }

            // The bounds.
            let u = Matrix(rows: k, columns: n1, columnMajor: Array(UnsafeBufferPointer(start: z.pointer, count: n1 * k)))
            let v = Matrix(rows: k, columns: n2, columnMajor: Array(UnsafeBufferPointer(start: z.pointer + n1 * k, count: n2 * k)))
            var feasible = Matrix.product(u, .transpose, v, .none)
            entries.place(y, into: &feasible)
            let upper = try feasible.nuclearNorm()
            let multipliers = lambda.array
            let candidateLower = Vector.dot(multipliers, y) / max(try entries.zeroFilled(multipliers).spectralNorm(), .leastNormalMagnitude)
            lower = max(lower, candidateLower)
            // The first point always; then a lower upper bound (a NaN one, from a diverged iterate, never wins).
            if best == nil || upper < best!.nuclearNorm || best!.nuclearNorm.isNaN {
                best = Solution(x: feasible, nuclearNorm: upper, lowerBound: lower, relativeGap: .nan,
                                iterations: iteration, innerIterations: innerTotal, rank: k, status: .iterationLimit, message: "")
            }
            best!.lowerBound = lower
            best!.relativeGap = (best!.nuclearNorm - lower) / best!.nuclearNorm
            best!.iterations = iteration
            best!.innerIterations = innerTotal
            progress?(iteration, best!.nuclearNorm, lower, innerTotal)
            if best!.relativeGap <= options.gapTolerance {
                best!.status = .solved
                break
            }
        }
        var solution = best!
        let gap = solution.relativeGap.formatted(significantDigits: 3)
        let bounds = "\(solution.lowerBound.formatted(significantDigits: 8)) ≤ min ≤ \(solution.nuclearNorm.formatted(significantDigits: 8))"
        if !solution.nuclearNorm.isFinite || !solution.lowerBound.isFinite {
            solution.status = .diverged
            solution.message = "the bounds are not finite after \(solution.iterations) outer iterations"
        } else if solution.status == .solved {
            solution.message = "certified \(bounds), relative gap \(gap) ≤ \(options.gapTolerance)"
        } else {
            solution.message = "stopped at the cap of \(options.maxIterations) outer iterations: certified \(bounds), relative gap \(gap) (target \(options.gapTolerance))"
        }
        return solution
    }
}

/// `L_ρ(z) = ½‖z‖² + (ρ/2)‖P_Ω(UVᵀ) − t‖²` for z = (U, V) stored by rows (U's n₁ rows, then V's n₂),
/// its gradient `z + ρ (S V, Sᵀ U)` (S the sparse residual `P_Ω(UVᵀ) − t`), and its exact minimiser
/// along a direction. Keeps the residual of the point it last evaluated, which the step reuses.
final class AugmentedLagrangian: ExactlySearchable {
    let entries: ObservedEntries
    let rank: Int
    let rho: Double
    let threads: Int
    let target: SharedBuffer
    private let residual, first, quadratic: SharedBuffer

    init(entries: ObservedEntries, rank: Int, rho: Double, threads: Int, target: SharedBuffer) {
        (self.entries, self.rank, self.rho, self.threads, self.target) = (entries, rank, rho, threads, target)
        (residual, first, quadratic) = (SharedBuffer(count: entries.count), SharedBuffer(count: entries.count), SharedBuffer(count: entries.count))
    }

    var dimension: Int { (entries.rows + entries.columns) * rank }
    private var rowsOfU: Int { entries.rows * rank }

    /// `out_k = ⟨u_{i_k}, v_{j_k}⟩`.
    func sampled(_ z: SharedBuffer, into out: SharedBuffer) {
        entries.sampledProducts(z.pointer, z.pointer + rowsOfU, rank: rank, into: out.pointer, threads: threads)
    }

    func evaluate(_ z: SharedBuffer, gradient: SharedBuffer) -> Double {
        let squared = entries.residualAndProduct(
            z.pointer, z.pointer + rowsOfU, rank: rank, target: target.pointer, residual: residual.pointer,
            product: gradient.pointer, threads: threads)
        entries.transposedProduct(residual.pointer, z.pointer, rank: rank, into: gradient.pointer + rowsOfU, threads: threads)
        gradient.scale(by: rho)
        gradient.add(1, z)
        return 0.5 * z.dot(z) + 0.5 * rho * squared
    }

    /// Along d = (D_U, D_V), `P_Ω((U + sD_U)(V + sD_V)ᵀ) − t = r + s a + s² b` with
    /// `a = P_Ω(D_U Vᵀ + U D_Vᵀ)`, `b = P_Ω(D_U D_Vᵀ)`, so `L_ρ/ρ = ½‖r + s a + s² b‖² + ½‖z + s d‖²/ρ`:
    /// the quartic of ``ExactLineSearch`` with the regulariser's terms added to `‖r‖²`, `⟨r, a⟩`, `‖a‖²`.
    func exactStep(from z: SharedBuffer, along d: SharedBuffer) -> Double {
        let (u, v, du, dv) = (z.pointer, z.pointer + rowsOfU, d.pointer, d.pointer + rowsOfU)
        entries.sampledProducts(along: du, dv, from: u, v, rank: rank, first: first.pointer, second: quadratic.pointer, threads: threads)
        let (r, a, b) = (residual.readable, first.readable, quadratic.readable)
        let dot = Vector.dot as (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Double
        return ExactLineSearch.step(
            rr: dot(r, r) + z.dot(z) / rho, ra: dot(r, a) + z.dot(d) / rho,
            rb: dot(r, b), aa: dot(a, a) + d.dot(d) / rho, ab: dot(a, b), bb: dot(b, b), maxStep: 1e6)
    }
}
