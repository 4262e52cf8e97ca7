import LinearAlgebra

extension GradientFlow {
    /// The matrix `W = I − cJ` of a RODAS4 step on the flow, solved without forming J
    /// (``RosenbrockStepMatrix``). With the flow's Jacobian `J = −4BᵀB − 2(I_d ⊗ S)`
    /// (``Jacobian``: B the m × N matrix of rows `vec(A_k U)ᵀ`, `S = A*(r)`, N = n·d),
    ///
    ///     W = (I_d ⊗ (I + 2cS)) + 4c BᵀB,
    ///
    /// a block diagonal with d equal n × n blocks plus a term of rank ≤ m. In the eigenbasis of
    /// `S = QΛQᵀ` (`dsyevd`, once per Jacobian) the first term is the diagonal
    /// `D = 1 + 2cλ_i` (each λ_i repeated d times) and, with `B̃ = B(I_d ⊗ Q)`, Woodbury's identity
    ///
    ///     W̃⁻¹ = D⁻¹ − 4c D⁻¹B̃ᵀ (I_m + 4c B̃D⁻¹B̃ᵀ)⁻¹ B̃D⁻¹
    ///
    /// needs one m × m factorisation (``LUFactorization``) per step: O(m²N + m³) flops against the
    /// dense LU's O(N³) (N = 2,500 and m = 300 in Figure 3: 60× fewer; n = 20, m = 120: 4×).
    ///
    /// Accuracy: Woodbury loses digits when some `D_i` is small (a step with `2cλ_i ≈ −1`), so every
    /// solve checks its residual `ρ = b̃ − W̃x̃` (O(mN)) and refines x̃ by `x̃ += W̃⁻¹ρ` until
    /// `‖ρ‖ ≤ 1e-13 (‖b̃‖ + (max|D_i| + 4c‖B‖_F²)‖x̃‖)`, a normwise backward error (the bound on ‖W̃‖
    /// times ‖x̃‖) of the kind the dense LU's `dgetrf` guarantees, at most three times; a solve that
    /// cannot meet it throws, and RODAS4 retries the step with a smaller h.
    public struct StepMatrix: RosenbrockStepMatrix {
        let measurements: SymmetricMeasurements
        let observations: [Double]
        let dimension: Int
        let rank: Int
        var jacobian: Jacobian
        var workspace: SymmetricMeasurements.FactoredWorkspace
        var residual: [Double]
        var adjointPacked: [Double]
        var adjoint: Matrix
        /// S's eigenvalues and eigenvectors (Q).
        var eigenvalues: [Double] = []
        var q: Matrix
        /// `B̃ᵀ` (N × m), and `D⁻¹B̃ᵀ` or `D^(−1/2)B̃ᵀ` (N × m), and `B̃D⁻¹B̃ᵀ` (m × m).
        var rotatedTranspose: Matrix
        var scaled: Matrix
        var capacitance: Matrix
        /// Bᵀ and B̃ᵀ seen as n × (d·m) matrices for the rotation: their storage is swapped in and out.
        var wide: Matrix
        var wideRotated: Matrix
        var rowScale: [Double]
        var right: Matrix
        var lu: LUFactorization
        /// D (N) and the c of the last factorisation.
        var diagonal: [Double]
        var c = 0.0
        /// `‖B‖_F²`, and the bound `max |D_i| + 4c‖B‖_F² ≥ ‖W̃‖₂` the solve's residual is measured against.
        var gramNorm = 0.0
        var matrixNorm = 0.0
        /// The solve's buffers: b̃, x̃, a correction, N-vectors as n × d matrices; two m-vectors.
        var rotated: Matrix
        var solution: Matrix
        var correction: [Double]
        var small: [Double]
        var smallProduct: [Double]
        var product: [Double]

