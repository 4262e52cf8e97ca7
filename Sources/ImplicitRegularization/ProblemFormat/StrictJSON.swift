import Foundation

/// A strict JSON reader (RFC 8259, UTF-8) for problem files: no comments, no trailing commas,
/// no unquoted keys, no hexadecimal, `+1`, `.5`, `01`, `NaN` or `Infinity`, no duplicate keys,
/// no number that overflows a Float64. Every value keeps the line it starts on, so a refusal can
/// say where; every syntax error names its line and column.
///
/// An array of numbers only is kept as `[Double]` (8 bytes a number), and the document may hold
/// at most ``maximumNumbers`` numbers: what it builds is bounded before it is built.
struct StrictJSON {
    enum Value {
        case object(Object)
        case array([Value], line: Int)
        case numbers([Double], line: Int)
        case number(Double, line: Int)
        case string(String, line: Int)
        case bool(Bool, line: Int)
        case null(line: Int)

        var line: Int {
            switch self {
            case let .object(object): object.line
            case let .array(_, line), let .numbers(_, line), let .number(_, line), let .string(_, line), let .bool(_, line),
                 let .null(line): line
            }
        }

        /// What the value is, in words, for messages ("a string", "an array", …).
        var kindDescription: String {
            switch self {
            case .object: "an object"
            case .array, .numbers: "an array"
            case .number: "a number"
            case .string: "a string"
            case .bool: "true or false"
            case .null: "null"
            }
        }
    }

    /// An object's members in the file's order (keys are unique).
    struct Object {
        var members: [(key: String, value: Value)]
        var line: Int
        subscript(key: String) -> Value? { members.first { $0.key == key }?.value }
    }

    struct SyntaxError: Error, Equatable {
        var line: Int
        var column: Int
        var message: String
    }

    /// The most numbers one document may hold (2^27, 1 GiB as Float64).
    static let maximumNumbers = ProblemSize.maximumNumbers

    /// Parses `bytes` as one JSON document.
    static func parse(_ bytes: [UInt8], maximumNumbers: Int = maximumNumbers) throws -> Value {
        var reader = StrictJSON(bytes: bytes, maximumNumbers: maximumNumbers)
        return try reader.document()
    }

    /// The document and a NUL after it (so that `strtod` can read a number in place).
    private let bytes: [UInt8]
    /// The document's length.
    private let end: Int
    private let maximumNumbers: Int
    private var position = 0
    private var line = 1
    private var lineStart = 0
    private var numberCount = 0

    private init(bytes: [UInt8], maximumNumbers: Int) {
        self.bytes = bytes + [0]
        self.end = bytes.count
        self.maximumNumbers = maximumNumbers
    }

    // MARK: - Errors

