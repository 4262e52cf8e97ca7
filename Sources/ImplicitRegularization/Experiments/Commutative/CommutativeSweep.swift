import Foundation
import LinearAlgebra

/// Theorem 1's experiment (§4, the commutative case): the diagonal flow from `U0 = αI`
/// (``CommutativeFlow``) for α from 1 down to 1e-8, against the ℓ1 minimum
/// `min ‖x‖₁ s.t. Ax = b, x ≥ 0` — the minimum nuclear norm over diagonal X.
///
/// The problem: an m × n = 8 × 20 design A with N(0, 1) entries (``RandomSource``, seed 11, stream 9,
/// row-major), a planted `x* ≥ 0` with entries `0.5 + U(0, 1)` at indices 2, 7, 11 and 18, and
/// `b = A x*`. The ℓ1 minimum is solved by ``MinimumNuclearNorm`` on the same problem written with
/// diagonal matrices (``CommutativeFlow/matrixProblem``), to its certified relative gap 1e-8.
///
/// The sweep: `α = 10^e` for e = 0, −0.5, …, −8 (17 values), or e = 0, −2, −4, −6, −8 in the quick
/// profile; each flow to its relative residual 1e-9 (``CommutativeFlow/residualTolerance``).
public struct CommutativeSweep: Sendable {
    /// One flow of the sweep: α, `‖x_α‖₁`, its excess `(‖x_α‖₁ − min)/min` over the ℓ1 minimum,
    /// the relative residual `‖Ax − b‖/‖b‖` where it stopped, its time, steps and status.
    public struct Row: Sendable, Codable, Equatable {
        public var alpha: Double
        public var l1Norm: Double
        public var excess: Double
        public var relativeResidual: Double
        public var time: Double
        public var steps: Int
        public var status: String

        public init(alpha: Double, l1Norm: Double, excess: Double, relativeResidual: Double, time: Double, steps: Int, status: String) {
            (self.alpha, self.l1Norm, self.excess, self.relativeResidual) = (alpha, l1Norm, excess, relativeResidual)
            (self.time, self.steps, self.status) = (time, steps, status)
        }
    }

    /// The sweep's rows beside the ℓ1 minimum, and what the report reads from them.
    ///
    /// Theorem 1 is about the limit α → 0: it holds here when the excess falls monotonically as α
    /// shrinks and ends below ``Outcome/closeToTheMinimum`` (1e-4, far above the flow's residual target
    /// 1e-9, so that the residual cannot make it). The rate is the least-squares slope of
    /// `log₁₀ excess` against `log₁₀ α` over the rows with `α ≤` ``Outcome/rateRange`` (1e-4) and a
    /// positive excess (``CommutativeSweep/slope(_:_:)``).
    public struct Outcome: Sendable, Codable {
        /// The excess at the smallest α below which the flow has reached the minimum.
        public static let closeToTheMinimum = 1e-4
        /// The largest α of the rate's fit.
        public static let rateRange = 1e-4

        /// The rows, α decreasing.
        public var rows: [Row]
        /// The certified ℓ1 minimum and its relative duality gap.
        public var minimum: Double, minimumGap: Double
        /// `‖x*‖₁`, the planted solution's ℓ1 norm.
        public var plantedL1Norm: Double

        public init(rows: [Row], minimum: Double, minimumGap: Double, plantedL1Norm: Double) {
            (self.rows, self.minimum, self.minimumGap, self.plantedL1Norm) = (rows, minimum, minimumGap, plantedL1Norm)
        }

