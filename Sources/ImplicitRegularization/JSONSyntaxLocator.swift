/// Finds where a JSON text first breaks the grammar (RFC 8259, plus the bare `NaN`, `Infinity`
/// and `-Infinity` that Python's `json` writes), as a line and column, for error messages:
/// Foundation's decoder only says that the data "was not valid JSON".
struct JSONSyntaxLocator {
    struct SyntaxError: Error {
        var line: Int
        var column: Int
        var expected: String
    }

    private let bytes: [UInt8]
    private var position = 0

    /// The first syntax error in `bytes`, or nil when the text is well-formed.
    static func firstError(in bytes: [UInt8]) -> SyntaxError? {
        var locator = JSONSyntaxLocator(bytes: bytes)
        do {
            locator.skipWhitespace()
            try locator.value(depth: 0)
            locator.skipWhitespace()
            if locator.position < bytes.count { throw locator.failure("the end of the document") }
            return nil
        } catch {
            return error as? SyntaxError
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func failure(_ expected: String) -> SyntaxError {
        var line = 1
        var column = 1
        for byte in bytes[0..<min(position, bytes.count)] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SyntaxError(line: line, column: column, expected: expected)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
    }

    private mutating func expect(_ c: Character, _ what: String) throws {
        guard current == c.asciiValue else { throw failure(what) }
        position += 1
    }

    private mutating func literal(_ word: String) throws {
        for c in word.utf8 {
            guard current == c else { throw failure("\"\(word)\"") }
            position += 1
        }
    }

    private mutating func value(depth: Int) throws {
        guard depth < 512 else { throw failure("less nesting") }
        switch current ?? 0 {
        case UInt8(ascii: "{"):
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw failure("a field name in double quotes") }
                try string()
                skipWhitespace()
                try expect(":", "':' after the field name")
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect("}", "',' or '}' in an object")
                return
            }
        case UInt8(ascii: "["):
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return }
            while true {
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect("]", "',' or ']' in an array")
                return
            }
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "N"): try literal("NaN")
        case UInt8(ascii: "I"): try literal("Infinity")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw failure("a value")
        }
    }

    private mutating func string() throws {
        position += 1
        while let c = current {
            position += 1
            if c == UInt8(ascii: "\"") { return }
            if c == UInt8(ascii: "\\") {
                guard current != nil else { break }
                position += 1
            } else if c < 0x20 {
                position -= 1
                throw failure("no control character inside a string")
            }
        }
        throw failure("the closing '\"' of a string")
    }

    private mutating func number() throws {
        if current == UInt8(ascii: "-") {
            position += 1
            if current == UInt8(ascii: "I") { return try literal("Infinity") }
        }
        try digits()
        if current == UInt8(ascii: ".") {
            position += 1
            try digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            try digits()
        }
    }

    private mutating func digits() throws {
        guard let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { throw failure("a digit") }
        while let c = current, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { position += 1 }
    }
}
