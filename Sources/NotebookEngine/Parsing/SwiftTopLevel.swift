/// A Swift block's top-level items (those at bracket depth 0), as block-level re-execution needs
/// them: the `let`/`var` declarations whose values a snapshot keeps, the declarations a resumed
/// program keeps as written (functions, types, extensions, imports), and the other statements,
/// which a resumed program leaves out for the blocks it restores.
///
/// Read from ``SwiftLexer``'s tokens (the lexer the cache keys' ``SwiftCanonicalForm`` reads),
/// by their brackets and lines. An item starts at a line's first token at depth 0,
/// unless that line continues the one before (it starts with `.`, an operator, `else`, `catch`,
/// `where` or `{`, or the line before ends with a binary operator, `,` or `:`), and at `;`. What
/// it cannot read for sure is ``Item/Kind/unsupported``: a restore is then refused and the
/// notebook runs from its first block, so a misreading costs time, never a wrong result (and a
/// resumed program that does not compile is run again from the top).
public struct SwiftTopLevel {
    public struct Item: Equatable, Sendable {
        public enum Kind: Equatable, Sendable {
            /// `let NAME = init`, `var NAME: T = init` (with its attributes and modifiers).
            case binding(Binding)
            /// `func`, `struct`, `enum`, `class`, `actor`, `extension`, `protocol`, `typealias`,
            /// `import`, operators, a computed `var`: kept as written. `name` is a function's.
            case declaration(function: String?)
            /// Anything else: run in its block, left out when the block is restored.
            case statement
            /// A declaration the restore cannot rebuild (the reason, for the log).
            case unsupported(String)
        }
        public var kind: Kind
        /// The item's source, from its first token to its last.
        public var text: String
        /// Its first line, 0-based within the block.
        public var line: Int
        /// Every identifier it mentions, those inside string interpolations included
        /// (an over-approximation: any word of a string literal counts).
        public var identifiers: Set<String>
    }

    public struct Binding: Equatable, Sendable {
        /// The attributes, modifiers and `let`/`var`, as written.
        public var introducer: String
        public var name: String
        /// The type annotation, if any, as written.
        public var type: String?
        /// The initializer, as written.
        public var initializer: String

        public init(introducer: String, name: String, type: String?, initializer: String) {
            self.introducer = introducer
            self.name = name
            self.type = type
            self.initializer = initializer
        }
    }

    public let items: [Item]

    /// Reads `code`, a Swift block's source.
    public init(_ code: String) {
        let bytes = Array(code.utf8)
        let tokens = SwiftLexer.tokens(bytes)
        var items: [Item] = []
        var start = 0
        var depth = 0
        var index = 0
        func close(_ end: Int) {
            guard end > start else { return }
            items.append(Self.item(Array(tokens[start..<end]), bytes: bytes))
        }
        while index < tokens.count {
            let token = tokens[index]
            if index > start, depth == 0, Self.startsItem(token, after: tokens[index - 1]),
               !Self.isAttributes(tokens[start..<index]) {
                close(index)
                start = index
            }
            switch token.kind == .punctuation ? token.word : "" {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(depth - 1, 0)
            case ";" where depth == 0:
                close(index)
                start = index + 1
            default: break
            }
            index += 1
        }
        close(tokens.count)
        self.items = items
    }

    /// The names of the functions declared at the top level.
    var functionNames: Set<String> {
        Set(items.compactMap { if case .declaration(let name?) = $0.kind { name } else { nil } })
    }