    private func failure(_ message: String, at offset: Int? = nil) -> SyntaxError {
        let offset = min(offset ?? position, end)
        // Columns count characters (UTF-8 lead bytes), from 1.
        var column = 1
        var k = lineStart
        while k < offset {
            if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return SyntaxError(line: line, column: column, message: message)
    }

    private var current: UInt8? { position < end ? bytes[position] : nil }

    private func describeCurrent() -> String {
        guard let c = current else { return "the end of the file" }
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return String(format: "byte 0x%02X", c)
    }

    private func expected(_ what: String) -> SyntaxError { failure("expected \(what), found \(describeCurrent())") }

    // MARK: - Grammar

    private mutating func document() throws -> Value {
        if end >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)
            || (bytes[0] == 0) != (bytes[1] == 0) {
            throw SyntaxError(line: 1, column: 1, message: "the file is UTF-16 or UTF-32, not UTF-8 (JSON files are UTF-8)")
        }
        // A UTF-8 byte order mark is allowed (RFC 8259 §8.1: parsers may ignore it).
        if end >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            position = 3
            lineStart = 3
        }
        skipWhitespace()
        if current == nil { throw failure("the file is empty: expected a JSON object") }
        let value = try value(depth: 0)
        skipWhitespace()
        if current != nil { throw failure("expected the end of the file after the top-level value, found \(describeCurrent())") }
        return value
    }

    private mutating func skipWhitespace() {
        while let c = current {
            switch c {
            case 0x20, 0x09, 0x0D: position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws -> Value {
        guard depth < 256 else { throw failure("nesting deeper than 256 levels") }
        let startLine = line
        guard let c = current else { throw expected("a value") }
        switch c {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string(), line: startLine)
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true, line: startLine)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false, line: startLine)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null(line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number(), line: startLine)
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw failure("NaN and Infinity are not JSON numbers (JSON numbers are finite)")
        case UInt8(ascii: "+"), UInt8(ascii: "."):
            throw failure("a JSON number starts with '-' or a digit, found \(describeCurrent())")
        case UInt8(ascii: "/"):
            throw failure("comments are not JSON")
        case UInt8(ascii: "'"):
            throw failure("strings are in double quotes in JSON, found \(describeCurrent())")
        default:
            throw expected("a value")
        }
    }

    private mutating func object(depth: Int) throws -> Object {
        var object = Object(members: [], line: line)
        var keyLines: [String: Int] = [:]
        position += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return object
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else {
                if current == UInt8(ascii: "}") { throw failure("a trailing comma before '}' is not JSON") }
                throw expected("a field name in double quotes")
            }
            let keyLine = line
            let keyOffset = position
            let key = try string()
            if let first = keyLines[key] {
                throw failure("duplicate field \"\(key)\" (first on line \(first))", at: keyOffset)
            }
            keyLines[key] = keyLine
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw expected("':' after the field name") }
            position += 1
            skipWhitespace()
            object.members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard current == UInt8(ascii: "}") else { throw expected("',' or '}' in an object") }
            position += 1
            return object
        }
    }

    private mutating func array(depth: Int) throws -> Value {
        let startLine = line
        position += 1
        skipWhitespace()
        var numbers: [Double] = []
        var values: [Value]? = nil  // set once a non-number appears
        if current == UInt8(ascii: "]") {
            position += 1
            return .numbers([], line: startLine)
        }
        while true {
            skipWhitespace()
            if current == UInt8(ascii: "]") { throw failure("a trailing comma before ']' is not JSON") }
            if values == nil, let c = current, c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                numbers.append(try number())  // the common case, without a Value per number
            } else {
                let element = try value(depth: depth + 1)
                if values == nil { values = numbers.map { .number($0, line: startLine) } }
                values!.append(element)
            }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard current == UInt8(ascii: "]") else { throw expected("',' or ']' in an array") }
            position += 1
            if let values { return .array(values, line: startLine) }
            return .numbers(numbers, line: startLine)
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let start = position
        let text = word.withUTF8Buffer { Array($0) }
        for c in text {
            guard current == c else {
                position = start
                throw expected("a value (true, false, null, a number, a string, an array or an object)")
            }
            position += 1
        }
    }

    private mutating func string() throws -> String {
        position += 1  // the opening quote
        var scalars = String.UnicodeScalarView()
        while true {
            guard let c = current else { throw failure("the string is not closed: expected '\"' before the end of the file") }
            switch c {
            case UInt8(ascii: "\""):
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                position += 1
                guard let e = current else { throw failure("the string is not closed: expected '\"' before the end of the file") }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard current == UInt8(ascii: "\\"), position + 1 < end, bytes[position + 1] == UInt8(ascii: "u") else {
                            throw failure("a \\u escape of a high surrogate must be followed by a low surrogate")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("a \\u escape of a high surrogate must be followed by a low surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw failure("a lone low surrogate in a \\u escape")
                    }
                    scalars.append(Unicode.Scalar(code)!)
                default:
                    position -= 1
                    throw failure("'\\\(Character(Unicode.Scalar(e)))' is not a JSON escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
                }
            case 0..<0x20:
                throw failure(c == 0x0A ? "the string is not closed before the end of the line" : "a control character inside a string (write it as an escape)")
            case 0x20..<0x80:
                scalars.append(Unicode.Scalar(c))
                position += 1
            default:
                scalars.append(try utf8Scalar())
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw failure("expected four hexadecimal digits after \\u") }
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("expected four hexadecimal digits after \\u")
            }
            code = code << 4 | digit
            position += 1
        }
        return code
    }

    /// One multi-byte UTF-8 sequence at `position` (well-formed per Unicode Table 3-7).
    private mutating func utf8Scalar() throws -> Unicode.Scalar {
        let lead = bytes[position]
        let invalid = failure(String(format: "invalid UTF-8 (byte 0x%02X): the file must be UTF-8 text", lead))
        let (length, minimum): (Int, UInt32) =
            switch lead {
            case 0xC2...0xDF: (2, 0x80)
            case 0xE0...0xEF: (3, 0x800)
            case 0xF0...0xF4: (4, 0x10000)
            default: (0, 0)
            }
        guard length > 0, position + length <= end else { throw invalid }
        var code = UInt32(lead) & (0xFF >> (length + 1))
        for k in 1..<length {
            let b = bytes[position + k]
            guard b & 0xC0 == 0x80 else { throw invalid }
            code = code << 6 | UInt32(b & 0x3F)
        }
        guard code >= minimum, code <= 0x10FFFF, !(0xD800..<0xE000).contains(code), let scalar = Unicode.Scalar(code) else { throw invalid }
        position += length
        return scalar
    }

    private mutating func number() throws -> Double {
        let start = position
        if current == UInt8(ascii: "-") {
            position += 1
            if current == UInt8(ascii: "I") { throw failure("NaN and Infinity are not JSON numbers (JSON numbers are finite)", at: start) }
        }
        guard let first = current, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { throw expected("a digit") }
        if first == UInt8(ascii: "0") {
            position += 1
            if let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                throw failure("a JSON number has no leading zeros")
            }
            if current == UInt8(ascii: "x") || current == UInt8(ascii: "X") { throw failure("hexadecimal numbers are not JSON") }
        } else {
            try digits()
        }
        if current == UInt8(ascii: ".") {
            position += 1
            try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            try digits()
        }
        numberCount += 1
        if numberCount > maximumNumbers {
            throw failure("more than \(maximumNumbers) numbers in the file, beyond \(ProblemSize.boundDescription)", at: start)
        }
        // The token is a JSON number followed by a delimiter or the NUL: strtod reads exactly it
        // (correctly rounded, C locale).
        let value = bytes.withUnsafeBufferPointer { buffer in
            UnsafeRawPointer(buffer.baseAddress! + start).withMemoryRebound(to: CChar.self, capacity: position - start + 1) { strtod($0, nil) }
        }
        guard value.isFinite else {
            throw failure("the number \(String(decoding: bytes[start..<position], as: UTF8.self)) is too large for a Float64", at: start)
        }
        return value
    }

    private mutating func digits() throws {
        guard let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { throw expected("a digit") }
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
    }
}
