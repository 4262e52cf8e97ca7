import Foundation
import JSONText
import NotebookRuntime

/// A notebook and its last run as a Jupyter notebook (nbformat 4.5), the JSON that Jupyter,
/// `jupyter nbconvert` and GitHub open with its outputs in place.
///
/// - Prose → a markdown cell, each `` `{swift} expr` `` replaced by the value the run computed
///   (kept as written when the run has none).
/// - A Swift block → a code cell (`execution_count` its block number when it ran, else null)
///   with, in order: what it printed (a `stream` output "stdout"; the note where it was cut), what it
///   wrote on standard error (a `stream` output "stderr"), its error
///   (an `error` output naming the notebook line), its findings (verdict in words), its checks
///   held or failed and its tables (each a
///   `display_data` of markdown or HTML and plain text).
/// - A gnuplot block → a code cell tagged `gnuplot` (metadata `notebook.language = "gnuplot"`),
///   whose output is the figure it drew, as `image/svg+xml` and `image/png` (the PNG alone for
///   `format=png`, drawn at twice the size its metadata shows it). A Swift kernel cannot
///   execute such a cell; it is there to carry its script and its figure beside each other.
/// - The kernelspec names Swift honestly: no Jupyter kernel ran these cells; the outputs were
///   recorded by `notebook run` (when, at which commit, with which compiler is in the first
///   cell and in the metadata under `notebook`).
///
/// The output is deterministic (sorted keys, cell ids from the block numbers), so an export of an
/// unchanged run is byte-identical to the last.
struct JupyterNotebook {
    /// A figure as drawn for the export, or why it could not be.
    enum Figure {
        /// `svg` is nil for a `format=png` figure, whose PNG alone is drawn (at twice its size).
        case drawn(svg: String?, png: Data)
        case failed(Diagnostic)
    }

    let document: NotebookDocument
    /// Nil for a notebook without Swift blocks: nothing ran.
    let record: ExecutionRecord?
    /// Each table's TSV text, by name.
    let tables: [String: String]
    /// The parameters of the run, as the report lists them.
    let parameters: [(name: String, value: ParameterValue, isDefault: Bool)]
    /// By gnuplot block index.
    let figures: [Int: Figure]

    static let kernelspec: JSONValue = [
        "name": "swift",
        "display_name": "Swift (outputs recorded by notebook run; no Jupyter kernel)",
        "language": "swift",
    ]