    /// The stored static properties the block's declarations declare (`static var n = 0`, a
    /// `static let` whose value is not a literal), with their lines (0-based within the block).
    /// A resumed program declares them afresh, so their values do not carry what the restored
    /// blocks did to them: a mutable static, or a constant that may hold a class instance.
    /// Computed ones (`static var x: Int { … }`) and literal constants (`static let n = 3`) hold no state.
    public var staticStorage: [(name: String, line: Int)] {
        var found: [(name: String, line: Int)] = []
        for item in items {
            guard case .declaration = item.kind, item.text.contains("static") else { continue }
            let tokens = SwiftLexer.tokens(Array(item.text.utf8))
            for (index, token) in tokens.enumerated() where token.word == "static" && token.kind == .identifier {
                var cursor = index + 1
                while cursor < tokens.count, Self.modifiers.contains(tokens[cursor].word) || tokens[cursor].word == "(" || tokens[cursor].word == ")"
                        || tokens[cursor].word == "unsafe" {
                    cursor += 1
                }
                guard cursor + 1 < tokens.count, ["var", "let"].contains(tokens[cursor].word) else { continue }
                let isVariable = tokens[cursor].word == "var"
                let name = tokens[cursor + 1].word
                // After the name and its type: `=` (stored), `{` on the same line (computed), else stored without a value.
                var end = cursor + 2
                var depth = 0
                while end < tokens.count {
                    let word = tokens[end].word
                    if depth == 0, word == "=" || word == "{" || tokens[end].line > tokens[cursor].line { break }
                    if ["(", "["].contains(word) { depth += 1 }
                    if [")", "]"].contains(word) { depth -= 1 }
                    end += 1
                }
                let computed = end < tokens.count && tokens[end].word == "{" && tokens[end].line == tokens[cursor].line
                    && !(end + 1 < tokens.count && ["didSet", "willSet"].contains(tokens[end + 1].word))
                if computed { continue }
                if !isVariable, end < tokens.count, tokens[end].word == "=", Self.isLiteral(tokens[(end + 1)...].prefix { $0.line == tokens[end].line && $0.word != "}" && $0.word != ";" }) {
                    continue
                }
                found.append((name, item.line + token.line))
            }
        }
        return found
    }

    /// Whether the tokens are a literal: numbers, strings, `true`, `false`, `nil`, and brackets, commas, colons and signs between them.
    private static func isLiteral(_ tokens: ArraySlice<SwiftLexer.Token>) -> Bool {
        !tokens.isEmpty && tokens.allSatisfy { token in
            switch token.kind {
            case .number: true
            case .string: !token.word.contains("\\(")
            case .identifier: ["true", "false", "nil"].contains(token.word)
            case .operator: token.word == "-"
            case .punctuation: ["[", "]", ",", ":"].contains(token.word)
            case .directive: false
            }
        }
    }

    private static let continuationWords: Set<String> = ["else", "catch", "where"]

    private static func startsItem(_ token: SwiftLexer.Token, after previous: SwiftLexer.Token) -> Bool {
        guard token.line > previous.endLine else { return false }
        if token.kind == .operator || continuationWords.contains(token.word) || token.word == "{" { return false }
        if previous.kind == .operator && !previous.isPostfix { return false }
        return !(previous.word == "," || previous.word == ":" || previous.word == "@")
    }

    /// Whether the tokens are attributes only (`@MainActor`, `@available(*, deprecated)`): those
    /// on lines of their own belong to the declaration below them.
    private static func isAttributes(_ tokens: ArraySlice<SwiftLexer.Token>) -> Bool {
        var position = tokens.startIndex
        while position < tokens.endIndex {
            guard tokens[position].word == "@", position + 1 < tokens.endIndex, tokens[position + 1].kind == .identifier else { return false }
            position += 2
            if position < tokens.endIndex, tokens[position].word == "(" {
                var depth = 0
                repeat {
                    if tokens[position].word == "(" { depth += 1 }
                    if tokens[position].word == ")" { depth -= 1 }
                    position += 1
                } while depth > 0 && position < tokens.endIndex
            }
        }
        return true
    }

    private static let modifiers: Set<String> = [
        "private", "fileprivate", "internal", "public", "open", "final", "static", "nonisolated", "indirect",
        "dynamic", "infix", "prefix", "postfix", "package", "consuming", "borrowing",
    ]
    private static let declarationWords: Set<String> = [
        "func", "struct", "enum", "class", "actor", "extension", "protocol", "typealias", "import", "operator",
        "precedencegroup", "macro",
    ]

