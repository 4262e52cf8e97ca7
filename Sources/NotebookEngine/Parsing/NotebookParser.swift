import Foundation
import NotebookRuntime
import Yams

/// Reads a notebook: the front matter (YAML between `---` lines), then the
/// CommonMark code fences (``` or ~~~, up to three spaces of indent, closed by a
/// fence of the same character at least as long), with the line of each.
public struct NotebookParser {
    /// The fence languages of plugged engines (``BlockEngines``), read as ``EngineBlock``s; any
    /// other fence but `swift` and `gnuplot` is prose.
    public var languages: Set<String>

    public init(languages: Set<String> = []) {
        self.languages = languages
    }

    public func parse(contentsOf url: URL, displayPath: String) throws -> NotebookDocument {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw NotebookError.unreadable(path: displayPath, reason: error.localizedDescription)
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            // Name the first line that is not UTF-8 rather than guess what it meant.
            var line = 1
            for piece in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                if String(validating: piece, as: UTF8.self) == nil { break }
                line += 1
            }
            throw NotebookError.badText(path: displayPath, line: line, reason: "this line is not UTF-8")
        }
        return try parse(text, path: displayPath)
    }

    public func parse(_ text: String, path: String) throws -> NotebookDocument {
        // LF, CRLF (one `Character`, which `split(separator: "\n")` would not split) or CR; a BOM is not text.
        var lines = (text.hasPrefix("\u{FEFF}") ? String(text.unicodeScalars.dropFirst()) : text).textLines
        if text.hasSuffix("\n") || text.hasSuffix("\r") { lines.append("") }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var document = NotebookDocument(
            path: path, stem: stem, title: stem, parameters: [], timeout: nil, inputs: [], segments: [])
        var cursor = 0
        var declaredTitle: String?
        func isFrontMatterLine(_ line: String, _ marks: [String]) -> Bool {
            marks.contains(line.trimmingCharacters(in: .whitespaces))
        }
        if let first = lines.first, isFrontMatterLine(first, ["---"]) {
            guard let close = lines.indices.dropFirst().first(where: { isFrontMatterLine(lines[$0], ["---", "..."]) }) else {
                throw NotebookError.badFrontMatter(path: path, line: 1, reason: "the '---' opened here is never closed")
            }
            declaredTitle = try readFrontMatter(lines[1..<close].joined(separator: "\n"), into: &document)
            cursor = close + 1
        }

        var prose: [String] = []
        var proseStart = cursor + 1
        var swiftCount = 0
        var gnuplotCount = 0
        var figures: Set<String> = []
        var blockCounts: [String: Int] = [:]
        func flushProse(before line: Int) {
            if prose.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                document.segments.append(.prose(Prose(line: proseStart, text: prose.joined(separator: "\n"))))
            }
            prose = []
            proseStart = line
        }

        while cursor < lines.count {
            guard let fence = Fence(opening: lines[cursor]) else {
                prose.append(lines[cursor])
                cursor += 1
                continue
            }
            let fenceLine = cursor + 1
            guard let close = lines.indices.dropFirst(cursor + 1).first(where: { fence.isClosed(by: lines[$0]) }) else {
                throw NotebookError.unterminatedFence(path: path, line: fenceLine, fence: fence.marker + fence.info)
            }
            let body = lines[(cursor + 1)..<close].map(fence.removingIndent).joined(separator: "\n")
            let words = try InfoString.split(fence.info, path: path, line: fenceLine)
            switch words.first?.lowercased() {
            case "swift":
                try InfoString.options(Array(words.dropFirst()), allowed: [], path: path, line: fenceLine)
                flushProse(before: close + 2)
                document.segments.append(.swift(SwiftBlock(index: swiftCount, fenceLine: fenceLine, code: body)))
                swiftCount += 1
            case "gnuplot":
                let options = try InfoString.options(
                    Array(words.dropFirst()), allowed: ["data", "figure", "caption", "size", "format"], path: path, line: fenceLine)
                let figure = options["figure"] ?? "\(stem)-\(gnuplotCount + 1)"
                guard figure.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                      let head = figure.first, head != ".", figure.count <= 100 else {
                    throw NotebookError.badBlockOption(
                        path: path, line: fenceLine, option: "figure",
                        reason: "'\(InfoString.shown(figure))' is not a file name (ASCII letters, digits, - _ ., not starting with ., at most 100)")
                }
                let data = (options["data"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { options["data"] != nil || !$0.isEmpty }
                for name in data where !InfoString.isTableName(name) {
                    throw NotebookError.badBlockOption(
                        path: path, line: fenceLine, option: "data",
                        reason: "'\(InfoString.shown(name))' is not a table name (ASCII letters, digits and _, not starting with a digit)")
                }
                guard let format = GnuplotBlock.Format(rawValue: options["format"] ?? "svg") else {
                    throw NotebookError.badBlockOption(
                        path: path, line: fenceLine, option: "format",
                        reason: "'\(InfoString.shown(options["format"]!))' is not a figure format (svg or png)")
                }
                guard figures.insert(figure).inserted else {
                    throw NotebookError.duplicateFigure(path: path, line: fenceLine, figure: figure)
                }
                flushProse(before: close + 2)
                document.segments.append(.gnuplot(GnuplotBlock(
                    index: gnuplotCount, fenceLine: fenceLine, script: body,
                    data: data,
                    figure: figure, caption: options["caption"],
                    size: try InfoString.size(options["size"], path: path, line: fenceLine), format: format)))
                gnuplotCount += 1
            case let language? where languages.contains(language):
                let options = try InfoString.options(Array(words.dropFirst()), allowed: nil, path: path, line: fenceLine)
                flushProse(before: close + 2)
                document.segments.append(.block(EngineBlock(
                    language: language, index: blockCounts[language, default: 0], fenceLine: fenceLine, options: options, body: body)))
                blockCounts[language, default: 0] += 1
            default:
                prose.append(contentsOf: lines[cursor...close])
            }
            cursor = close + 1
        }
        flushProse(before: lines.count + 1)
        document.title = declaredTitle ?? firstHeading(document.segments) ?? stem
        return document
    }

    private func firstHeading(_ segments: [Segment]) -> String? {
        for case .prose(let prose) in segments {
            for line in prose.text.split(separator: "\n") where line.hasPrefix("# ") {
                return line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// Reads `title`, `parameters`, `timeout`, `inputs`, `kernel`, `executor` and `verify`; refuses other keys by line.
    private func readFrontMatter(_ yaml: String, into document: inout NotebookDocument) throws -> String? {
        let path = document.path
        if let (line, reason) = YAMLBounds.violation(in: yaml) {
            throw NotebookError.badFrontMatter(path: path, line: line + 1, reason: reason)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw NotebookError.badFrontMatter(path: path, line: Self.line(of: error) + 1, reason: "\(error)")
        }
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            throw NotebookError.badFrontMatter(path: path, line: 2, reason: "expected 'key: value' lines")
        }
        var title: String?
        var seen: Set<String> = []
        for (key, value) in mapping {
            let line = (key.mark?.line ?? 0) + 1
            guard let name = key.scalar?.string else {
                throw NotebookError.badFrontMatter(path: path, line: line, reason: "a key is a plain word (title, parameters, …)")
            }
            guard seen.insert(name).inserted else {
                throw NotebookError.badFrontMatter(path: path, line: line, reason: "'\(InfoString.shown(name))' is given twice")
            }
            switch name {
            case "title":
                guard let text = value.scalar?.string else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "title is one line of text")
                }
                title = text
            case "author", "description", "date":
                guard value.scalar != nil || value.sequence?.allSatisfy({ $0.scalar != nil }) == true else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "\(name) is text")
                }
            case "timeout":
                guard let seconds = value.scalar.flatMap({ Double($0.string) }), Self.acceptsTimeout(seconds) else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "timeout is a number of seconds, more than 0 and at most \(Int(Self.longestTimeout))")
                }
                document.timeout = seconds
            case "inputs":
                guard let list = value.scalarList, !list.contains(where: \.isEmpty) else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "inputs is a list of paths")
                }
                document.inputs = list
            case "parameters":
                guard let parameters = value.mapping else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "parameters is a mapping of names to defaults")
                }
                for (nameNode, defaultValue) in parameters {
                    let parameterLine = (nameNode.mark?.line ?? 0) + 1
                    guard let name = nameNode.scalar?.string, !name.isEmpty, let scalar = defaultValue.scalar else {
                        throw NotebookError.badFrontMatter(
                            path: path, line: (defaultValue.mark?.line ?? 0) + 1,
                            reason: "a parameter's default is a single value (number, true/false or text)")
                    }
                    guard !document.parameters.contains(where: { $0.name == name }) else {
                        throw NotebookError.badFrontMatter(path: path, line: parameterLine, reason: "parameter '\(InfoString.shown(name))' is declared twice")
                    }
                    let parsed: ParameterValue = scalar.style == .plain
                        ? ParameterValue(parsing: scalar.string) : .text(scalar.string)
                    if ParameterValue.isNonFiniteNumber(scalar.string) && scalar.style == .plain {
                        throw NotebookError.badFrontMatter(
                            path: path, line: parameterLine,
                            reason: "parameter '\(InfoString.shown(name))': '\(scalar.string)' is not a finite number (quote it to mean text)")
                    }
                    document.parameters.append((name, parsed))
                }
            case "kernel":
                document.kernel = try KernelDeclaration.read(
                    value, path: path, line: line, firstLine: 2, base: URL(fileURLWithPath: path).deletingLastPathComponent())
            case "executor":
                document.executor = try ExecutorDeclaration.read(value, path: path, line: line, firstLine: 2)
            case "verify":
                switch VerificationTolerances.read(value, line: line) {
                case .success(let tolerances): document.verification = tolerances
                case .failure(let failure): throw NotebookError.badFrontMatter(path: path, line: failure.line, reason: failure.reason)
                }
            case let other:
                throw NotebookError.badFrontMatter(
                    path: path, line: line,
                    reason: "unknown key '\(InfoString.shown(other))' (known: title, parameters, timeout, inputs, kernel, executor, verify, author, date, description)")
            }
        }
        return title
    }

    /// The longest time limit accepted, in seconds (a year): more is a typo, and overflows timers.
    public static let longestTimeout = 31_536_000.0

    /// Whether `seconds` is a usable time limit: finite, above 0, at most ``longestTimeout``.
    public static func acceptsTimeout(_ seconds: Double) -> Bool {
        seconds.isFinite && seconds > 0 && seconds <= longestTimeout
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 1
        }
    }
}

