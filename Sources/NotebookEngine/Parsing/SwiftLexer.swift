/// Swift source as tokens, the one lexer that both ``SwiftCanonicalForm`` (cache keys) and
/// ``SwiftTopLevel`` (a block's top-level items) read.
///
/// Tokens: identifiers (a backquoted one, raw identifiers with spaces included, is one token whose
/// `word` drops the backquotes), `#` directives, string literals whole (single-line, multi-line
/// `"""`, raw `#"…"#`, with their interpolations `\(…)` / `\#(…)`, whose code may hold strings and
/// parentheses of its own), numbers, runs of operator characters, and single punctuation bytes.
/// Between them is trivia: whitespace and comments (line `//`, block `/* … */` nested to any
/// depth, doc comments), which each token records as the separator before it: none, a space, or a
/// line break (a run of trivia that holds LF, CR or CRLF).
///
/// Line breaks are LF, CRLF and a lone CR, each counted once, as Swift and the notebook parser
/// read them. A single-line string ends at a line break when unterminated (the compiler reports
/// it; the break still separates). It partitions the bytes exactly: every byte is in one token or
/// in trivia, so concatenating the tokens with their separators rebuilds the source's meaning.
/// What it cannot read for sure (a `"` inside a regex literal, say) becomes ordinary tokens, which
/// only ever makes two sources differ, never makes them equal.
struct SwiftLexer {
    struct Token {
        enum Kind { case identifier, directive, string, number, `operator`, punctuation }
        /// The trivia before a token: none, whitespace or comments on one line, or a line break.
        enum Separator: Int, Comparable {
            case none, space, newline
            static func < (a: Separator, b: Separator) -> Bool { a.rawValue < b.rawValue }
        }
        var kind: Kind
        /// Its bytes, `start..<end` (backquotes and string delimiters included).
        var start: Int
        var end: Int
        /// The lines (0-based) of its first and last byte.
        var line: Int
        var endLine: Int
        /// Its text (an identifier without its backquotes); empty when the lexer reads no words.
        var word: String
        var separator: Separator
        /// A `!` or `?` run stuck to the token before it (`x!`): postfix, so it ends no expression.
        var isPostfix: Bool
    }

    let bytes: [UInt8]
    /// Whether tokens carry their `word` (the canonical form needs their bytes alone).
    let readsWords: Bool
    private var index = 0
    private var line = 0

    /// Lexes `bytes`; without `words`, every token's `word` is empty.
    static func tokens(_ bytes: [UInt8], words: Bool = true) -> [Token] {
        var lexer = SwiftLexer(bytes: bytes, readsWords: words)
        return lexer.run()
    }

    private init(bytes: [UInt8], readsWords: Bool) {
        self.bytes = bytes
        self.readsWords = readsWords
    }

