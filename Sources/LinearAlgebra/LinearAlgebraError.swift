/// A LAPACK routine that did not succeed, with the `info` it returned.
public enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The routine rejected argument `-info` (a programming error on our side).
    case illegalArgument(routine: String, info: Int32)
    /// The iteration of an eigen- or singular-value routine failed to converge.
    case noConvergence(routine: String, info: Int32)
    /// A Cholesky factorisation met a non-positive pivot: the matrix is not positive definite.
    case notPositiveDefinite(routine: String, order: Int32)
    /// A triangular or general solve met an exactly singular matrix.
    case singular(routine: String, index: Int32)

    public var description: String {
        switch self {
        case let .illegalArgument(routine, info): "\(routine): argument \(-info) is illegal"
        case let .noConvergence(routine, info): "\(routine): did not converge (info = \(info))"
        case let .notPositiveDefinite(routine, order): "\(routine): the leading minor of order \(order) is not positive definite"
        case let .singular(routine, index): "\(routine): the matrix is singular (pivot \(index) is zero)"
        }
    }
}
