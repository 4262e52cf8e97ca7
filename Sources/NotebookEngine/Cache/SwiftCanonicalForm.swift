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
/// Read by ``SwiftLexer``, the lexer ``SwiftTopLevel`` reads too: a token is copied as it
/// stands, and the trivia before it becomes its ``SwiftLexer/Token/Separator``. A hand-written
/// lexer rather than swift-syntax's: swift-syntax would add minutes to the first build of every
/// package that builds `notebook`, and only this distinction is needed. It errs only towards
/// "changed": a construct it misreads (a `"` inside a regex literal, say) is copied as it
/// stands, never dropped.
public enum SwiftCanonicalForm {
    /// The canonical form of `source` (UTF-8 bytes).
    public static func of(_ source: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(source)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        for token in SwiftLexer.tokens(bytes, words: false) {
            if !output.isEmpty && token.separator != .none { output.append(token.separator == .newline ? 0x0A : 0x20) }
            output.append(contentsOf: bytes[token.start..<token.end])
        }
        return output
    }
}

extension ContentHash {
    /// Adds Swift source by meaning: its ``SwiftCanonicalForm``.
    mutating func add(swiftSource bytes: some Collection<UInt8>) {
        add(SwiftCanonicalForm.of(bytes))
        add([0x1f])
    }
}
