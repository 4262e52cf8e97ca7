/// An inline expression of the prose, `` `{swift} expr` ``: evaluated in the notebook's program
/// after the Swift block before it (before the first block when none precedes it), its value
/// takes its place in the report (``NotebookRuntime/InlineValue``).
public struct InlineExpression: Sendable, Equatable {
    /// Its number in the notebook, in file order.
    public var id: Int
    /// The 1-based line it is on.
    public var line: Int
    /// The Swift expression.
    public var code: String
    /// The Swift block it follows, or nil before the first.
    public var afterBlock: Int?

    /// The marker that opens an inline expression inside a code span.
    static let opening = "`{swift}"

    /// The inline expressions of `text` (a prose segment starting at `line`): each
    /// `` `{swift} expr` `` as the range it spans, its line and its expression.
    static func spans(in text: String, line: Int) -> [(range: Range<String.Index>, line: Int, code: String)] {
        var result: [(Range<String.Index>, Int, String)] = []
        var cursor = text.startIndex
        while let open = text.range(of: opening, range: cursor..<text.endIndex) {
            guard let close = text[open.upperBound...].firstIndex(of: "`") else { break }
            let code = text[open.upperBound..<close].trimmingCharacters(in: .whitespaces)
            let lineOfSpan = line + text[text.startIndex..<open.lowerBound].filter { $0 == "\n" }.count
            result.append((open.lowerBound..<text.index(after: close), lineOfSpan, code))
            cursor = text.index(after: close)
        }
        return result
    }
}

extension NotebookDocument {
    /// Every inline expression of the prose, in file order.
    public var inlineExpressions: [InlineExpression] {
        var result: [InlineExpression] = []
        var lastBlock: Int?
        for segment in segments {
            switch segment {
            case .swift(let block): lastBlock = block.index
            case .gnuplot, .block: break
            case .prose(let prose):
                for span in InlineExpression.spans(in: prose.text, line: prose.line) {
                    result.append(.init(id: result.count, line: span.line, code: span.code, afterBlock: lastBlock))
                }
            }
        }
        return result
    }
}
