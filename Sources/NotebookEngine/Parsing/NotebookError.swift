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
    /// The kernel's package did not build (or SwiftPM could not describe it).
    case kernelBuild(origin: String, reason: String)
    case badText(path: String, line: Int, reason: String)
    /// Two notebooks would write the same report, tables and cache (`a/x.md`, `b/x.md`).
    case duplicateNotebook(stem: String, first: String, second: String)
    /// Two notebooks draw a figure of the same name (`FIGURE.svg`).
    case duplicateFigureAcrossNotebooks(figure: String, first: String, second: String)
    /// A `--cache` folder that is not one the runner made.
    case notACache(path: String, reason: String)
    /// An input that cannot be hashed into the notebook's keys (``NotebookRunner/inputRefusal(_:)``).
    case badInput(path: String, input: String, reason: String)

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
            // The same shapes in a project file (notebook.yml) are not a front matter.
            let place = path.hasSuffix(KernelDeclaration.projectFileName) ? "" : "front matter: "
            return "\(path):\(line): error: \(place)\(reason)"
        case .unknownParameter(let path, let name, let declared):
            let list = declared.isEmpty ? "it declares no parameters" : "it declares \(declared.joined(separator: ", "))"
            return "\(path): error: unknown parameter '\(name)' (\(list))"
        case .badParameterValue(let path, let name, let value, let expected):
            return "\(path): error: parameter '\(name)' = '\(value)' is not \(expected)"
        case .malformedParameterArgument(let text):
            return "--param '\(text)': expected KEY=VALUE"
        case .duplicateFigure(let path, let line, let figure):
            return "\(path):\(line): error: the figure name '\(figure)' is used by an earlier block"
        case .kernelBuild(let origin, let reason):
            return "\(origin): the kernel did not build:\n\(reason)"
        case .runtimeMissing(let reason):
            return "cannot prepare the notebook runtime: \(reason)"
        case .badText(let path, let line, let reason):
            return "\(path):\(line): error: \(reason)"
        case .duplicateNotebook(let stem, let first, let second):
            return "\(second): error: \(first) has the same name '\(stem)': both would write \(stem).html, data/\(stem)/ and the same cache (rename one)"
        case .duplicateFigureAcrossNotebooks(let figure, let first, let second):
            return "\(second): error: the figure name '\(figure)' is also drawn by \(first): both would write \(figure).svg (rename one with figure=)"
        case .notACache(let path, let reason):
            return "\(path): error: \(reason)"
        case .badInput(let path, let input, let reason):
            return "\(path): error: the input '\(input)' \(reason)"
        }
    }
}
