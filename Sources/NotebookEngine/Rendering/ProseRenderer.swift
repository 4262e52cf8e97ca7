import Foundation

/// A notebook's prose and code listings through pandoc (Debian `pandoc`, which Quarto and R
/// Markdown build on): CommonMark-correct Markdown (`X*` and `X_gd` stay literal), TeX math
/// (`$…$`, `$$…$$`) as MathML, which browsers draw natively, so reports stay self-contained and
/// offline; citations `[@key]` from `references.bib` beside the notebook, with a bibliography;
/// and Swift and gnuplot listings highlighted.
///
/// Every piece of a notebook goes through one pandoc call: the pieces are joined with a marker
/// `<div class="notebook-split">` that pandoc passes through, and split again after.
struct ProseRenderer {
    /// What pandoc made of the pieces, in their order, and the bibliography (HTML), if any.
    struct Rendered {
        var pieces: [String]
        var references: String?
    }

    enum Piece {
        /// Markdown prose.
        case prose(String)
        /// A listing in a language pandoc highlights (`swift`, `gnuplot`).
        case code(String, language: String)
    }

    /// The BibTeX file of citations, or nil.
    var bibliography: URL?

    private static let split = "<div class=\"notebook-split\">"

    func render(_ pieces: [Piece]) throws -> Rendered {
        guard let pandoc = ChildProcess.find("pandoc") else {
            throw NotebookError.runtimeMissing(
                reason: "pandoc is not installed: the reports' prose, math and citations go through it (`make deps` installs Debian's pandoc)")
        }
        var text = ""
        for (index, piece) in pieces.enumerated() {
            if index > 0 { text += "\n\n\(Self.split)</div>\n\n" }
            switch piece {
            case let .prose(markdown): text += markdown
            case let .code(code, language):
                let fence = String(repeating: "`", count: max(3, Self.longestBacktickRun(code) + 1))
                text += "\(fence)\(language)\n\(code)\n\(fence)"
            }
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("notebook-prose-\(UUID().uuidString).html")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = [
            "--from", "markdown-auto_identifiers+tex_math_dollars", "--to", "html5", "--mathml", "--wrap=none",
            "--highlight-style=pygments", "--output", output.path,
        ]
        if let bibliography, FileManager.default.fileExists(atPath: bibliography.path) {
            arguments += ["--citeproc", "--bibliography", bibliography.path, "--metadata", "link-citations=true"]
        }
        let ran = try ChildProcess(executable: pandoc, arguments: arguments, input: text, timeout: 120).run()
        guard ran.status == 0, let html = try? String(contentsOf: output, encoding: .utf8) else {
            throw NotebookError.runtimeMissing(reason: "pandoc failed (\(ran.ending)): \(ran.output.prefix(2000))")
        }
        var parts = html.components(separatedBy: Self.split).enumerated().map { index, part in
            // Each marker's own closing tag opens the next part.
            index == 0 ? part : Self.droppingFirstClosingDiv(part)
        }
        var references: String?
        if var last = parts.last, let start = last.range(of: "<div id=\"refs\"") {
            references = String(last[start.lowerBound...])
            last = String(last[..<start.lowerBound])
            parts[parts.count - 1] = last
        }
        guard parts.count == pieces.count else {
            throw NotebookError.runtimeMissing(reason: "pandoc returned \(parts.count) pieces for \(pieces.count)")
        }
        return Rendered(pieces: parts, references: references)
    }

    private static func droppingFirstClosingDiv(_ part: String) -> String {
        guard let close = part.range(of: "</div>") else { return part }
        return String(part[close.upperBound...])
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }

    /// An inline value in Markdown, in a span: `&`, `<`, `>` as HTML entities, Markdown's punctuation
    /// (quotes included, so that pandoc's smart punctuation leaves the value's text as it is)
    /// backslash-escaped, control characters replaced. The two escapes never touch each other's
    /// output: HTML-escaping first and then escaping the `#` of `&#39;` had shown `it's` as `it&#39;s`.
    static func inlineValue(_ text: String, missing: Bool, expression: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case _ where "\\`*_{}[]$#|~^!'\"".unicodeScalars.contains(scalar): escaped += "\\" + String(scalar)
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return missing
            ? "<span class=\"inline-value missing\" title=\"not computed\">⟨\(escaped)⟩</span>"
            : "<span class=\"inline-value\">\(escaped)</span>"
    }

    /// Highlighting classes of pandoc's `pygments` style, with a dark variant.
    static let css = """
    div.sourceCode { margin: 0; } pre.sourceCode { margin: 0; }
    code span.kw, code span.cf { color: #007020; font-weight: bold; } code span.dt { color: #902000; }
    code span.dv, code span.bn, code span.fl { color: #40a070; } code span.ch, code span.st, code span.vs, code span.ss { color: #4070a0; }
    code span.co { color: #60a0b0; font-style: italic; } code span.fu { color: #06287e; } code span.op { color: #666666; }
    code span.va { color: #19177c; } code span.bu, code span.ex { color: #007020; } code span.at { color: #7d9029; }
    code span.pp { color: #bc7a00; } code span.im { color: #007020; font-weight: bold; } code span.cn { color: #880000; }
    code span.sc, code span.er, code span.al { color: #ff0000; } code span.an, code span.cv, code span.do, code span.in, code span.wa { color: #60a0b0; font-style: italic; }
    .inline-value { font-variant-numeric: tabular-nums; } .inline-value.missing { color: var(--bad); }
    math[display="block"] { margin: .75rem 0; overflow-x: auto; }
    .references { font-size: 15px; } .csl-entry { margin: .4rem 0; }
    """
}
