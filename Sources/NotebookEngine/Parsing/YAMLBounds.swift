/// The bounds a front matter or `notebook.yml` is held to before the YAML parser sees it.
///
/// The YAML composer recurses once per level of nesting, so a few kilobytes of `[[[[…` (or of
/// `- - - - …`) exhaust the stack and kill the runner or the preview with SIGSEGV, which no
/// `catch` can turn into a message. A front matter is a few lines of `key: value`; these bounds are
/// far above any real one and far below what the stack can take: at most ``maximumBytes`` bytes,
/// at most ``maximumDepth`` flow brackets (`[`, `{`) open at once outside quoted scalars and
/// comments, and at most ``maximumDepth`` block levels on one line (its indentation in steps of
/// two spaces, plus the `- ` and `? ` indicators that open it).
enum YAMLBounds {
    static let maximumBytes = 64 * 1024
    static let maximumDepth = 32

    /// The first bound `text` exceeds, as its 1-based line within `text` and a reason; nil within bounds.
    static func violation(in text: String) -> (line: Int, reason: String)? {
        let bytes = text.utf8.count
        if bytes > maximumBytes {
            return (1, "longer than \(maximumBytes / 1024) KiB (\(bytes) bytes): a front matter is a few lines of 'key: value'")
        }
        let tooDeep = "nested more than \(maximumDepth) levels deep"
        var flowDepth = 0
        var quote: Character?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            if quote == nil {
                // Block levels: the indentation and the sequence or key indicators that open the line.
                var spaces = 0, indicators = 0
                while let first = rest.first {
                    if first == " " { spaces += 1 }
                    else if (first == "-" || first == "?") && (rest.dropFirst().first.map { $0 == " " } ?? true) { indicators += 1 }
                    else if first != "\t" { break }
                    rest = rest.dropFirst()
                }
                if spaces / 2 + indicators > maximumDepth { return (index + 1, tooDeep) }
            }
            var previous: Character = " "
            for character in rest {
                if let open = quote {
                    if character == open && !(open == "\"" && previous == "\\") { quote = nil }
                } else if character == "#" && (previous == " " || previous == "\t") {
                    break  // a comment, to the end of the line
                } else if (character == "'" || character == "\"") && " \t:[{,".contains(previous) {
                    quote = character
                } else if character == "[" || character == "{" {
                    flowDepth += 1
                    if flowDepth > maximumDepth { return (index + 1, tooDeep) }
                } else if character == "]" || character == "}" {
                    flowDepth = max(0, flowDepth - 1)
                }
                previous = character
            }
        }
        return nil
    }
}
