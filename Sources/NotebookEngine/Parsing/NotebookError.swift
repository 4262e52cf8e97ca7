/// What the runner refuses, each naming the file and line or the thing at fault.
public enum NotebookError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case unterminatedFence(path: String, line: Int, fence: String)
    case unknownBlockOption(path: String, line: Int, option: String, allowed: [String])
    case badBlockOption(path: String, line: Int, option: String, reason: String)
    case badFrontMatter(path: String, line: Int, reason: String)
    case unknownParameter(path: String, name: String, declared: [String])
    case badParameterValue(path: String, name: String, value: String, expected: String)
    case malformedParameterArgument(String)
    case duplicateFigure(path: String, line: Int, figure: String)
    case runtimeMissing(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .unterminatedFence(let path, let line, let fence):
            return "\(path):\(line): error: the code fence \(fence) opened here is never closed"
        case .unknownBlockOption(let path, let line, let option, let allowed):
            let list = allowed.isEmpty ? "this block takes no options" : "known options: \(allowed.joined(separator: ", "))"
            return "\(path):\(line): error: unknown block option '\(option)' (\(list))"
        case .badBlockOption(let path, let line, let option, let reason):
            return "\(path):\(line): error: block option '\(option)': \(reason)"
        case .badFrontMatter(let path, let line, let reason):
            return "\(path):\(line): error: front matter: \(reason)"
        case .unknownParameter(let path, let name, let declared):
            let list = declared.isEmpty ? "it declares no parameters" : "it declares \(declared.joined(separator: ", "))"
            return "\(path): error: unknown parameter '\(name)' (\(list))"
        case .badParameterValue(let path, let name, let value, let expected):
            return "\(path): error: parameter '\(name)' = '\(value)' is not \(expected)"
        case .malformedParameterArgument(let text):
            return "--param '\(text)': expected KEY=VALUE"
        case .duplicateFigure(let path, let line, let figure):
            return "\(path):\(line): error: the figure name '\(figure)' is used by an earlier block"
        case .runtimeMissing(let reason):
            return "cannot prepare the notebook runtime: \(reason)"
        }
    }
}
