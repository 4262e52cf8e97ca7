import Foundation
import LinearAlgebra

extension GradedGradientFlow {
    /// The flow's linear phase in closed form, on a graded factor: from `U0 = e^{logNorm} G` (G n × d,
    /// d ≤ n, of full column rank) while `‖U‖_F ≤ norm`, `dU/dt = 2SU` with `S = A*(y) = V diag(λ) Vᵀ`,
    /// so `U(t) = e^{logNorm} V diag(e^{2λt}) C`, `C = VᵀG` (the dropped term is as in
    /// ``ExhaustiveSearch/linearPhase(of:from:to:)``: a relative `O(‖A‖²·norm²/λ_max)`). t₀ is where
    /// `‖U(t₀)‖_F = norm` (``ExhaustiveSearch/linearPhaseTime(eigenvalues:logRowNorms:logTarget:)``).
    ///
    /// U(t₀) is returned graded without ever being formed densely (its rows' scales `e^{g_i}`,
    /// `g_i = logNorm + 2λ_i t₀`, may span hundreds of orders of magnitude): with P ordering the rows by
    /// decreasing g and `PC = LQᵀ` (L lower trapezoidal, Q orthogonal: Gram–Schmidt on the rows of PC in that
    /// order, twice), `U(t₀) Q = V Pᵀ L̂ diag(e^{g_j})`, `L̂_kj = L_kj e^{g_k − g_j}` (k ≥ j, each at most
    /// |L_kj|): column j is `e^{g_j} V Pᵀ L̂_j`, exactly representable at its own scale. The result is then
    /// re-graded (``GradedFactor/regrade(tolerance:maxSweeps:)``). Nil when `e^{logNorm}‖G‖_F ≥ norm`, S has
    /// no positive eigenvalue on G's span, or C is rank deficient.
    public static func linearPhase(
        of problem: MeasurementProblem, from direction: Matrix, logNorm: Double, to norm: Double
    ) -> (factor: GradedFactor, time: Double)? {
        let (n, d) = (direction.rows, direction.columns)
        let size = direction.frobeniusNorm
        guard d <= n, size > 0, logNorm + log(size) < log(norm),
              let eigen = try? SymmetricEigendecomposition(problem.measurements.adjoint(problem.observations)) else { return nil }
        let logStart = logNorm + log(size)
        let c = Matrix.product(eigen.vectors, .transpose, (1 / size) * direction, .none)
        let logRows = (0..<n).map { i in logStart + log((0..<d).reduce(0.0) { $0 + c[i, $1] * c[i, $1] }.squareRoot()) }
        guard (0..<n).contains(where: { eigen.values[$0] > 0 && logRows[$0].isFinite }) else { return nil }
        let t = ExhaustiveSearch.linearPhaseTime(eigenvalues: eigen.values, logRowNorms: logRows, logTarget: log(norm))
        let g = (0..<n).map { logStart + 2 * eigen.values[$0] * t }
        let order = (0..<n).sorted { g[$0] > g[$1] }
        // L of PC = LQᵀ, row by row in the order of decreasing g.
        var basis: [[Double]] = []
        var l = Matrix(rows: n, columns: d)
        for (k, i) in order.enumerated() {
            var row = (0..<d).map { c[i, $0] }
            for _ in 0..<2 {
                for (m, q) in basis.enumerated() {
                    let a = Vector.dot(q, row)
                    l[k, m] += a
                    Vector.axpy(-a, q, &row)
                }
            }
            if basis.count < d {
                let length = Vector.norm(row)
                guard length > 1e-12 else { return nil }
                l[k, basis.count] = length
                basis.append(row.map { $0 / length })
            }
        }
        // Column j: V Pᵀ L̂_j, L̂_kj = L_kj e^{g_k − g_j}.
        var directions = Matrix(rows: n, columns: d)
        for j in 0..<d {
            for k in j..<n {
                let entry = l[k, j] * exp(g[order[k]] - g[order[j]])
                for r in 0..<n { directions[r, j] += entry * eigen.vectors[r, order[k]] }
            }
        }
        var factor = GradedFactor(directions: directions, logNorms: (0..<d).map { g[order[$0]] })
        factor.regrade()
        return (factor, t)
    }
}