        /// The step matrix of `problem`'s flow at rank d.
        public init(problem: MeasurementProblem, rank d: Int) {
            let (n, m) = (problem.dimension, problem.measurements.count)
            let size = n * d
            measurements = problem.measurements
            observations = problem.observations
            dimension = n
            rank = d
            jacobian = Jacobian(problem.measurements)
            workspace = SymmetricMeasurements.FactoredWorkspace(dimension: n, rank: d)
            residual = problem.observations
            adjointPacked = [Double](repeating: 0, count: SymmetricPacking.packedCount(n))
            adjoint = Matrix(rows: n, columns: n)
            q = Matrix(rows: n, columns: n)
            rotatedTranspose = Matrix(rows: size, columns: m)
            scaled = Matrix(rows: size, columns: m)
            capacitance = Matrix(rows: m, columns: m)
            wide = Matrix(rows: n, columns: d * m)
            wide.elements = []
            wideRotated = wide
            rowScale = [Double](repeating: 1, count: size)
            right = Matrix(rows: n, columns: d)
            right.elements = []
            lu = try! LUFactorization(Matrix.identity(m))
            diagonal = [Double](repeating: 1, count: size)
            rotated = Matrix(rows: n, columns: d)
            solution = Matrix(rows: n, columns: d)
            correction = [Double](repeating: 0, count: size)
            small = [Double](repeating: 0, count: m)
            smallProduct = [Double](repeating: 0, count: m)
            product = [Double](repeating: 0, count: size)
        }

        /// S = A*(r) and its eigendecomposition, B = [vec(A_k U)ᵀ]_k, and `B̃ᵀ = (I_d ⊗ Qᵀ)Bᵀ`:
        /// Bᵀ is, column-major, the n × (d·m) matrix `[A_k U]`, so the rotation is one `dgemm`.
        public mutating func evaluateJacobian(time _: Double, state: [Double]) {
            let (n, d, m) = (dimension, rank, measurements.count)
            let size = n * d
            state.withUnsafeBufferPointer { measurements.factoredResidual(factor: $0, rank: d, observations: observations, into: &residual, workspace: &workspace) }
            measurements.adjointPacked(residual, into: &adjointPacked)
            adjointPacked.withUnsafeBufferPointer { SymmetricPacking.unpack($0, into: &adjoint) }
            // A failed eigendecomposition leaves Λ = NaN: the factorisation then throws and the step shrinks.
            if let eigen = try? SymmetricEigendecomposition(adjoint) {
                eigenvalues = eigen.values
                q = eigen.vectors
            } else {
                eigenvalues = [Double](repeating: .nan, count: n)
            }
            jacobian.fillB(factor: Matrix(rows: n, columns: d, columnMajor: state))
            gramNorm = jacobian.b.frobeniusNorm * jacobian.b.frobeniusNorm
            // scaled ← Bᵀ (N × m), then B̃ᵀ = Qᵀ · (Bᵀ as n × (d·m)).
            jacobian.b.elements.withUnsafeBufferPointer { b in
                scaled.elements.withUnsafeMutableBufferPointer { t in
                    for column in 0..<size { for k in 0..<m { t[column + size * k] = b[k + m * column] } }
                }
            }
            swap(&wide.elements, &scaled.elements)
            swap(&wideRotated.elements, &rotatedTranspose.elements)
            Matrix.gemm(1, q, .transpose, wide, .none, 0, into: &wideRotated)
            swap(&wide.elements, &scaled.elements)
            swap(&wideRotated.elements, &rotatedTranspose.elements)
        }

