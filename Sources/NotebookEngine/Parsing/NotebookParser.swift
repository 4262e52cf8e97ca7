import Foundation
import NotebookRuntime
import Yams

/// Reads a notebook: the front matter (YAML between `---` lines), then the
/// CommonMark code fences (``` or ~~~, up to three spaces of indent, closed by a
/// fence of the same character at least as long), with the line of each.
public struct NotebookParser {
    public init() {}

    public func parse(contentsOf url: URL, displayPath: String) throws -> NotebookDocument {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw NotebookError.unreadable(path: displayPath, reason: error.localizedDescription)
        }
        return try parse(text, path: displayPath)
    }

    public func parse(_ text: String, path: String) throws -> NotebookDocument {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        var document = NotebookDocument(
            path: path, stem: stem, title: stem, parameters: [], timeout: nil, inputs: [], segments: [])
        var cursor = 0
        var declaredTitle: String?
        if lines.first == "---" {
            guard let close = lines.indices.dropFirst().first(where: { lines[$0] == "---" || lines[$0] == "..." }) else {
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
                    Array(words.dropFirst()), allowed: ["data", "figure", "caption", "size"], path: path, line: fenceLine)
                let figure = options["figure"] ?? "\(stem)-\(gnuplotCount + 1)"
                guard figure.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }), !figure.isEmpty else {
                    throw NotebookError.badBlockOption(
                        path: path, line: fenceLine, option: "figure", reason: "'\(figure)' is not a file name (letters, digits, - _ .)")
                }
                guard figures.insert(figure).inserted else {
                    throw NotebookError.duplicateFigure(path: path, line: fenceLine, figure: figure)
                }
                flushProse(before: close + 2)
                document.segments.append(.gnuplot(GnuplotBlock(
                    index: gnuplotCount, fenceLine: fenceLine, script: body,
                    data: (options["data"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                    figure: figure, caption: options["caption"],
                    size: try InfoString.size(options["size"], path: path, line: fenceLine))))
                gnuplotCount += 1
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

    /// Reads `title`, `parameters`, `timeout` and `inputs`; refuses other keys by line.
    private func readFrontMatter(_ yaml: String, into document: inout NotebookDocument) throws -> String? {
        let path = document.path
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
        for (key, value) in mapping {
            let line = (key.mark?.line ?? 0) + 1
            switch key.string ?? "" {
            case "title":
                title = value.string
            case "author", "description", "date":
                break
            case "timeout":
                guard let seconds = value.float, seconds > 0 else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "timeout is a number of seconds")
                }
                document.timeout = seconds
            case "inputs":
                guard let list = value.sequence?.compactMap(\.string) ?? value.string.map({ [$0] }) else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "inputs is a list of paths")
                }
                document.inputs = list
            case "parameters":
                guard let parameters = value.mapping else {
                    throw NotebookError.badFrontMatter(path: path, line: line, reason: "parameters is a mapping of names to defaults")
                }
                for (name, defaultValue) in parameters {
                    guard let name = name.string, let scalar = defaultValue.scalar else {
                        throw NotebookError.badFrontMatter(
                            path: path, line: (defaultValue.mark?.line ?? 0) + 1,
                            reason: "a parameter's default is a single value (number, true/false or text)")
                    }
                    let parsed: ParameterValue = scalar.style == .plain
                        ? ParameterValue(parsing: scalar.string) : .text(scalar.string)
                    document.parameters.append((name, parsed))
                }
            case let other:
                throw NotebookError.badFrontMatter(
                    path: path, line: line,
                    reason: "unknown key '\(other)' (known: title, parameters, timeout, inputs, author, date, description)")
            }
        }
        return title
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
            throw NotebookError.badBlockOption(path: path, line: line, option: info, reason: "a quote is not closed")
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    @discardableResult
    static func options(_ words: [String], allowed: [String], path: String, line: Int) throws -> [String: String] {
        var options: [String: String] = [:]
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard allowed.contains(parts[0]) else {
                throw NotebookError.unknownBlockOption(path: path, line: line, option: parts[0], allowed: allowed)
            }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw NotebookError.badBlockOption(path: path, line: line, option: parts[0], reason: "expected \(parts[0])=VALUE")
            }
            options[parts[0]] = parts[1]
        }
        return options
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
