/// Swift source with what cannot change its meaning taken out: comments (line, block, nested,
/// doc comments) removed, every run of whitespace and comments between two tokens written as
/// one separator, a newline when the run held a line break and a space otherwise, and none at
/// the ends. String literals (single-line, multi-line `"""`, raw `#"…"#`, their interpolations)
/// are kept byte for byte.
///
/// Two sources with the same canonical form are the same token stream with the same line
/// breaks between tokens, so they compile to the same program except for line numbers (which
/// only failures show, and failed runs are never cached). The form keeps whether whitespace
/// separates two tokens and whether it breaks the line, both of which Swift's grammar reads
/// (`a -b` against `a - b`; `return` then a newline): so a re-indented or re-commented source
/// is the same, while re-wrapping a statement across lines is, conservatively, a change.
///
/// A hand-written lexer rather than swift-syntax: swift-syntax's parser would add minutes to
/// the first build of every package that builds `notebook`, and only this distinction is needed.
/// It errs only towards "changed": a construct it misreads (a `"` inside a regex literal, say)
/// is copied as it stands, never dropped.
public enum SwiftCanonicalForm {
    /// The canonical form of `source` (UTF-8 bytes).
    public static func of(_ source: some Collection<UInt8>) -> [UInt8] {
        var lexer = Lexer(bytes: Array(source))
        lexer.run()
        return lexer.output
    }

    private struct Lexer {
        let bytes: [UInt8]
        var index = 0
        var output: [UInt8] = []
        /// The separator owed before the next token: 0 none, 1 a space, 2 a newline.
        var pending = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }

        mutating func owe(_ separator: Int) { pending = max(pending, separator) }

        mutating func emit(_ byte: UInt8) {
            if pending > 0 && !output.isEmpty { output.append(pending == 2 ? 0x0A : 0x20) }
            pending = 0
            output.append(byte)
        }

        mutating func run() {
            while let byte = peek() {
                switch byte {
                case 0x20, 0x09, 0x0B, 0x0C, 0x00:
                    owe(1); index += 1
                case 0x0A, 0x0D:
                    owe(2); index += 1
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                    while let next = peek(), next != 0x0A, next != 0x0D { index += 1 }
                    owe(1)
                case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                    skipBlockComment()
                case UInt8(ascii: "\""):
                    copyString()
                case UInt8(ascii: "#") where startsString():
                    copyString()
                default:
                    emit(byte); index += 1
                }
            }
        }

        /// A nested `/* … */` comment; a line break inside makes it a newline.
        mutating func skipBlockComment() {
            var depth = 0
            var separator = 1
            while let byte = peek() {
                if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                    depth += 1; index += 2
                } else if byte == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                    depth -= 1; index += 2
                    if depth == 0 { break }
                } else {
                    if byte == 0x0A || byte == 0x0D { separator = 2 }
                    index += 1
                }
            }
            owe(separator)
        }

        /// Whether a string literal starts here: `"`, or `#`s then `"`.
        func startsString() -> Bool {
            var offset = 0
            while peek(offset) == UInt8(ascii: "#") { offset += 1 }
            return peek(offset) == UInt8(ascii: "\"")
        }

        /// Copies a string literal from its opening delimiter to its closing one, interpolations
        /// included (whose code may hold strings of its own and parentheses).
        mutating func copyString() {
            var hashes = 0
            while peek() == UInt8(ascii: "#") { emit(UInt8(ascii: "#")); hashes += 1; index += 1 }
            let multiline = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
            let quotes = multiline ? 3 : 1
            for _ in 0..<quotes { emit(UInt8(ascii: "\"")); index += 1 }
            while let byte = peek() {
                if byte == UInt8(ascii: "\\") && hashesFollow(hashes, from: 1) {
                    for _ in 0...hashes { emit(peek()!); index += 1 }
                    if peek() == UInt8(ascii: "(") {
                        copyInterpolation()
                    } else if let escaped = peek() {
                        emit(escaped); index += 1
                    }
                } else if byte == UInt8(ascii: "\"") && (0..<quotes).allSatisfy({ peek($0) == UInt8(ascii: "\"") })
                            && hashesFollow(hashes, from: quotes) {
                    for _ in 0..<(quotes + hashes) { emit(peek()!); index += 1 }
                    return
                } else if !multiline && (byte == 0x0A || byte == 0x0D) {
                    return  // an unterminated literal: the compiler says so; the line break separates
                } else {
                    emit(byte); index += 1
                }
            }
        }

        func hashesFollow(_ count: Int, from offset: Int) -> Bool {
            (0..<count).allSatisfy { peek(offset + $0) == UInt8(ascii: "#") }
        }

        /// `( … )` of an interpolation, copied as it stands, nested strings and parentheses included.
        mutating func copyInterpolation() {
            var depth = 0
            while let byte = peek() {
                if byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "#") && startsString()) {
                    copyString()
                    continue
                }
                emit(byte); index += 1
                if byte == UInt8(ascii: "(") { depth += 1 }
                if byte == UInt8(ascii: ")") { depth -= 1; if depth == 0 { return } }
            }
        }
    }
}

extension ContentHash {
    /// Adds Swift source by meaning: its ``SwiftCanonicalForm``.
    mutating func add(swiftSource bytes: some Collection<UInt8>) {
        add(SwiftCanonicalForm.of(bytes))
        add([0x1f])
    }
}
