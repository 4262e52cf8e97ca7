import LinearAlgebra

extension MinimumNuclearNorm {
    /// Polishing on the optimal face, after the interior-point iteration.
    ///
    /// Near a low-rank optimum X* = U*U*ᵀ (rank k < n) the iterates of an interior-point method
    /// are ill-conditioned, and how far they get depends on round-off, hence on the BLAS kernel
    /// (on the degenerate 3 × 3 instances of Figure 4 one kernel certifies a gap of 6e-12, another
    /// stops at −1.3e-8 with X off the constraints). The optimal face is found to first order long
    /// before that, so each side is finished on it instead:
    ///
    /// - **primal**: Gauss–Newton on `A(UUᵀ) = y` over U (n × k), from `U = V_k Λ_k^{1/2}` (the
    ///   top k eigenpairs of X, k at each of the four widest gaps of at least 10× in X's spectrum above
    ///   1e-10·λ₁), each step the
    ///   minimum-norm solution of the linearised system (LAPACK `dgelsd`, singular values below 1e-12·σ₁
    ///   dropped), halved until the residual falls, for as long as it falls.
    ///   The result UUᵀ is PSD by construction and feasible to round-off. Its trace exceeds the
    ///   minimum by `⟨Z*, UUᵀ⟩ = ‖Z*^{1/2}U‖²`, second order in the distance to X*;
    /// - **dual**: complementarity `Z V = 0` on the face's basis V, i.e. `A*(z) V = V`, solved for the
    ///   correction of the interior-point z of least norm (again `dgelsd`).
    ///
    /// Both are then certified exactly as an interior-point iterate is (``certify``): the lower
    /// bound from the dual scaled to feasibility, the trace and residual of UUᵀ. The caller keeps
    /// whichever certified point is nearer exact, so polishing can only help.
    func polish(_ solution: Solution) throws -> Solution? {
        let n = problem.dimension
        let spectrum = try SymmetricEigendecomposition(solution.x)
        let descending = Array(spectrum.values.reversed())
        guard let largest = descending.first, largest > 0, n > 1 else { return nil }
        // Ranks at a spectral gap, the widest first.
        // Some optimum has k(k+1)/2 ≤ m (Pataki 1998); n·k ≤ 4m bounds the Gauss–Newton systems' size.
        let m = problem.count
        let ranks = (1..<n).filter { $0 * ($0 + 1) / 2 <= m && n * $0 <= 4 * m }.compactMap { k -> (rank: Int, ratio: Double)? in
            let ratio = descending[k - 1] / max(descending[k], largest * 1e-300)
            return descending[k - 1] > 1e-10 * largest && ratio >= 10 ? (k, ratio) : nil
        }.sorted { $0.ratio > $1.ratio }.prefix(4)
        var best: Solution?
        for (k, _) in ranks {
            var start = Matrix(rows: n, columns: k)
            for a in 0..<k {
                let column = n - 1 - a  // eigenvalues ascending: the largest last
                let scale = spectrum.values[column].squareRoot()
                for i in 0..<n { start[i, a] = scale * spectrum.vectors[i, column] }
            }
            guard let factor = try feasibleFactor(from: start) else { continue }
            let dual = try complementaryDual(face: factor, from: solution.dual)
            let candidate = try certify(x: Matrix.gram(factor), y: dual, iterations: solution.iterations)
            if best.map({ Self.error(candidate) < Self.error($0) }) ?? true { best = candidate }
        }
        return best
    }

    /// Gauss–Newton on `A(UUᵀ) = y` from `start`, minimum-norm steps, while ‖A(UUᵀ) − y‖ falls;
    /// nil if no step made it fall.
    private func feasibleFactor(from start: Matrix) throws -> Matrix? {
        let (n, k, m) = (start.rows, start.columns, problem.count)
        let operatorA = problem.measurements
        func residual(_ u: Matrix) -> [Double] {
            var r = operatorA.apply(Matrix.gram(u))
            Vector.axpy(-1, problem.observations, &r)
            return r
        }
        var u = start
        var r = residual(u)
        var norm = Vector.norm(r)
        var improved = false
        for _ in 0..<20 where norm > 0 {
            // The Jacobian: column (i, a) is A(e_i u_aᵀ + u_a e_iᵀ).
            var jacobian = Matrix(rows: m, columns: n * k)
            for a in 0..<k {
                for i in 0..<n {
                    var direction = Matrix(rows: n, columns: n)
                    for j in 0..<n {
                        direction[i, j] += u[j, a]
                        direction[j, i] += u[j, a]
                    }
                    let column = operatorA.apply(direction)
                    for row in 0..<m { jacobian[row, a * n + i] = column[row] }
                }
            }
            let step = try LeastSquares(jacobian, r.map { -$0 }, relativeCondition: 1e-12).solution
            // The full step, halved until the residual falls (a degenerate face makes J ill-conditioned).
            var accepted = false
            var length = 1.0
            for _ in 0..<30 {
                var next = u
                Vector.axpy(length, step, &next.elements)
                let nextResidual = residual(next)
                let nextNorm = Vector.norm(nextResidual)
                if nextNorm < norm {
                    (u, r, norm, improved, accepted) = (next, nextResidual, nextNorm, true, true)
                    break
                }
                length /= 2
            }
            if !accepted { break }
        }
        return improved ? u : nil
    }

    /// The dual nearest `z0` that is complementary to the face spanned by `factor`:
    /// `z = z0 + δ`, δ the least-norm solution of `A*(δ) V = V − A*(z0) V` (V an orthonormal basis
    /// of the factor's range), so that `Z = I − A*(z)` vanishes on the face.
    func complementaryDual(face factor: Matrix, from z0: [Double]) throws -> [Double] {
        let (n, m) = (problem.dimension, problem.count)
        let basis = try factor.thinSingularValueDecomposition().u
        let k = basis.columns
        let operatorA = problem.measurements
        var system = Matrix(rows: n * k, columns: m)
        for i in 0..<m {
            let product = operatorA.matrix(i) * basis
            for row in 0..<(n * k) { system[row, i] = product.elements[row] }
        }
        let target = basis - operatorA.adjoint(z0) * basis
        let correction = try LeastSquares(system, target.elements).solution
        var z = z0
        Vector.axpy(1, correction, &z)
        return z
    }
}