/// An opening code fence: its marker (``` or ~~~, three or more), indent and info string.
struct Fence {
    let marker: String
    let indent: Int
    let info: String

    init?(opening line: String) {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return nil }
        let rest = line.dropFirst(indent)
        guard let character = rest.first, character == "`" || character == "~" else { return nil }
        let marker = rest.prefix(while: { $0 == character })
        guard marker.count >= 3 else { return nil }
        let info = rest.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
        if character == "`" && info.contains("`") { return nil }
        self.marker = String(marker)
        self.indent = indent
        self.info = info
    }

    func isClosed(by line: String) -> Bool {
        let indent = line.prefix(while: { $0 == " " }).count
        guard indent <= 3 else { return false }
        let rest = line.dropFirst(indent)
        let run = rest.prefix(while: { $0 == marker.first })
        return run.count >= marker.count && rest.dropFirst(run.count).allSatisfy(\.isWhitespace)
    }

    func removingIndent(_ line: String) -> String {
        String(line.dropFirst(min(indent, line.prefix(while: { $0 == " " }).count)))
    }
}

/// The words of an info string: `gnuplot data=a,b caption="two words"`.
enum InfoString {
    static func split(_ info: String, path: String, line: Int) throws -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in info {
            if character == "\"" {
                quoted.toggle()
            } else if character.isWhitespace && !quoted {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else {
            throw NotebookError.badBlockOption(path: path, line: line, option: shown(info), reason: "a quote is not closed")
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `NAME=VALUE` words into options: each name known (any name when `allowed` is nil: a plugged
    /// engine's block, whose engine reads them) and given once, each value non-empty.
    @discardableResult
    static func options(_ words: [String], allowed given: [String]?, path: String, line: Int) throws -> [String: String] {
        var options: [String: String] = [:]
        let allowed = given ?? []
        for word in words {
            guard let equals = word.firstIndex(of: "=") else {
                guard given == nil || allowed.contains(word) else {
                    throw NotebookError.unknownBlockOption(path: path, line: line, option: shown(word), allowed: allowed)
                }
                throw NotebookError.badBlockOption(path: path, line: line, option: word, reason: "expected \(word)=VALUE")
            }
            let name = String(word[..<equals])
            let value = String(word[word.index(after: equals)...])
            guard !name.isEmpty else {
                throw NotebookError.badBlockOption(
                    path: path, line: line, option: shown(word), reason: "expected NAME=VALUE (\(given == nil ? "any name" : allowed.isEmpty ? "this block takes no options" : "names: " + allowed.joined(separator: ", ")))")
            }
            guard given == nil || allowed.contains(name) else {
                throw NotebookError.unknownBlockOption(path: path, line: line, option: shown(name), allowed: allowed)
            }
            guard !value.isEmpty else {
                throw NotebookError.badBlockOption(path: path, line: line, option: name, reason: "expected \(name)=VALUE")
            }
            guard options[name] == nil else {
                throw NotebookError.badBlockOption(path: path, line: line, option: name, reason: "given twice")
            }
            options[name] = value
        }
        return options
    }

    /// A table name gnuplot can call `$NAME`.
    static func isTableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `text` for a one-line message: at most 60 characters, control characters escaped.
    static func shown(_ text: String) -> String {
        let visible = String(String.UnicodeScalarView(text.unicodeScalars.flatMap { scalar -> [Unicode.Scalar] in
            scalar.properties.generalCategory == .control ? Array(scalar.escaped(asASCII: true).unicodeScalars) : [scalar]
        }))
        return visible.count > 60 ? String(visible.prefix(57)) + "…" : visible
    }

    static func size(_ text: String?, path: String, line: Int) throws -> (width: Int, height: Int) {
        guard let text else { return (960, 600) }
        let parts = text.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ (50...8000).contains($0) }) else {
            throw NotebookError.badBlockOption(path: path, line: line, option: "size", reason: "expected WIDTH,HEIGHT in pixels")
        }
        return (parts[0], parts[1])
    }
}

extension Node {
    /// A front matter's list: one scalar (`inputs: data`) or a sequence of scalars (`[a, b]`) as
    /// their strings; nil when it is neither (a mapping, or a sequence holding one).
    var scalarList: [String]? {
        if let scalar { return [scalar.string] }
        guard let sequence else { return nil }
        let strings = sequence.compactMap(\.scalar?.string)
        return strings.count == sequence.count ? strings : nil
    }
}
