import Foundation

/// The notebook's parameters, typed.
///
/// A notebook declares its parameters and their defaults in its front matter:
///
/// ```yaml
/// parameters:
///   quick: false
///   seeds: 3
/// ```
///
/// and the runner passes the values of this run (defaults overridden by
/// `notebook run --param seeds=5`) in the run manifest (``RunManifest``). Reading a parameter the
/// front matter does not declare, or as the wrong type, stops the program with a
/// message at the reading line of the notebook.
public enum Parameters {
    /// The values of this run, by name.
    public static let values: [String: ParameterValue] = RunManifest.current?.parameters ?? [:]

    public static func int(_ name: String, file: StaticString = #file, line: UInt = #line) -> Int {
        switch value(name, file: file, line: line) {
        case .integer(let value): return value
        case let other: mismatch(name, other, "an integer", file: file, line: line)
        }
    }

    public static func double(_ name: String, file: StaticString = #file, line: UInt = #line) -> Double {
        switch value(name, file: file, line: line) {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case let other: mismatch(name, other, "a number", file: file, line: line)
        }
    }

    public static func bool(_ name: String, file: StaticString = #file, line: UInt = #line) -> Bool {
        switch value(name, file: file, line: line) {
        case .boolean(let value): return value
        case let other: mismatch(name, other, "true or false", file: file, line: line)
        }
    }

    public static func string(_ name: String, file: StaticString = #file, line: UInt = #line) -> String {
        switch value(name, file: file, line: line) {
        case .text(let value): return value
        case let other: return other.description
        }
    }

    static func value(_ name: String, file: StaticString, line: UInt) -> ParameterValue {
        guard let value = values[name] else {
            let declared = values.keys.sorted().joined(separator: ", ")
            fatalError(
                "unknown parameter '\(name)': the front matter declares \(declared.isEmpty ? "none" : declared)",
                file: file, line: line)
        }
        return value
    }

    static func mismatch(
        _ name: String, _ value: ParameterValue, _ expected: String, file: StaticString, line: UInt
    ) -> Never {
        fatalError("parameter '\(name)' is \(value), not \(expected)", file: file, line: line)
    }
}

/// A parameter's value: what a front matter scalar or a `--param` can say.
public enum ParameterValue: Codable, Equatable, Sendable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int)
    case real(Double)
    case text(String)

    /// Reads `text` as YAML would read a plain scalar: true/false, an integer, a finite number,
    /// else a string. `nan` and `inf` are text here (JSON, which carries parameters to the
    /// program, has no such numbers); the runner refuses them where a number is declared.
    public init(parsing text: String) {
        switch text.lowercased() {
        case "true", "yes": self = .boolean(true)
        case "false", "no": self = .boolean(false)
        default:
            if let integer = Int(text) { self = .integer(integer) }
            else if let real = Double(text), real.isFinite { self = .real(real) }
            else { self = .text(text) }
        }
    }

    /// Whether `text` reads as a number that is not finite (`nan`, `inf`, `-infinity`, `1e999`).
    public static func isNonFiniteNumber(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let real = Double(trimmed) { return !real.isFinite }
        return [".nan", ".inf", "+.inf", "-.inf"].contains(trimmed.lowercased())
    }

    public var description: String {
        switch self {
        case .boolean(let value): return String(value)
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return value
        }
    }

    /// Whether `other` can stand where this value's type is expected (an integer
    /// where a number is declared, anything where a string is).
    public func accepts(_ other: ParameterValue) -> Bool {
        switch (self, other) {
        case (.boolean, .boolean), (.integer, .integer), (.real, .integer), (.real, .real), (.text, _): return true
        default: return false
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .boolean(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .real(value) }
        else { self = .text(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .boolean(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .real(let value):
            // JSON has no NaN or infinity; `init(parsing:)` never makes one, so this only guards the API.
            guard value.isFinite else {
                throw EncodingError.invalidValue(value, .init(codingPath: encoder.codingPath, debugDescription: "a parameter is a finite number"))
            }
            try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }
}