        /// D = 1 + 2cλ, `G = B̃D⁻¹B̃ᵀ` (by `dsyrk` of `D^(−1/2)B̃ᵀ` when D > 0, else `dgemm`), and the LU of `I_m + 4cG`.
        public mutating func factor(identityMinus c: Double) throws {
            let (n, d, m) = (dimension, rank, measurements.count)
            let size = n * d
            self.c = c
            var positive = true
            for j in 0..<d {
                for i in 0..<n {
                    let value = 1 + 2 * c * eigenvalues[i]
                    guard value != 0, value.isFinite else { throw LinearAlgebraError.singular(routine: "GradientFlow.StepMatrix", index: Int32(i + 1)) }
                    if value < 0 { positive = false }
                    diagonal[i + n * j] = value
                }
            }
            for i in 0..<size { rowScale[i] = positive ? 1 / diagonal[i].squareRoot() : 1 / diagonal[i] }
            rotatedTranspose.elements.withUnsafeBufferPointer { t in
                scaled.elements.withUnsafeMutableBufferPointer { s in
                    rowScale.withUnsafeBufferPointer { w in
                        for k in 0..<m { for i in 0..<size { s[i + size * k] = t[i + size * k] * w[i] } }
                    }
                }
            }
            if positive {
                Matrix.syrk(1, scaled, .transpose, 0, into: &capacitance)
                capacitance.symmetrizeFromUpper()
            } else {
                Matrix.gemm(1, scaled, .transpose, rotatedTranspose, .none, 0, into: &capacitance)
            }
            try lu.refactor(identityMinus: -4 * c, times: capacitance)
            matrixNorm = diagonal.lazy.map(abs).max()! + 4 * c * gramNorm
        }

        /// `b ← W⁻¹b`: rotate, Woodbury, refine (at most three times), rotate back.
        public mutating func solve(_ b: inout [Double]) throws {
            let (n, d) = (dimension, rank)
            precondition(b.count == n * d, "GradientFlow.StepMatrix.solve: b has \(b.count) entries for \(n * d)")
            swap(&right.elements, &b)
            defer { swap(&right.elements, &b) }
            Matrix.gemm(1, q, .transpose, right, .none, 0, into: &rotated)
            var x: [Double] = []
            swap(&x, &solution.elements)  // out of self while `woodbury` mutates self's buffers
            do { try woodbury(rotated.elements, into: &x) } catch {
                swap(&x, &solution.elements)
                throw error
            }
            swap(&x, &solution.elements)
            for refinement in 0...3 {
                // correction ← b̃ − W̃x̃ = b̃ − Dx̃ − 4c B̃ᵀ(B̃x̃); the scale of its terms.
                Matrix.gemv(1, rotatedTranspose, .transpose, solution.elements, 0, into: &small)
                Matrix.gemv(4 * c, rotatedTranspose, .none, small, 0, into: &product)
                var residualSquared = 0.0
                for i in 0..<(n * d) {
                    correction[i] = rotated.elements[i] - diagonal[i] * solution.elements[i] - product[i]
                    residualSquared += correction[i] * correction[i]
                }
                let scale = Vector.norm(rotated.elements) + matrixNorm * Vector.norm(solution.elements)
                if residualSquared.squareRoot() <= 1e-13 * scale { break }
                guard refinement < 3, residualSquared.isFinite else {
                    throw LinearAlgebraError.singular(routine: "GradientFlow.StepMatrix (Woodbury)", index: 0)
                }
                var delta = correction
                try woodbury(correction, into: &delta)
                Vector.axpy(1, delta, &solution.elements)
            }
            Matrix.gemm(1, q, .none, solution, .none, 0, into: &right)
        }

        /// `x ← W̃⁻¹b = D⁻¹b − 4c D⁻¹B̃ᵀ (I + 4cG)⁻¹ B̃D⁻¹b` (b, x: N-vectors in S's eigenbasis).
        mutating func woodbury(_ b: [Double], into x: inout [Double]) throws {
            for i in 0..<b.count { x[i] = b[i] / diagonal[i] }
            Matrix.gemv(1, rotatedTranspose, .transpose, x, 0, into: &smallProduct)
            try lu.solve(&smallProduct)
            Matrix.gemv(1, rotatedTranspose, .none, smallProduct, 0, into: &product)
            for i in 0..<b.count { x[i] -= 4 * c * product[i] / diagonal[i] }
        }
    }
}
