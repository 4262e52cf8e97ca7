/// A refusal or failure of `factorize` that is not the problem file's fault.
enum FactorizeError: Error, CustomStringConvertible {
    /// An option's value does not fit the problem (e.g. `--rank` larger than n): exit code 2.
    case invalidOption(option: String, reason: String)
    /// A solver could not produce an answer it can vouch for: exit code 1.
    case solverFailed(solver: String, reason: String)

    var isBadInput: Bool {
        switch self {
        case .invalidOption: true
        case .solverFailed: false
        }
    }

    var description: String {
        switch self {
        case let .invalidOption(option, reason): "\(option): \(reason)"
        case let .solverFailed(solver, reason): "\(solver): \(reason)"
        }
    }
}
