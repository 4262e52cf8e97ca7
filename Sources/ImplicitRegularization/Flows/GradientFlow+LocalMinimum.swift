import Foundation
import LinearAlgebra

extension GradientFlow {
    /// The speed below which the local-minimum certificate is computed (`t‖Ẋ‖/‖X‖`, a gate only: the
    /// verdict is the certificate's). Where X approaches a strict minimum like `e^(−μt)`,
    /// `t‖Ẋ‖/‖X‖ ≈ μt · ‖X(∞) − X‖/‖X‖`, so the gate opens well before the certificate can pass.
    static let localMinimumGate = 1e-3

    /// The second-order certificate of a limit that does not fit the data
    /// (``localMinimumCertificate(state:residual:jacobian:)``).
    public struct LocalMinimumCertificate: Sendable, Codable, Equatable {
        /// Whether it certifies a strict local minimum (modulo rotations) within `stationarityTolerance`.
        public var met: Bool
        /// `‖X(U + δU) − X(U)‖_F/‖X‖_F` for the Newton step `δU = −H_⊥⁻¹∇f(U)`: the distance to the minimum
        /// under the quadratic model (∞ where the curvature is not positive).
        public var remaining: Double
        /// The smallest eigenvalue of the Hessian off the rotation modes over its largest (> 0 at a strict minimum).
        public var curvature: Double
        /// `‖∇f(U)‖_F / (2‖A*(r)‖_F‖U‖_F)`: the gradient relative to its scale (for the report; not tested).
        public var gradient: Double
        /// The relative training error `‖r‖/‖y‖` where it was computed.
        public var relativeResidual: Double
        /// The numbers in words.
        public var description: String
    }

    /// The smallest curvature, relative to the largest, that the certificate accepts as positive:
    /// far above the round-off of the eigenvalues (a few ε·‖H‖) and of H itself at a point within
    /// `stationarityTolerance` of the minimum, so that a saddle is never read as a minimum.
    static let minimumRelativeCurvature = 1e-9

