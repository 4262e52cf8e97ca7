/// Why a problem file was refused. Every case names the file, and the field or the place.
public enum ProblemFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The file is not JSON (the detail says where the parser stopped, with line and column).
    case malformedJSON(file: String, detail: String)
    /// A required field is missing.
    case missingField(file: String, field: String)
    /// A field has the wrong JSON type.
    case wrongType(file: String, field: String, expected: String)
    /// A field has a value the problem cannot have (wrong size, not symmetric, not finite, …).
    case invalidValue(file: String, field: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot read the file: \(reason)"
        case let .malformedJSON(file, detail): "\(file): malformed JSON: \(detail)"
        case let .missingField(file, field): "\(file): missing field \"\(field)\""
        case let .wrongType(file, field, expected): "\(file): field \"\(field)\" must be \(expected)"
        case let .invalidValue(file, field, reason): "\(file): field \"\(field)\": \(reason)"
        }
    }
}