    private static func item(_ tokens: [SwiftLexer.Token], bytes: [UInt8]) -> Item {
        let text = String(decoding: bytes[tokens.first!.start..<tokens.last!.end], as: UTF8.self)
        var identifiers = Set<String>()
        for token in tokens {
            switch token.kind {
            case .identifier: identifiers.insert(token.word)
            case .string: identifiers.formUnion(SwiftLexer.words(in: bytes[token.start..<token.end]))
            default: break
            }
        }
        let item = { (kind: Item.Kind) in Item(kind: kind, text: text, line: tokens.first!.line, identifiers: identifiers) }
        var position = 0
        // Attributes (`@MainActor`, `@available(…)`) and modifiers (`nonisolated(unsafe)`).
        func skipParentheses() {
            guard position < tokens.count, tokens[position].word == "(" else { return }
            var depth = 0
            while position < tokens.count {
                if tokens[position].word == "(" { depth += 1 }
                if tokens[position].word == ")" { depth -= 1; if depth == 0 { position += 1; return } }
                position += 1
            }
        }
        while position < tokens.count {
            if tokens[position].word == "@" {
                position += 2
                skipParentheses()
            } else if modifiers.contains(tokens[position].word) && tokens[position].kind == .identifier {
                position += 1
                skipParentheses()
            } else {
                break
            }
        }
        guard position < tokens.count else { return item(.statement) }
        let keyword = tokens[position]
        if keyword.kind == .directive { return item(.unsupported("\(keyword.word) at the top level")) }
        if declarationWords.contains(keyword.word) {
            let name = keyword.word == "func" && position + 1 < tokens.count ? tokens[position + 1].word : nil
            return item(.declaration(function: name))
        }
        guard keyword.word == "let" || keyword.word == "var" else {
            if ["lazy", "weak", "unowned"].contains(keyword.word) { return item(.unsupported("a '\(keyword.word)' declaration")) }
            return item(.statement)
        }
        let introducer = String(decoding: bytes[tokens.first!.start..<keyword.end], as: UTF8.self)
        guard position + 1 < tokens.count, tokens[position + 1].kind == .identifier else {
            return item(.unsupported("a pattern in a '\(keyword.word)' declaration (one name per declaration can be restored)"))
        }
        let name = tokens[position + 1].word
        var cursor = position + 2
        var type: String?
        var depth = 0
        if cursor < tokens.count, tokens[cursor].word == ":" {
            let typeStart = cursor + 1
            cursor += 1
            while cursor < tokens.count {
                let word = tokens[cursor].word
                if depth == 0 && (word == "=" || word == "{") { break }
                if ["(", "["].contains(word) { depth += 1 }
                if [")", "]"].contains(word) { depth -= 1 }
                cursor += 1
            }
            guard cursor > typeStart else { return item(.unsupported("'\(name)' has no type after ':'")) }
            type = String(decoding: bytes[tokens[typeStart].start..<tokens[cursor - 1].end], as: UTF8.self)
        }
        guard cursor < tokens.count else { return item(.unsupported("'\(name)' is declared without a value")) }
        if tokens[cursor].word == "{" { return item(.declaration(function: nil)) }  // a computed variable
        guard tokens[cursor].word == "=", cursor + 1 < tokens.count else {
            return item(.unsupported("'\(name)' is declared in a form that cannot be restored"))
        }
        depth = 0
        for token in tokens[(cursor + 1)...] {
            switch token.word {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case "," where depth == 0: return item(.unsupported("several names in one declaration ('\(name)', …)"))
            default: break
            }
        }
        let initializer = String(decoding: bytes[tokens[cursor + 1].start..<tokens.last!.end], as: UTF8.self)
        return item(.binding(Binding(introducer: introducer, name: name, type: type, initializer: initializer)))
    }
}