    private func peek(_ offset: Int = 0) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80
    }

    static let operatorBytes = Set("/=-+!*%<>&|^~?.".utf8)

    /// The identifier-like words of a string literal's text (numbers left out).
    static func words(in bytes: ArraySlice<UInt8>) -> Set<String> {
        var words = Set<String>()
        var current: [UInt8] = []
        for byte in bytes {
            if isIdentifierByte(byte) { current.append(byte); continue }
            if let first = current.first, !(first >= 0x30 && first <= 0x39) { words.insert(String(decoding: current, as: UTF8.self)) }
            current = []
        }
        if let first = current.first, !(first >= 0x30 && first <= 0x39) { words.insert(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// Consumes a line break (LF, CR or CRLF) if one starts here.
    private mutating func lineBreak() -> Bool {
        switch peek() {
        case 0x0A: index += 1
        case 0x0D: index += peek(1) == 0x0A ? 2 : 1
        default: return false
        }
        line += 1
        return true
    }

    private mutating func run() -> [Token] {
        var tokens: [Token] = []
        var separator = Token.Separator.none
        func add(_ kind: Token.Kind, _ start: Int, _ startLine: Int, wordStart: Int? = nil, wordEnd: Int? = nil) {
            let text = readsWords ? String(decoding: bytes[(wordStart ?? start)..<(wordEnd ?? index)], as: UTF8.self) : ""
            let postfix = kind == .operator && separator == .none && !tokens.isEmpty
                && bytes[start..<index].allSatisfy { $0 == UInt8(ascii: "!") || $0 == UInt8(ascii: "?") }
            tokens.append(Token(kind: kind, start: start, end: index, line: startLine, endLine: line, word: text,
                                separator: separator, isPostfix: postfix))
            separator = .none
        }
        while let byte = peek() {
            let start = index
            let startLine = line
            switch byte {
            case 0x0A, 0x0D:
                _ = lineBreak(); separator = .newline
            case 0x20, 0x09, 0x0B, 0x0C, 0x00:
                index += 1; separator = max(separator, .space)
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                while let next = peek(), next != 0x0A, next != 0x0D { index += 1 }
                separator = max(separator, .space)
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                separator = max(separator, skipBlockComment() ? .newline : .space)
            case UInt8(ascii: "\""):
                skipString()
                add(.string, start, startLine)
            case UInt8(ascii: "#") where startsString():
                skipString()
                add(.string, start, startLine)
            case UInt8(ascii: "#"):
                index += 1
                while let next = peek(), Self.isIdentifierByte(next) { index += 1 }
                add(.directive, start, startLine)
            case UInt8(ascii: "`"):
                index += 1
                while let next = peek(), next != UInt8(ascii: "`"), next != 0x0A, next != 0x0D { index += 1 }
                let wordEnd = index
                if peek() == UInt8(ascii: "`") { index += 1 }
                add(.identifier, start, startLine, wordStart: start + 1, wordEnd: wordEnd)
            case _ where byte >= 0x30 && byte <= 0x39:
                while let next = peek(), Self.isIdentifierByte(next)
                        || (next == UInt8(ascii: ".") && (peek(1).map { $0 >= 0x30 && $0 <= 0x39 } ?? false)) {
                    index += 1
                }
                add(.number, start, startLine)
            case _ where Self.isIdentifierByte(byte):
                while let next = peek(), Self.isIdentifierByte(next) { index += 1 }
                add(.identifier, start, startLine)
            case _ where Self.operatorBytes.contains(byte):
                // A run of operator characters, ended before a comment that follows it unspaced.
                index += 1
                while let next = peek(), Self.operatorBytes.contains(next),
                      !(next == UInt8(ascii: "/") && (peek(1) == UInt8(ascii: "/") || peek(1) == UInt8(ascii: "*"))) {
                    index += 1
                }
                add(.operator, start, startLine)
            default:
                index += 1
                add(.punctuation, start, startLine)
            }
        }
        return tokens
    }

    /// A nested `/* … */` comment (to the end of the source when unclosed); whether it breaks a line.
    private mutating func skipBlockComment() -> Bool {
        var depth = 0
        var breaksLine = false
        while let byte = peek() {
            if byte == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                depth += 1; index += 2
            } else if byte == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                depth -= 1; index += 2
                if depth == 0 { break }
            } else if lineBreak() {
                breaksLine = true
            } else {
                index += 1
            }
        }
        return breaksLine
    }

    /// Whether a string literal starts here: `"`, or `#`s then `"`.
    private func startsString() -> Bool {
        var offset = 0
        while peek(offset) == UInt8(ascii: "#") { offset += 1 }
        return peek(offset) == UInt8(ascii: "\"")
    }

    /// A string literal from its opening delimiter (`#`s, then `"` or `"""`) to its closing one,
    /// interpolations included.
    private mutating func skipString() {
        var hashes = 0
        while peek() == UInt8(ascii: "#") { hashes += 1; index += 1 }
        let multiline = peek(1) == UInt8(ascii: "\"") && peek(2) == UInt8(ascii: "\"")
        let quotes = multiline ? 3 : 1
        index += quotes
        func hashesFollow(_ offset: Int) -> Bool { (0..<hashes).allSatisfy { peek(offset + $0) == UInt8(ascii: "#") } }
        while let byte = peek() {
            if byte == UInt8(ascii: "\\") && hashesFollow(1) {
                index += 1 + hashes
                if peek() == UInt8(ascii: "(") {
                    skipInterpolation()
                } else if let escaped = peek() {
                    // One escaped byte, a line break's first (the LF of a CRLF then reads as a line break).
                    index += 1
                    if escaped == 0x0A || (escaped == 0x0D && peek() != 0x0A) { line += 1 }
                }
            } else if byte == UInt8(ascii: "\"") && (0..<quotes).allSatisfy({ peek($0) == UInt8(ascii: "\"") }) && hashesFollow(quotes) {
                index += quotes + hashes
                return
            } else if byte == 0x0A || byte == 0x0D {
                if !multiline { return }
                _ = lineBreak()
            } else {
                index += 1
            }
        }
    }

    /// `( … )` of an interpolation, nested strings and parentheses included.
    private mutating func skipInterpolation() {
        var depth = 0
        while let byte = peek() {
            if byte == UInt8(ascii: "\"") || (byte == UInt8(ascii: "#") && startsString()) {
                skipString()
                continue
            }
            if lineBreak() { continue }
            index += 1
            if byte == UInt8(ascii: "(") { depth += 1 }
            if byte == UInt8(ascii: ")") { depth -= 1; if depth == 0 { return } }
        }
    }
}
