import Foundation

extension Matrix {
    /// `exp(t S)` for a symmetric S: `V diag(e^{tλ}) Vᵀ` from its eigendecomposition.
    /// Exact to the accuracy of `dsyevd` (relative error a small multiple of `ε·e^{t‖S‖₂}`).
    public func symmetricExponential(scale t: Double = 1) throws -> Matrix {
        try SymmetricEigendecomposition(self).map { exp(t * $0) }
    }

    /// The Euclidean (Frobenius) projection onto the PSD cone: `V diag(max(λ, 0)) Vᵀ`.
    public func projectedOntoPSDCone() throws -> Matrix {
        try SymmetricEigendecomposition(self).map { Swift.max($0, 0) }
    }

    /// The smallest eigenvalue of a symmetric matrix.
    public func smallestEigenvalue() throws -> Double {
        try SymmetricEigendecomposition.eigenvalues(self).first ?? 0
    }
}

