import Foundation
import LinearAlgebra

extension ExhaustiveSearch {
    /// Where a flow from a tiny start is still linear: ‖U‖_F up to this, `A(UUᵀ)` is at most
    /// `1e-12·‖A‖²` beside y, and the flow's linear phase is taken in closed form
    /// (``linearPhase(of:from:to:)``).
    public static let linearPhaseNorm = 1e-6

    /// The gradient flow's linear phase in closed form. While ‖U‖ is small, `r = A(UUᵀ) − y ≈ −y` and
    /// the flow `dU/dt = −2A*(r)U` is `dU/dt = 2SU`, `S = A*(y)`, solved by `U(t) = exp(2tS) U0`:
    /// with `S = V diag(λ) Vᵀ` and `C = VᵀU0`, `‖U(t)‖²_F = Σ_i e^{4λ_i t}‖C_i‖²` (rows C_i), increasing
    /// in t when some λ_i > 0. Returns U(t₀) and t₀ for the t₀ where `‖U(t₀)‖_F = norm` (found by
    /// bisection on the logarithm, which never overflows, so U0 may be 1e-300), or nil when
    /// `‖U0‖_F ≥ norm` or S has no positive eigenvalue on U0's span.
    ///
    /// The dropped term `−2A*(A(UUᵀ))U` is at most `2‖A‖²‖U‖²` times ‖U‖ beside `2λ_max‖U‖`: while
    /// ‖U‖ ≤ 1e-6 it changes U(t₀) by a relative `O(‖A‖²·1e-12/λ_max)`, below the integrator's rtol.
    /// The flow from U(t₀) then runs on ``GradientFlow`` with its absolute tolerance scaled to 1e-6
    /// instead of ᾱ. Measured on instance 9559 (X₀₀ = X₁₁ = 1, X₀₁ = X₀₂ = 1/9): from ᾱ = 1e-100 the
    /// integrated flow (6,489 steps) and this one (about 600) give the same Δ to within 1e-9 (the tests).
    public static func linearPhase(of problem: MeasurementProblem, from initial: Matrix, to norm: Double) -> (factor: Matrix, time: Double)? {
        let start = initial.frobeniusNorm
        guard start > 0, start < norm,
              let eigen = try? SymmetricEigendecomposition(problem.measurements.adjoint(problem.observations)) else { return nil }
        // C of U0/‖U0‖, so that its squares do not underflow when ‖U0‖ is 1e-300; ‖U0‖ goes into the logarithms.
        let c = Matrix.product(eigen.vectors, .transpose, (1 / start) * initial, .none)
        let n = c.rows
        // log‖C_i‖: −∞ for a row that U0 does not reach.
        let logRows = (0..<n).map { i in log(start) + log((0..<c.columns).reduce(0.0) { $0 + c[i, $1] * c[i, $1] }.squareRoot()) }
        guard (0..<n).contains(where: { eigen.values[$0] > 0 && logRows[$0].isFinite }) else { return nil }
        let t = linearPhaseTime(eigenvalues: eigen.values, logRowNorms: logRows, logTarget: log(norm))
        var scaled = c
        for i in 0..<n {
            let growth = exp(log(start) + 2 * eigen.values[i] * t)
            for j in 0..<c.columns { scaled[i, j] *= growth }
        }
        return (eigen.vectors * scaled, t)
    }

    /// The time t₀ ≥ 0 at which `log‖U(t₀)‖_F = logTarget` for `U(t) = exp(2tS) U0`, `S = V diag(λ) Vᵀ`, given λ
    /// and the logarithms of the row norms of `VᵀU0` (−∞ for a row U0 does not reach; some row with λ_i > 0
    /// must be finite): `log‖U(t)‖_F = log √(Σ_i e^{2(logRow_i + 2λ_i t)})`, increasing in t, by bisection to a
    /// relative 1e-15 in t, on logarithms so that U0 may be far below Float64's range.
    static func linearPhaseTime(eigenvalues: [Double], logRowNorms logRows: [Double], logTarget target: Double) -> Double {
        let n = logRows.count
        func logNorm(_ t: Double) -> Double {
            let terms = (0..<n).map { logRows[$0] + 2 * eigenvalues[$0] * t }
            let top = terms.max()!
            return top + 0.5 * log(terms.reduce(0.0) { $0 + exp(2 * ($1 - top)) })
        }
        var (low, high) = (0.0, 1.0)
        while logNorm(high) < target { (low, high) = (high, 2 * high) }
        for _ in 0..<200 where high - low > 1e-15 * high {
            let middle = (low + high) / 2
            if logNorm(middle) < target { low = middle } else { high = middle }
        }
        return high
    }
}
