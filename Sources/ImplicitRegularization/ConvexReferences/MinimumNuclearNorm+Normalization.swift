import LinearAlgebra

extension MinimumNuclearNorm {
    /// The problem in units of its own scale, so that every tolerance of the solver is relative.
    ///
    /// With `α = max_i ‖A_i‖_F` (1 for completion, whose `A_i` have norms 1 and 1/√2),
    /// `rms(y) = ‖y‖/√m` and `c = rms(y)/α`, the normalized problem is
    /// `min tr X̃ s.t. ⟨A_i/α, X̃⟩ = y_i/rms(y), X̃ ⪰ 0` (measurements with `A_i = 0` and `y_i = 0`
    /// dropped, m counting those kept): its observations have root mean square 1, so that a problem
    /// posed at unit scale (Figures 2–4's) is solved as posed, up to rounding. Its solutions are `X̃ = X/c`, its duals
    /// `z̃ = α z` (the slack `I − A*(z)` is the same), its Farkas certificates `w̃ = α c w`
    /// (`A*(w) = Ã*(w̃)/c`). Scaling y, or A, by any s > 0 gives the same normalized problem up
    /// to the rounding of one division, hence the same status and an answer scaled by s (or 1/s).
    ///
    /// Two cases need no solver: y = 0, whose minimum is X = 0 (`tr X ≥ 0` on the PSD cone, and
    /// z = 0 is dual feasible with objective 0); and a zero measurement `A_i = 0` with `y_i ≠ 0`,
    /// for which `w = −e_i/y_i` is an exact Farkas certificate (`yᵀw = −1`, `A*(w) = 0`).
    enum Normalization {
        case zero
        case zeroMeasurement(index: Int, value: Double)
        case normalized(Scaled)

        struct Scaled {
            /// The normalized problem.
            var problem: MeasurementProblem
            /// α = max_i ‖A_i‖_F.
            var operatorScale: Double
            /// c = rms(y)/α: X = c X̃.
            var solutionScale: Double
            /// The original index of each measurement kept.
            var kept: [Int]

            /// The same problem with X's unit `t` times larger: observations divided by t.
            func rescaled(by t: Double) -> Scaled {
                var scaled = self
                scaled.problem.observations = problem.observations.map { $0 / t }
                scaled.problem.entries = problem.entries?.mapValues { $0 / t }
                scaled.solutionScale = solutionScale * t
                return scaled
            }

            /// The normalized problem's outcome in the original units.
            func restore(_ outcome: Outcome, original: MeasurementProblem) -> Outcome {
                let m = original.count
                func spread(_ values: [Double], dividedBy d: Double) -> [Double] {
                    var full = [Double](repeating: 0, count: m)
                    for (k, i) in kept.enumerated() { full[i] = values[k] / d }
                    return full
                }
                switch outcome {
                case var .solution(solution):
                    solution.x = solutionScale * solution.x
                    solution.dual = spread(solution.dual, dividedBy: operatorScale)
                    solution.nuclearNorm *= solutionScale
                    solution.lowerBound *= solutionScale
                    return .solution(solution)
                case var .infeasible(certificate):
                    certificate.w = spread(certificate.w, dividedBy: operatorScale * solutionScale)
                    certificate.smallestEigenvalue /= solutionScale
                    certificate.roundOff /= solutionScale
                    certificate.nuclearNormBound *= solutionScale
                    return .infeasible(certificate)
                }
            }
        }

        static func of(_ problem: MeasurementProblem) -> Normalization {
            let y = problem.observations
            if y.allSatisfy({ $0 == 0 }) { return .zero }
            switch problem.measurements.storage {
            case .entries:
                let rms = Vector.norm(y) / Double(y.count).squareRoot()
                var scaled = problem
                scaled.observations = y.map { $0 / rms }
                scaled.entries = problem.entries?.mapValues { $0 / rms }
                return .normalized(Scaled(problem: scaled, operatorScale: 1, solutionScale: rms, kept: Array(y.indices)))
            case let .dense(packed):
                let width = packed.columns
                let rowNorms = (0..<packed.rows).map { i in Vector.norm((0..<width).map { packed[i, $0] }) }
                if let i = y.indices.first(where: { rowNorms[$0] == 0 && y[$0] != 0 }) { return .zeroMeasurement(index: i, value: y[i]) }
                let kept = y.indices.filter { rowNorms[$0] > 0 }
                let alpha = rowNorms.max() ?? 0
                let rms = Vector.norm(kept.map { y[$0] }) / Double(kept.count).squareRoot()
                var normalized = Matrix(rows: kept.count, columns: width)
                for (k, i) in kept.enumerated() { for j in 0..<width { normalized[k, j] = packed[i, j] / alpha } }
                let problem = MeasurementProblem(
                    name: problem.name, kind: problem.kind,
                    measurements: SymmetricMeasurements(dimension: problem.dimension, packed: normalized),
                    observations: kept.map { y[$0] / rms })
                return .normalized(Scaled(problem: problem, operatorScale: alpha, solutionScale: rms / alpha, kept: kept))
            }
        }
    }

    /// The answer when y = 0: X = 0, certified by the dual z = 0 (`I − A*(0) = I ⪰ 0`, objective 0).
    static func zeroSolution(_ problem: MeasurementProblem) -> Solution {
        let n = problem.dimension
        return Solution(
            x: Matrix(rows: n, columns: n), dual: [Double](repeating: 0, count: problem.count), nuclearNorm: 0, lowerBound: 0,
            dualityGap: 0, residual: 0, iterations: 0, status: .solved,
            message: "y = 0: X = 0 is the minimum (tr X ≥ 0 for X ⪰ 0), certified by the dual z = 0")
    }

    /// The exact Farkas certificate of a zero measurement `A_i = 0` observed as `y_i ≠ 0`: `w = −e_i/y_i`.
    static func zeroMeasurementCertificate(_ problem: MeasurementProblem, index: Int, value: Double) -> InfeasibilityCertificate {
        var w = [Double](repeating: 0, count: problem.count)
        w[index] = -1 / value
        return InfeasibilityCertificate(w: w, smallestEigenvalue: 0, roundOff: 0, nuclearNormBound: .infinity, iterations: 0)
    }

    /// The Farkas certificate `w` checked against its own round-off (see ``InfeasibilityCertificate``),
    /// on a normalized problem (every `‖A_i‖_F ≤ 1`).
    func farkasCertificate(w: [Double], iterations: Int) throws -> InfeasibilityCertificate {
        let (n, m) = (problem.dimension, problem.count)
        let adjoint = problem.measurements.adjoint(w)
        let lambda = try adjoint.smallestEigenvalue()
        let epsilon = Double.ulpOfOne
        let roundOff = 2 * Double(n + m) * epsilon * (w.reduce(0) { $0 + abs($1) } + adjoint.frobeniusNorm)
        let yw = Vector.dot(problem.observations, w)
        let ywError = 2 * Double(m) * epsilon * zip(problem.observations, w).reduce(0) { $0 + abs($1.0 * $1.1) }
        let excess = -yw - ywError  // yᵀw < −excess for the true product
        let bound: Double = if excess <= 0 { 0 } else if lambda - roundOff >= 0 { .infinity } else { excess / (roundOff - lambda) }
        return InfeasibilityCertificate(w: w, smallestEigenvalue: lambda, roundOff: roundOff, nuclearNormBound: bound, iterations: iterations)
    }
}