    /// The notebook as a JSON object (nbformat 4.5).
    func json() -> JSONValue {
        var cells: [JSONValue] = [header()]
        var prose = 0
        var inlineNumber = 0
        for segment in document.segments {
            switch segment {
            case .prose(let text):
                prose += 1
                cells.append(markdownCell(text, id: "prose-\(prose)", inlineNumber: &inlineNumber))
            case .swift(let block):
                cells.append(swiftCell(block))
            case .gnuplot(let block):
                cells.append(gnuplotCell(block))
            case .block(let block):
                // A plugged engine's outputs are not kept with the run: its listing, as prose.
                prose += 1
                cells.append(markdownCell(Prose(line: block.fenceLine, text: "```\(block.language)\n\(block.body)\n```"),
                                          id: "prose-\(prose)", inlineNumber: &inlineNumber))
            }
        }
        return [
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": [
                "title": .string(document.title),
                "kernelspec": Self.kernelspec,
                "language_info": ["name": "swift", "file_extension": ".swift", "mimetype": "text/x-swift"],
                "notebook": [
                    "source": .string(document.path),
                    "commit": JSONValue(record?.commit),
                    "toolchain": JSONValue(record?.toolchain),
                    "computed": JSONValue(record.map { ISO8601DateFormatter().string(from: $0.finished) }),
                    "parameters": .object(parameters.map { JSONValue.Member($0.name, .string($0.value.description)) }),
                ],
            ],
            "cells": .array(cells),
        ]
    }

    /// The notebook's bytes, as nbformat writes them (`json.dumps(sort_keys=True, indent=1,
    /// ensure_ascii=False)` and a newline), so that opening and saving it in Jupyter changes nothing.
    func data() -> Data {
        Data((json().text(layout: .indented(1), sortedKeys: true) + "\n").utf8)
    }

    // MARK: Cells

    /// Where the outputs come from: the source, the run, the parameters set, the findings (a table of
    /// the paper's statements with their verdicts, those beyond the paper) and the checks' tally.
    private func header() -> JSONValue {
        let claims = record?.claims ?? []
        let held = claims.filter(\.held).count
        let set = parameters.filter { !$0.isDefault }
        let source = "*Exported by `notebook export --ipynb` from `\(document.path)`.* "
        var lines = [
            record.map {
                source + "The outputs below are those of its run of \(ISO8601DateFormatter().string(from: $0.finished)) "
                    + "at commit `\($0.commit)` (\($0.toolchain)); no Jupyter kernel ran these cells."
            } ?? source + "It has no Swift blocks: nothing ran.",
        ]
        if !set.isEmpty {
            lines.append("")
            lines.append("Run with non-default parameters: " + set.map { "`\($0.name)` = `\($0.value)`" }.joined(separator: ", ") + ".")
        }
        let findings = record?.findings ?? []
        let paper = findings.filter { !$0.isBeyondThePaper }
        if !paper.isEmpty {
            lines.append("")
            lines.append("**Verdict**: " + FindingsHTML.countsText(paper) + ".")
            lines.append("")
            lines.append("| Statement | The paper | Ours | Verdict |")
            lines.append("|---|---|---|---|")
            for finding in paper {
                let cells = [finding.statement, finding.paper ?? "", finding.ours].map(Self.markdownEscaped)
                    + ["**\(finding.verdict!.words)**" + (finding.basis.map { " (basis: \(Self.markdownEscaped($0)))" } ?? "")]
                lines.append("| " + cells.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ") + " |")
            }
        }
        let beyond = findings.filter(\.isBeyondThePaper)
        if !beyond.isEmpty {
            lines.append("")
            lines.append("**Beyond the paper**:")
            lines.append("")
            for finding in beyond { lines.append("- " + Self.beyondText(finding, markdown: true)) }
        }
        if !claims.isEmpty {
            lines.append("")
            lines.append("Checks of our numerics: \(held) of \(claims.count) held.")
        }
        return ["cell_type": "markdown", "id": "notebook-export", "metadata": [:], "source": Self.source(lines.joined(separator: "\n"))]
    }

    private func markdownCell(_ prose: Prose, id: String, inlineNumber: inout Int) -> JSONValue {
        let values = record?.inlines ?? [:]
        var text = ""
        var cursor = prose.text.startIndex
        for span in InlineExpression.spans(in: prose.text, line: prose.line) {
            text += prose.text[cursor..<span.range.lowerBound]
            // Not computed: the expression stays as written, a code span.
            text += values[inlineNumber].map(Self.markdownEscaped) ?? String(prose.text[span.range])
            cursor = span.range.upperBound
            inlineNumber += 1
        }
        text += prose.text[cursor...]
        return [
            "cell_type": "markdown", "id": .string(id), "metadata": ["notebook": ["line": .integer(prose.line)]],
            "source": Self.source(text.trimmingCharacters(in: .newlines)),
        ]
    }

    private func swiftCell(_ block: SwiftBlock) -> JSONValue {
        let blocks = record?.blocks ?? []
        let result = blocks.indices.contains(block.index) ? blocks[block.index] : .notRun
        var outputs: [JSONValue] = []
        var printed = result.output
        if result.outputIsCut {
            if !printed.hasSuffix("\n") { printed += "\n" }
            printed += "… output cut at \(result.output.utf8.count) of \(result.outputBytes ?? 0) bytes "
                + "(the whole output is data/\(document.stem)/\(NotebookReport.outputFileName(block: block.index)) beside the HTML report)\n"
        }
        if !printed.isEmpty {
            outputs.append(["output_type": "stream", "name": "stdout", "text": Self.source(printed)])
        }
        if var errors = result.errors, !errors.isEmpty {
            if result.errorsAreCut {
                if !errors.hasSuffix("\n") { errors += "\n" }
                errors += "… standard error cut at \(errors.utf8.count) of \(result.errorBytes ?? 0) bytes "
                    + "(the whole is data/\(document.stem)/\(NotebookReport.errorFileName(block: block.index)) beside the HTML report)\n"
            }
            outputs.append(["output_type": "stream", "name": "stderr", "text": Self.source(errors)])
        }
        if let diagnostic = result.diagnostic {
            let location = diagnostic.line.map { "\(document.path):\($0)" } ?? document.path
            outputs.append([
                "output_type": "error", "ename": .string(result.status.rawValue), "evalue": .string("\(location): \(diagnostic.message)"),
                "traceback": JSONValue(strings: diagnostic.detail.isEmpty ? [] : diagnostic.detail.components(separatedBy: "\n")),
            ])
        }
        let findings = (record?.findings ?? []).filter { $0.block == block.index }
        if !findings.isEmpty {
            outputs.append(Self.display([
                "text/markdown": Self.source(findings.map { "- " + Self.findingText($0, markdown: true) }.joined(separator: "\n")),
                "text/plain": Self.source(findings.map { Self.findingText($0, markdown: false) }.joined(separator: "\n")),
            ]))
        }
        let claims = (record?.claims ?? []).filter { $0.block == block.index }
        if !claims.isEmpty {
            let verdict = { (claim: ClaimRecord) in "\(claim.held ? "✓ held" : "✗ failed"): \(claim.text) (line \(claim.line))" }
            outputs.append(Self.display([
                "text/markdown": Self.source(claims.map { "- **\(verdict($0))**" }.joined(separator: "\n")),
                "text/plain": Self.source(claims.map(verdict).joined(separator: "\n")),
            ]))
        }
        for table in record?.tables ?? [] where table.block == block.index {
            outputs.append(tableOutput(table))
        }
        var metadata: JSONValue = ["line": .integer(block.fenceLine), "status": .string(result.status.rawValue)]
        if let seconds = result.seconds { metadata["seconds"] = .number(seconds) }
        return [
            "cell_type": "code", "id": .string("swift-\(block.index + 1)"),
            "execution_count": result.status == .notRun ? .null : .integer(block.index + 1),
            "metadata": ["notebook": metadata], "source": Self.source(block.code), "outputs": .array(outputs),
        ]
    }

    /// A finding in words: its verdict (or "beyond the paper"), the statement, the paper's words, ours, the basis.
    static func findingText(_ finding: FindingRecord, markdown: Bool) -> String {
        guard let verdict = finding.verdict else { return beyondText(finding, markdown: markdown) }
        let text = { (s: String) in markdown ? markdownEscaped(s) : s }
        let head = markdown ? "**\(verdict.words)**: **\(text(finding.statement))**" : "\(verdict.words): \(finding.statement)"
        return head + " — the paper: \(text(finding.paper ?? "")); ours: \(text(finding.ours))"
            + (finding.basis.map { " (basis: \(text($0)))" } ?? "") + " (line \(finding.line))"
    }

    /// A finding beyond the paper in words.
    static func beyondText(_ finding: FindingRecord, markdown: Bool) -> String {
        let text = { (s: String) in markdown ? markdownEscaped(s) : s }
        let head = markdown ? "**beyond the paper**: **\(text(finding.statement))**" : "beyond the paper: \(finding.statement)"
        return head + " — ours: \(text(finding.ours))" + (finding.basis.map { " (basis: \(text($0)))" } ?? "") + " (line \(finding.line))"
    }

    /// The first ``NotebookReport/rowsShown`` rows as an HTML table, the header and row count as text.
    private func tableOutput(_ table: TableRecord) -> JSONValue {
        let rows = Table(tsv: tables[table.name] ?? "").rows.prefix(NotebookReport.rowsShown)
        let caption = "Table \(table.name) · \(table.rows) row\(table.rows == 1 ? "" : "s")"
            + (table.rows > rows.count ? " (first \(rows.count) shown; the whole is data/\(document.stem)/\(table.name).tsv)" : "")
        var html = "<table>\n<caption>\(HTMLEscape.escape(caption))</caption>\n<tr>"
        html += table.columns.map { "<th>\(HTMLEscape.escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html += "<tr>" + row.map { "<td>\(HTMLEscape.escape(NotebookReport.shortNumber($0)))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>"
        return Self.display(["text/html": Self.source(html), "text/plain": Self.source(caption + ": " + table.columns.joined(separator: ", "))])
    }

    private func gnuplotCell(_ block: GnuplotBlock) -> JSONValue {
        var outputs: [JSONValue] = []
        switch figures[block.index] {
        case .drawn(let svg, let png):
            var data: JSONValue = [
                "image/png": .string(png.base64EncodedString()),
                "text/plain": [.string("<figure \(block.figure)\(block.caption.map { ": " + $0 } ?? "")>")],
            ]
            if let svg { data["image/svg+xml"] = Self.source(svg) }
            outputs.append([
                "output_type": "display_data",
                "data": data,
                "metadata": ["image/png": ["width": .integer(block.size.width), "height": .integer(block.size.height)]],
            ])
        case .failed(let diagnostic):
            outputs.append([
                "output_type": "error", "ename": "figure not drawn",
                "evalue": .string("\(document.path):\(diagnostic.line ?? block.fenceLine): \(diagnostic.message)"),
                "traceback": JSONValue(strings: diagnostic.detail.isEmpty ? [] : diagnostic.detail.components(separatedBy: "\n")),
            ])
        case nil:
            break
        }
        var notebook: JSONValue = ["language": "gnuplot", "figure": .string(block.figure), "data": JSONValue(strings: block.data), "line": .integer(block.fenceLine)]
        if let caption = block.caption { notebook["caption"] = .string(caption) }
        return [
            "cell_type": "code", "id": .string("gnuplot-\(block.index + 1)"), "execution_count": .null,
            "metadata": ["notebook": notebook, "tags": ["gnuplot"]],
            "source": Self.source(block.script), "outputs": .array(outputs),
        ]
    }

    // MARK: Text

    private static func display(_ data: JSONValue) -> JSONValue {
        ["output_type": "display_data", "data": data, "metadata": [:]]
    }

    /// Text as a cell's `source` or an output's `text`: ``lines(_:)``.
    static func source(_ text: String) -> JSONValue { JSONValue(strings: lines(text)) }

    /// Text as Jupyter stores it: lines, each but the last keeping its newline.
    static func lines(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == "\n" || character == "\r\n" {
                result.append(current)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// An inline value as literal Markdown: its punctuation escaped.
    static func markdownEscaped(_ text: String) -> String {
        text.map { "\\`*_{}[]<>$#|~^!".contains($0) ? "\\\($0)" : String($0) }.joined()
    }
}