        /// Every flow reached its residual target (`.solved`).
        public var everyFlowSolved: Bool { rows.allSatisfy { $0.status == SolverStatus.solved.rawValue } }
        /// The excess never grows as α shrinks.
        public var excessFallsMonotonically: Bool { zip(rows, rows.dropFirst()).allSatisfy { $0.excess >= $1.excess } }
        /// Theorem 1's limit, as far as the sweep sees it: a monotone fall to below ``closeToTheMinimum``.
        public var approachesTheMinimum: Bool { excessFallsMonotonically && excessAtSmallestAlpha < Self.closeToTheMinimum }
        /// The excess at the largest α (1).
        public var excessAtLargestAlpha: Double { rows.first?.excess ?? .nan }
        /// The smallest α and its excess.
        public var smallestAlpha: Double { rows.last?.alpha ?? .nan }
        public var excessAtSmallestAlpha: Double { rows.last?.excess ?? .nan }
        /// The slope of `log₁₀ excess` against `log₁₀ α` for `α ≤ rateRange` (excess ∝ α^slope).
        public var rate: Double {
            let fitted = rows.filter { $0.alpha <= Self.rateRange && $0.excess > 0 }
            return CommutativeSweep.slope(fitted.map { log10($0.alpha) }, fitted.map { log10($0.excess) })
        }

        /// What the first block prints: the ℓ1 minimum with its certified gap, and `‖x*‖₁`.
        public var log: String {
            "ℓ1 minimum \(minimum) (certified gap \(String(format: "%.1e", minimumGap))); ‖x*‖₁ = \(plantedL1Norm)"
        }
    }

    /// The SDP ended without certifying the ℓ1 minimum.
    public struct UncertifiedMinimum: Error, CustomStringConvertible {
        public var status: SolverStatus
        public var message: String
        public var description: String { "the ℓ1 minimum is not certified (\(status.rawValue)): \(message)" }
    }

    /// The problem's size, m × n.
    public static let measurements = 8, dimension = 20
    /// The support of x*.
    public static let support = [2, 7, 11, 18]

    public let flow: CommutativeFlow
    public let planted: [Double]
    /// The exponents e of `α = 10^e`, decreasing.
    public let exponents: [Double]
    public let quick: Bool

    /// The problem and the α grid of the full profile, or of the quick one.
    public init(quick: Bool) {
        var random = RandomSource(seed: 11, stream: 9)
        let (m, n) = (Self.measurements, Self.dimension)
        let design = Matrix(rows: m, columns: n, rowMajor: random.normals(m * n))
        var planted = [Double](repeating: 0, count: n)
        for k in Self.support { planted[k] = 0.5 + random.uniform() }
        self.planted = planted
        flow = CommutativeFlow(design: design, observations: design * planted)
        exponents = quick ? [0, -2, -4, -6, -8] : stride(from: 0.0, through: -8, by: -0.5).map { $0 }
        self.quick = quick
    }

    /// The line the report prints under its title.
    public var banner: String { quick ? "QUICK PROFILE: \(exponents.count) values of α" : "Full profile: \(exponents.count) values of α" }

    /// The ℓ1 minimum (certified by the SDP), then the flow from each α; `progress(done, total)` after each flow.
    /// Throws ``UncertifiedMinimum`` when the SDP does not certify the minimum (x* is feasible, so one exists).
    public func run(progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Outcome {
        let reference = try MinimumNuclearNorm(problem: flow.matrixProblem).solve()
        guard let minimum = reference.solved else {
            throw UncertifiedMinimum(status: reference.status, message: reference.message)
        }
        let rows = exponents.enumerated().map { index, e in
            defer { progress(index + 1, exponents.count) }
            let alpha = pow(10, e)
            let result = flow.run(initialScale: alpha)
            return Row(
                alpha: alpha, l1Norm: result.l1Norm, excess: (result.l1Norm - minimum.nuclearNorm) / minimum.nuclearNorm,
                relativeResidual: result.relativeResidual, time: result.time, steps: result.steps, status: result.status.rawValue)
        }
        return Outcome(rows: rows, minimum: minimum.nuclearNorm, minimumGap: minimum.dualityGap, plantedL1Norm: planted.reduce(0, +))
    }

    /// The least-squares slope of y against x, `Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²`; NaN with fewer than two
    /// distinct x.
    public static func slope(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "one y per x")
        guard !x.isEmpty else { return .nan }
        let (meanX, meanY) = (x.reduce(0, +) / Double(x.count), y.reduce(0, +) / Double(y.count))
        let (dx, dy) = (x.map { $0 - meanX }, y.map { $0 - meanY })
        let spread = Vector.dot(dx, dx)
        return spread > 0 ? Vector.dot(dx, dy) / spread : .nan
    }
}
