/// Why a problem file was refused. Every case names the file, and the line and field.
public enum ProblemFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, a directory, unreadable, too large).
    case unreadable(file: String, reason: String)
    /// The file is not strict JSON: where the reader stopped, and why.
    case malformedJSON(file: String, line: Int, column: Int, detail: String)
    /// A required field is missing from the object that starts on `line`.
    case missingField(file: String, line: Int, field: String)
    /// A field (starting on `line`) has the wrong type or a value the problem cannot have
    /// (wrong size, not symmetric, too large, …); `reason` reads after the field's name.
    case invalidValue(file: String, line: Int, field: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the file: \(reason)"
        case let .malformedJSON(file, line, column, detail): "\(file):\(line):\(column): malformed JSON: \(detail)"
        case let .missingField(file, line, field): "\(file):\(line): missing field \"\(field)\""
        case let .invalidValue(file, line, field, reason): "\(file):\(line): field \"\(field)\" \(reason)"
        }
    }
}