    /// Whether U is within `stationarityTolerance` of a strict local minimum of
    /// `f(U) = ½‖A(UUᵀ) − y‖²`, by second-order information: the certificate of a limit that does
    /// not fit the data (``Options/localMinimumCertificate``).
    ///
    /// f is invariant under `U → UQ`, Q orthogonal, so its minima come in orbits and its Hessian
    ///
    ///     H[V, V] = ‖A(UVᵀ + VUᵀ)‖² + 2⟨A*(r), VVᵀ⟩,   H = −J = 4BᵀB + 2(I_d ⊗ A*(r))   (``Jacobian``)
    ///
    /// is singular along the orbit's tangent `{UΩ : Ωᵀ = −Ω}`, of dimension d(d−1)/2 where U has
    /// rank d. With `U = PΣVᵀ` (thin SVD) that tangent has the orthonormal basis
    /// `(σᵢ pᵢ vⱼᵀ − σⱼ pⱼ vᵢᵀ)/√(σᵢ² + σⱼ²)`, i < j (columns Q), and the gradient `∇f = 2A*(r)U` is
    /// orthogonal to it (`⟨A*(r)U, UΩ⟩ = tr(UᵀA*(r)U Ωᵀ) = 0`). On the complement (projector P_⊥ =
    /// I − QQᵀ) the certificate takes H_⊥ = P_⊥HP_⊥, and
    ///
    /// - requires it positive definite: its smallest eigenvalue above ``minimumRelativeCurvature``
    ///   times its largest (a saddle, such as the plateau of a flow that is still to learn a
    ///   direction, has a negative one, about 2λ_min(A*(r)), and is never certified);
    /// - takes the Newton step `δU = −H_⊥⁻¹∇f` and bounds the distance still to travel by
    ///   `‖X(U + δU) − X(U)‖_F/‖X‖_F ≤ stationarityTolerance`: by Newton–Kantorovich the minimum of the orbit's
    ///   basin is within O(‖δU‖²) of U + δU, and the flow from within that basin converges to it.
    ///
    /// A dense N × N Hessian (N = n·d) and its eigendecomposition (`dsyevd`): O(m·N² + N³), the
    /// reason for ``Options/localMinimumMaxSize``. `jacobian` is the flow's, formed on first use.
    func localMinimumCertificate(state: [Double], residual: [Double], jacobian: inout Jacobian?) -> LocalMinimumCertificate {
        let n = problem.dimension
        let d = state.count / max(n, 1)
        let size = n * d
        let measurements = problem.measurements
        let relativeResidual = Vector.norm(residual) / max(Vector.norm(problem.observations), .leastNonzeroMagnitude)
        func failed(_ why: String) -> LocalMinimumCertificate {
            LocalMinimumCertificate(met: false, remaining: .infinity, curvature: .nan, gradient: .nan, relativeResidual: relativeResidual, description: why)
        }
        let u = Matrix(rows: n, columns: d, columnMajor: state)
        let adjoint = SymmetricPacking.unpack(measurements.adjointPacked(residual), dimension: n)
        if jacobian == nil { jacobian = Jacobian(measurements) }
        var hessian = Matrix(rows: size, columns: size)
        jacobian!.fill(factor: u, adjoint: adjoint, into: &hessian)
        hessian.scale(by: -1)
        let gradientMatrix = 2.0 * (adjoint * u)
        let gradient = gradientMatrix.elements
        let gradientScale = 2 * adjoint.frobeniusNorm * u.frobeniusNorm
        let relativeGradient = gradientScale > 0 ? Vector.norm(gradient) / gradientScale : 0
        // The rotation modes.
        guard let svd = try? u.thinSingularValueDecomposition() else { return failed("no SVD of U") }
        let sigma = svd.values
        let largest = sigma.first ?? 0
        var basis: [[Double]] = []
        for i in 0..<d {
            for j in (i + 1)..<d {
                let norm = (sigma[i] * sigma[i] + sigma[j] * sigma[j]).squareRoot()
                guard norm > Double.ulpOfOne * largest else { continue }
                var t = [Double](repeating: 0, count: size)
                for row in 0..<n {
                    for column in 0..<d {
                        t[row + column * n] = (sigma[i] * svd.u[row, i] * svd.vt[j, column] - sigma[j] * svd.u[row, j] * svd.vt[i, column]) / norm
                    }
                }
                basis.append(t)
            }
        }
        let k = basis.count
        // H_⊥ = P_⊥ H P_⊥ + c QQᵀ, c above every eigenvalue of P_⊥HP_⊥ (‖H‖_F ≥ ‖H‖₂), so that the
        // rotation modes are the top k eigenvalues and the bottom N − k are those of H on the complement.
        var compressed = hessian
        if k > 0 {
            let q = Matrix(rows: size, columns: k, columnMajor: basis.flatMap { $0 })
            let hq = hessian * q                                    // N × k
            let qhq = Matrix.product(q, .transpose, hq, .none)      // k × k
            // P_⊥HP_⊥ = H − Q(HQ)ᵀ − (HQ)Qᵀ + Q(QᵀHQ)Qᵀ
            Matrix.gemm(-1, q, .none, hq, .transpose, 1, into: &compressed)
            Matrix.gemm(-1, hq, .none, q, .transpose, 1, into: &compressed)
            let qqhq = q * qhq
            Matrix.gemm(1, qqhq, .none, q, .transpose, 1, into: &compressed)
            let shift = 2 * hessian.frobeniusNorm
            Matrix.gemm(shift, q, .none, q, .transpose, 1, into: &compressed)
            compressed = compressed.symmetricPart
        }
        guard let eigen = try? SymmetricEigendecomposition(compressed) else { return failed("no eigendecomposition of the Hessian") }
        let complement = size - k
        guard complement > 0 else { return failed("no direction off the rotations") }
        let smallest = eigen.values[0]
        let top = eigen.values[complement - 1]
        let curvature = top > 0 ? smallest / top : -.infinity
        let numbers = { (remaining: Double) in
            "Newton remainder ‖δX‖/‖X‖ = \(remaining.formatted(significantDigits: 3)) (bound \(self.options.stationarityTolerance)), "
                + "smallest curvature \(curvature.formatted(significantDigits: 3)) of the largest off \(k) rotation modes, "
                + "‖∇f‖ = \(relativeGradient.formatted(significantDigits: 3)) of 2‖A*(r)‖‖U‖"
        }
        guard curvature > Self.minimumRelativeCurvature else {
            return LocalMinimumCertificate(
                met: false, remaining: .infinity, curvature: curvature, gradient: relativeGradient, relativeResidual: relativeResidual,
                description: "not a strict minimum: " + numbers(.infinity))
        }
        // δU = −Σ v_l (v_lᵀ g)/λ_l over the complement's eigenpairs.
        var coefficients = [Double](repeating: 0, count: size)
        Matrix.gemv(1, eigen.vectors, .transpose, gradient, 0, into: &coefficients)
        for l in 0..<size { coefficients[l] = l < complement ? -coefficients[l] / eigen.values[l] : 0 }
        var step = [Double](repeating: 0, count: size)
        Matrix.gemv(1, eigen.vectors, .none, coefficients, 0, into: &step)
        var moved = u
        moved.add(1, Matrix(rows: n, columns: d, columnMajor: step))
        let x = Matrix.gram(u)
        let remaining = (Matrix.gram(moved) - x).frobeniusNorm / max(x.frobeniusNorm, .leastNormalMagnitude)
        let met = remaining <= options.stationarityTolerance
        return LocalMinimumCertificate(
            met: met, remaining: remaining, curvature: curvature, gradient: relativeGradient, relativeResidual: relativeResidual,
            description: numbers(remaining))
    }
}
