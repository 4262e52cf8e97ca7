import Foundation
import NotebookRuntime
import Plot

/// One notebook's HTML report: a single self-contained file (inline CSS, figures
/// inline as data URIs) with a table of contents, the prose, each Swift block's
/// code (folded), output, tables and errors in place, each figure with its
/// caption, and a footer with the parameters, commit, toolchain and timings.
struct NotebookReport {
    struct Run {
        var parameters: [(name: String, value: ParameterValue, isDefault: Bool)]
        var record: ExecutionRecord?
        var cached: Bool
        /// Each table's TSV text, by name.
        var tables: [String: String]
        var figures: [FigureResult]
        /// What plugged engines' blocks gave, by language and block index.
        var engineOutputs: [String: [Int: EngineBlockOutput]] = [:]
        /// Relative link from the report to its tables' folder.
        var dataLink: String
        /// The reports before and after this one in the folder's index (stem and title), for navigation.
        var previous: (stem: String, title: String)? = nil
        var next: (stem: String, title: String)? = nil
        /// What it is rendered from: the notebook's and the library's digests and the commit.
        var provenance: ReportProvenance? = nil
    }

    /// Rows shown before a table is cut, with a link to the whole TSV.
    static let rowsShown = 20

    let document: NotebookDocument
    let run: Run

    /// The report; prose and listings go through pandoc (``ProseRenderer``).
    func html() throws -> String {
        var toc: [(level: Int, id: String, text: String)] = []
        var usedIDs: Set<String> = []
        var body: [Node<HTML.BodyContext>] = []
        let rendered = try ProseRenderer(bibliography: bibliography).render(pieces())
        // The verdict opens the report: right after the notebook's first `# ` heading, before its
        // own prose (at the top when it has none before its first block).
        var verdictPlaced = verdictSection() == nil
        let placeVerdict = { (toc: inout [(level: Int, id: String, text: String)], usedIDs: inout Set<String>, body: inout [Node<HTML.BodyContext>]) in
            guard !verdictPlaced, let section = verdictSection() else { return }
            verdictPlaced = true
            usedIDs.insert("verdict")
            toc.append((2, "verdict", "Verdict"))
            body.append(.raw(section))
        }
        for (segment, piece) in zip(document.segments, rendered.pieces) {
            switch segment {
            case .prose:
                if !verdictPlaced, let close = piece.range(of: "</h1>") {
                    body.append(contentsOf: proseNodes(String(piece[..<close.upperBound]), toc: &toc, usedIDs: &usedIDs))
                    placeVerdict(&toc, &usedIDs, &body)
                    body.append(contentsOf: proseNodes(String(piece[close.upperBound...]), toc: &toc, usedIDs: &usedIDs))
                } else {
                    body.append(contentsOf: proseNodes(piece, toc: &toc, usedIDs: &usedIDs))
                }
            case .swift(let block):
                placeVerdict(&toc, &usedIDs, &body)
                body.append(swiftNode(block, listing: piece))
            case .gnuplot(let block):
                placeVerdict(&toc, &usedIDs, &body)
                body.append(gnuplotNode(block, listing: piece))
            case .block(let block):
                placeVerdict(&toc, &usedIDs, &body)
                body.append(engineNode(block, listing: piece))
            }
        }
        placeVerdict(&toc, &usedIDs, &body)
        if let references = rendered.references {
            body.append(contentsOf: proseNodes("<h2>References</h2>\n" + references, toc: &toc, usedIDs: &usedIDs))
        }
        let page = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .element(named: "title", nodes: [.raw(HTMLEscape.escape(document.title))]),
                .style(Self.css + FindingsHTML.css + ProseRenderer.css)
            ),
            .body(
                .nav(.class("pages"),
                    .a(.href("index.html"), .safe("↑ All reports")),
                    .unwrap(run.previous) { .a(.class("previous"), .href(Self.attribute(HTMLEscape.link("\($0.stem).html"))), .safe("← " + $0.title)) },
                    .unwrap(run.next) { .a(.class("next"), .href(Self.attribute(HTMLEscape.link("\($0.stem).html"))), .safe($0.title + " →")) }),
                // Empty when rendered; the index fills it when the report becomes older than its sources.
                .raw(ReportProvenance.slotOpen + ReportProvenance.slotClose),
                .header(
                    .p(.class("path"), .safe(document.path)),
                    .p(.class("status"), statusNode()),
                    .if(run.parameters.contains { !$0.isDefault }, .p(.class("banner"), .safe(
                        "Run with non-default parameters: "
                            + run.parameters.filter { !$0.isDefault }.map { "\($0.name) = \($0.value)" }.joined(separator: ", "))))
                ),
                .if(toc.count > 1, .nav(.class("toc"), .h2("Contents"), .ul(.forEach(toc) { entry in
                    .li(.class("level\(entry.level)"), .a(.href(Self.attribute("#\(entry.id)")), .safe(entry.text)))
                }))),
                .main(.group(body)),
                footer()
            )
        )
        return page.render()
    }

    // MARK: Prose

    /// `references.bib` beside the notebook: the citations' bibliography.
    var bibliography: URL {
        URL(fileURLWithPath: document.path).deletingLastPathComponent().appendingPathComponent("references.bib")
    }

    /// Every segment as a piece for pandoc: prose with its inline values in place, listings.
    private func pieces() -> [ProseRenderer.Piece] {
        let values = run.record?.inlines ?? [:]
        var next = 0
        return document.segments.map { segment in
            switch segment {
            case .prose(let prose):
                var text = ""
                var cursor = prose.text.startIndex
                for span in InlineExpression.spans(in: prose.text, line: prose.line) {
                    text += prose.text[cursor..<span.range.lowerBound]
                    let value = values[next]
                    text += ProseRenderer.inlineValue(value ?? span.code, missing: value == nil, expression: span.code)
                    cursor = span.range.upperBound
                    next += 1
                }
                text += prose.text[cursor...]
                return .prose(text)
            case .swift(let block): return .code(block.code, language: "swift")
            case .gnuplot(let block): return .code(block.script, language: "gnuplot")
            case .block(let block): return .code(block.body, language: block.language)
            }
        }
    }

    /// Prose as pandoc rendered it, with ids on the headings for the table of contents.
    private func proseNodes(
        _ rendered: String, toc: inout [(level: Int, id: String, text: String)], usedIDs: inout Set<String>
    ) -> [Node<HTML.BodyContext>] {
        var html = rendered
        var result = ""
        while let open = html.range(of: "<h[1-6]>", options: .regularExpression) {
            let level = Int(String(html[html.index(open.lowerBound, offsetBy: 2)]))!
            guard let close = html.range(of: "</h\(level)>", range: open.upperBound..<html.endIndex) else { break }
            let inner = String(html[open.upperBound..<close.lowerBound])
            let plain = inner.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
            var id = Self.slug(plain)
            var suffix = 2
            while usedIDs.contains(id) { id = "\(Self.slug(plain))-\(suffix)"; suffix += 1 }
            usedIDs.insert(id)
            if level >= 2 && level <= 3 { toc.append((level, id, Self.unescape(plain))) }
            result += html[..<open.lowerBound] + "<h\(level) id=\"\(id)\">" + inner
            html = String(html[close.lowerBound...])
        }
        return [.div(.class("prose"), .raw(result + html))]
    }

    static func slug(_ text: String) -> String {
        let words = unescape(text).lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        return words.isEmpty ? "section" : words.joined(separator: "-")
    }

    private static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    // MARK: Swift blocks

    /// The block's result in this run's record ("not run" when the record has none).
    private func result(of block: SwiftBlock) -> BlockResult {
        guard let blocks = run.record?.blocks, blocks.indices.contains(block.index) else { return .notRun }
        return blocks[block.index]
    }

    private func swiftNode(_ block: SwiftBlock, listing: String) -> Node<HTML.BodyContext> {
        let result = result(of: block)
        let tables = (run.record?.tables ?? []).filter { $0.block == block.index && figureShowing($0) == nil }
        let time = result.seconds.map { " · " + NotebookProgram.format(seconds: $0) } ?? ""
        return .section(
            .class("cell swift \(Self.cssClass(result.status))"), .id("block-\(block.index + 1)"),
            .details(
                .summary(.safe("Swift · line \(block.fenceLine)\(time)"), badge(result.status)),
                .raw(listing)
            ),
            .if(!result.output.isEmpty, .pre(.class("output"), .safe(result.output))),
            .if(result.outputIsCut, outputCutNode(block, result: result)),
            .unwrap(result.errors.flatMap { $0.isEmpty ? nil : $0 }) { errorsNode(block, result: result, text: $0) },
            .unwrap(result.diagnostic) { errorNode($0) },
            .if(!findings(of: block).isEmpty, .raw(FindingsHTML.inPlace(findings(of: block)))),
            .if(!claims(of: block).isEmpty, claimsNode(claims(of: block))),
            .forEach(tables) { tableNode($0) }
        )
    }

    /// The figure a table is shown after: the first gnuplot block after the table's Swift block that
    /// draws from it (`data=`), so that a table stands behind the figure it supports, not before it.
    /// Nil for a table no figure draws: it stays under its block.
    func figureShowing(_ table: TableRecord) -> GnuplotBlock? {
        guard document.swiftBlocks.indices.contains(table.block) else { return nil }
        let emitted = document.swiftBlocks[table.block].fenceLine
        return document.gnuplotBlocks.first { $0.fenceLine > emitted && $0.data.contains(table.name) }
    }

    /// The checks of our numerics a block made, with their indices in the record (their anchors).
    private func claims(of block: SwiftBlock) -> [(index: Int, claim: ClaimRecord)] {
        (run.record?.claims ?? []).enumerated().filter { $0.element.block == block.index }.map { ($0.offset, $0.element) }
    }

    /// The findings a block stated, with their indices in the record (their anchors).
    private func findings(of block: SwiftBlock) -> [(index: Int, finding: FindingRecord)] {
        (run.record?.findings ?? []).enumerated().filter { $0.element.block == block.index }.map { ($0.offset, $0.element) }
    }

    /// The checks a block made, each held or failed, with its line, under the label "check".
    private func claimsNode(_ claims: [(index: Int, claim: ClaimRecord)]) -> Node<HTML.BodyContext> {
        .raw("<div class=\"checks\"><p class=\"label\">\(claims.count == 1 ? "check" : "checks") of our numerics</p><ul class=\"claims\">"
            + claims.map { FindingsHTML.checkItem($0.claim, id: FindingsHTML.checkID($0.index), where: "line \($0.claim.line)") }.joined()
            + "</ul></div>")
    }

    /// The report's opening section: every finding of the run (counts, then the table of the
    /// paper's statements with their verdicts), those beyond the paper, and the checks' tally,
    /// linking each to where it is stated. Nil when the run stated no finding and made no check.
    func verdictSection() -> String? {
        let findings = run.record?.findings ?? []
        let checks = run.record?.claims ?? []
        guard !findings.isEmpty || !checks.isEmpty else { return nil }
        let indexed = findings.enumerated().map { (index: $0.offset, finding: $0.element) }
        let paper = indexed.filter { !$0.finding.isBeyondThePaper }
        let beyond = indexed.filter { $0.finding.isBeyondThePaper }
        var html = "<section class=\"verdict\" id=\"verdict\"><h2>Verdict</h2>"
        if paper.isEmpty {
            html += "<p class=\"verdict-counts\">No statement of the paper is compared in this notebook.</p>"
        } else {
            html += FindingsHTML.counts(paper.map(\.finding))
            html += "<div class=\"scroll\"><table class=\"findings\">" + FindingsHTML.head + "<tbody>"
                + paper.map { FindingsHTML.row($0.finding, link: "#" + FindingsHTML.findingID($0.index)) }.joined()
                + "</tbody></table></div>"
        }
        if !beyond.isEmpty {
            html += "<h3>Beyond the paper</h3>" + FindingsHTML.beyondList(beyond.map { ($0.finding, "#" + FindingsHTML.findingID($0.index)) })
        }
        if !checks.isEmpty {
            let blocks = Array(Set(checks.map(\.block))).sorted()
            let links = blocks.map { "<a href=\"#block-\($0 + 1)\">\($0 + 1)</a>" }.joined(separator: ", ")
            let failed = checks.enumerated().filter { !$0.element.held }
            html += "<p class=\"checks-summary\">Checks of our numerics: <span class=\"\(failed.isEmpty ? "held" : "failed")\">"
                + FindingsHTML.checksText(checks) + "</span> (in block\(blocks.count == 1 ? "" : "s") \(links))</p>"
            if !failed.isEmpty {
                html += "<ul class=\"claims\">" + failed.map {
                    FindingsHTML.checkItem($0.element, link: "#" + FindingsHTML.checkID($0.offset), where: "line \($0.element.line)")
                }.joined() + "</ul>"
            }
        }
        return html + "</section>"
    }

    /// The note under a block whose output was cut, linking the whole output beside the report.
    private func outputCutNode(_ block: SwiftBlock, result: BlockResult) -> Node<HTML.BodyContext> {
        let name = Self.outputFileName(block: block.index)
        let link = Self.attribute(HTMLEscape.link("\(run.dataLink)/\(name)"))
        return .p(.class("more"),
            .safe("… output cut at \(Self.bytes(result.output.utf8.count)) of \(Self.bytes(result.outputBytes ?? 0)); the whole output is in "),
            .a(.href(link), .safe(name)))
    }

    /// What the block wrote on standard error, apart from its output: folded under a one-line
    /// summary (library notices, warnings: useful on a terminal, noise in a report), open when
    /// the block failed or timed out (then it is the diagnosis).
    private func errorsNode(_ block: SwiftBlock, result: BlockResult, text: String) -> Node<HTML.BodyContext> {
        let trimmed = text.hasSuffix("\n") ? String(text.dropLast()) : text
        let count = trimmed.textLines.count
        let open = result.errorsShownOpen
        var html = "<details class=\"stderr\(open ? " open" : "")\"\(open ? " open" : "")>"
            + "<summary>standard error (\(count) line\(count == 1 ? "" : "s"))</summary>"
            + "<pre>" + HTMLEscape.escape(trimmed) + "</pre>"
        if result.errorsAreCut {
            let name = Self.errorFileName(block: block.index)
            html += "<p class=\"more\">" + HTMLEscape.escape(
                "… cut at \(Self.bytes(text.utf8.count)) of \(Self.bytes(result.errorBytes ?? 0)); the whole is in ")
                + "<a href=\"\(Self.attribute(HTMLEscape.link("\(run.dataLink)/\(name)")))\">\(HTMLEscape.escape(name))</a></p>"
        }
        return .raw(html + "</details>")
    }

    /// The file beside the report holding block `block`'s whole output, when it was cut.
    static func outputFileName(block: Int) -> String { "block-\(block + 1)-output.txt" }
    /// The file beside the report holding block `block`'s whole standard error, when it was cut.
    static func errorFileName(block: Int) -> String { "block-\(block + 1)-stderr.txt" }

    static func bytes(_ count: Int) -> String {
        count < 1 << 20 ? "\(count / 1024) KB" : String(format: "%.1f MB", Double(count) / Double(1 << 20))
    }

    /// An attribute value: Plot writes attribute values as given, unescaped.
    static func attribute(_ value: String) -> String { HTMLEscape.escape(value) }

    /// A plugged engine's block: its listing (folded) and the text its engine gave.
    private func engineNode(_ block: EngineBlock, listing: String) -> Node<HTML.BodyContext> {
        let output = run.engineOutputs[block.language]?[block.index]
        let status: BlockResult.Status = output.map { $0.failed ? .failed : .succeeded } ?? .notRun
        return .section(
            .class("cell \(Self.cssClass(status))"), .id(Self.attribute("\(block.language)-\(block.index + 1)")),
            .details(.summary(.safe("\(block.language) · line \(block.fenceLine)"), badge(status)), .raw(listing)),
            .unwrap(output.flatMap { $0.text.isEmpty ? nil : $0.text }) { .pre(.class("output"), .safe($0)) })
    }

    private func badge(_ status: BlockResult.Status) -> Node<HTML.BodyContext> {
        status == .succeeded ? .empty : .span(.class("badge \(Self.cssClass(status))"), .safe(status.rawValue))
    }

    private static func cssClass(_ status: BlockResult.Status) -> String {
        switch status {
        case .succeeded: return "ok"
        case .failed: return "failed"
        case .timedOut: return "timedout"
        case .notRun: return "notrun"
        }
    }

    private func errorNode(_ diagnostic: Diagnostic) -> Node<HTML.BodyContext> {
        let location = diagnostic.line.map { "\(document.path):\($0)" } ?? document.path
        return .div(
            .class("error"),
            .p(.strong(.safe(location)), .safe(" "), .safe(diagnostic.message)),
            .if(!diagnostic.detail.isEmpty, .details(.summary("Full message"), .pre(.safe(diagnostic.detail))))
        )
    }

    private func tableNode(_ table: TableRecord) -> Node<HTML.BodyContext> {
        let rows = Table(tsv: run.tables[table.name] ?? "").rows
        let link = Self.attribute(HTMLEscape.link("\(run.dataLink)/\(table.name).tsv"))
        // Folded: the tables stand behind their one-line caption, not between a claim and its figure.
        return .details(
            .class("table"),
            .summary(.class("caption"), .safe("Table "), .code(.safe(table.name)),
               .safe(" · \(table.rows) row\(table.rows == 1 ? "" : "s") · "), .a(.href(link), .safe("\(table.name).tsv"))),
            .div(.class("scroll"), .table(
                .tr(.forEach(table.columns) { .th(.safe($0)) }),
                .forEach(rows.prefix(Self.rowsShown)) { row in .tr(.forEach(row) { .td(.safe(Self.shortNumber($0))) }) }
            )),
            .if(table.rows > Self.rowsShown, .p(.class("more"),
                .safe("… \(table.rows - Self.rowsShown) more rows in "), .a(.href(link), .safe("\(table.name).tsv"))))
        )
    }

    /// Six significant digits for display; the TSV keeps every digit.
    static func shortNumber(_ cell: String) -> String {
        guard let value = Double(cell), cell.contains(".") || cell.contains("e") else { return cell }
        return String(format: "%.6g", value)
    }

    // MARK: Figures

    private func figure(of block: GnuplotBlock) -> FigureResult {
        run.figures.indices.contains(block.index)
            ? run.figures[block.index] : FigureResult(status: .notRun, svg: nil, diagnostic: nil, seconds: 0)
    }

    private func gnuplotNode(_ block: GnuplotBlock, listing: String) -> Node<HTML.BodyContext> {
        let result = figure(of: block)
        let status: BlockResult.Status = result.status == .failed ? .failed : result.status == .notRun ? .notRun : .succeeded
        // A figure this run did not draw, shown from an earlier run's file.
        let stale = result.hasImage && (result.status == .failed || result.status == .notRun)
        // A click opens the figure full size (its file beside the report).
        let file = "\(block.figure).\(block.format == .png ? "png" : "svg")"
        let image: Node<HTML.BodyContext>
        if let svg = result.svg {
            image = .a(.class("full-size"), .href(Self.attribute(HTMLEscape.link(file))), .img(
                .src("data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString()),
                .alt(Self.attribute(block.caption ?? block.figure))))
        } else if let png = result.png {
            // Drawn at twice its size: shown at the block's size, sharp on a high-density screen.
            image = .a(.class("full-size"), .href(Self.attribute(HTMLEscape.link(file))), .img(
                .src("data:image/png;base64," + png.base64EncodedString()),
                .attribute(named: "width", value: String(block.size.width)),
                .attribute(named: "height", value: String(block.size.height)),
                .alt(Self.attribute(block.caption ?? block.figure))))
        } else {
            image = .div(.class("placeholder"), .safe(result.status == .notRun ? "Not drawn: its data did not come." : "No figure."))
        }
        return .section(
            .class("cell gnuplot \(Self.cssClass(status))\(stale ? " stale" : "")"), .id(Self.attribute("figure-\(block.figure)")),
            .unwrap(result.diagnostic) { errorNode($0) },
            .if(stale, .p(.class("stale"), .strong(.safe("Stale figure. ")), .safe(
                result.status == .failed
                    ? "Showing the last good figure, from an earlier run; this run's drawing failed."
                    : "Showing the last good figure, from an earlier run; this run did not redraw it (its data did not come: a Swift block failed)."))),
            .element(named: "figure", nodes: [
                image,
                .element(named: "figcaption", nodes: [
                    .strong(.safe(block.figure)),
                    .safe(block.caption.map { ": " + $0 } ?? ""),
                    .if(block.format == .svg, .group(.safe(" · "), .a(.href(Self.attribute(HTMLEscape.link("\(block.figure).svg"))), .safe("SVG")))),
                    .safe(" · "), .a(.href(Self.attribute(HTMLEscape.link("\(block.figure).png"))), .safe("PNG")),
                ]),
            ]),
            .details(
                .summary(.safe("gnuplot · line \(block.fenceLine)"), badge(status)),
                .raw(listing)
            ),
            .forEach((run.record?.tables ?? []).filter { figureShowing($0)?.index == block.index }) { tableNode($0) }
        )
    }

    // MARK: Header and footer

    private func statusNode() -> Node<HTML.BodyContext> {
        guard let record = run.record else { return .safe("Not run.") }
        // Succeeded only when every block did and every figure was drawn: a block not run
        // (after a time limit, a crash) or a figure not drawn is never a success.
        let timedOut = record.blocks.contains { $0.status == .timedOut }
        let failedClaims = (record.claims ?? []).filter { !$0.held }.count
        let findings = record.findings ?? []
        let paper = findings.filter { !$0.isBeyondThePaper }
        let beyond = findings.count - paper.count
        let findingsText = findings.isEmpty ? "" : " Findings: " + (paper.isEmpty ? "" : FindingsHTML.countsText(paper))
            + (beyond == 0 ? "" : (paper.isEmpty ? "" : " · ") + "\(beyond) beyond the paper") + "."
        let checksText = (record.claims ?? []).isEmpty ? "" : " Checks of our numerics: \(FindingsHTML.checksText(record.claims ?? []))."

        let failed = !record.succeeded || failedClaims > 0 || run.figures.contains { $0.status == .failed || $0.status == .notRun }
        let label = timedOut ? "timed out" : failed ? "failed" : "succeeded"
        let when = ISO8601DateFormatter().string(from: record.finished)
        return .group(
            .span(.class(failed ? "badge failed" : "badge ok"), .safe(label)),
            .safe(" Computed \(when) at commit \(record.commit)"
                + (run.cached ? " (from the cache: nothing changed since)." : ".")
                + findingsText + checksText)
        )
    }

    private func footer() -> Node<HTML.BodyContext> {
        let record = run.record
        let swiftBlocks = document.swiftBlocks
        return .footer(
            .h2("Run"),
            .table(
                .tr(.th("Parameter"), .th("Value"), .th("")),
                .forEach(run.parameters) { parameter in
                    .tr(.td(.code(.safe(parameter.name))), .td(.safe(parameter.value.description)),
                        .td(.safe(parameter.isDefault ? "default" : "set for this run")))
                }
            ),
            .p(.safe("Commit \(record?.commit ?? "unknown") · \(record?.toolchain ?? "") · compiled in "
                + NotebookProgram.format(seconds: record?.compileSeconds ?? 0) + ", ran in "
                + NotebookProgram.format(seconds: record?.runSeconds ?? 0))),
            .unwrap(record?.kernelProvenance) { .p(.class("kernel-provenance"), .safe("Computed with " + HTMLEscape.escape($0))) },
            .unwrap(record?.restoredBlocks) { .p(.class("resumption"), .safe(($0 == 1 ? "Block 1 was" : "Blocks 1–\($0) were") + " restored from an earlier run's snapshot, not run again.")) },
            .unwrap(record?.fullRunReason) { .p(.class("resumption"), .safe("Every block ran, not resumed from an earlier run: \($0)")) },
            .table(
                .tr(.th("Block"), .th("Line"), .th("Status"), .th("Time")),
                .forEach(swiftBlocks) { block in
                    let result = result(of: block)
                    return .tr(
                        .td(.a(.href("#block-\(block.index + 1)"), .safe("Swift \(block.index + 1)"))),
                        .td(.safe(String(block.fenceLine))), .td(.safe(result.status.rawValue)),
                        .td(.safe(result.seconds.map { NotebookProgram.format(seconds: $0) } ?? "")))
                },
                .forEach(document.gnuplotBlocks) { block in
                    let result = figure(of: block)
                    return .tr(
                        .td(.a(.href(Self.attribute("#figure-\(block.figure)")), .safe("gnuplot \(block.figure)"))),
                        .td(.safe(String(block.fenceLine))),
                        .td(.safe("\(result.status)")),
                        .td(.safe(NotebookProgram.format(seconds: result.seconds))))
                }
            ),
            .p(.class("generated"), .safe("Rendered by notebook from \(document.path)"
                + (run.provenance.map { " (notebook digest \($0.notebook), library digest \($0.library), commit \($0.commit))" } ?? "")
                + "."))
        )
    }

    static let css = """
    :root { --ink: #1d232b; --muted: #5d6773; --line: #dde2e8; --accent: #2a5db0; --bad: #b3261e; --paper: #ffffff; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 62rem; padding: 1.5rem 1.5rem 4rem; color: var(--ink); background: var(--paper);
           font: 16px/1.55 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
    header .path { color: var(--muted); font: 13px ui-monospace, Menlo, monospace; margin: 0; }
    header .status { color: var(--muted); font-size: 14px; margin: .25rem 0 1rem; }
    .banner { background: #fff6d6; border: 1px solid #e8d48a; padding: .5rem .75rem; border-radius: 6px; }
    nav.toc { border: 1px solid var(--line); border-radius: 8px; padding: .5rem 1rem; margin: 1rem 0 2rem; font-size: 15px; }
    nav.toc h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: .25rem 0; }
    nav.toc ul { margin: 0; padding-left: 1.2rem; } nav.toc li.level3 { margin-left: 1rem; }
    a { color: var(--accent); }
    h1 { font-size: 2rem; line-height: 1.2; } h2 { margin-top: 2.2rem; }
    pre, code { font: 13.5px/1.45 ui-monospace, "SF Mono", Menlo, Consolas, monospace; }
    .prose pre { background: #f6f8fa; padding: .75rem; border-radius: 6px; overflow-x: auto; }
    .cell { margin: 1rem 0; }
    .cell details > summary { cursor: pointer; color: var(--muted); font-size: 13px; padding: .2rem 0; }
    .cell details pre { background: #f6f8fa; border-left: 3px solid var(--accent); padding: .75rem; overflow-x: auto; margin: .25rem 0; }
    pre.output { background: #fbfbfc; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .75rem; overflow-x: auto; white-space: pre-wrap; }
    .badge { display: inline-block; font-size: 12px; padding: 0 .45rem; border-radius: 999px; margin-left: .4rem; color: #fff; background: var(--muted); }
    .badge.ok { background: #2e7d32; } .badge.failed, .badge.timedout { background: var(--bad); } .badge.notrun { background: #8a94a0; }
    .cell.notrun { opacity: .6; }
    .cell details.stderr { margin: .2rem 0 .4rem; } .cell details.stderr > summary { font-size: 12px; }
    .cell details.stderr pre { background: transparent; border-left: 2px solid var(--line); color: var(--muted);
           font-size: 12px; padding: .3rem .6rem; white-space: pre-wrap; }
    .cell details.stderr.open > summary { color: var(--bad); }
    .cell details.stderr.open pre { border-left-color: var(--bad); color: var(--ink); }
    .error { border: 1px solid #f0b8b3; background: #fdf0ef; color: #5c1410; border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
    .error p { margin: 0; } .error pre { white-space: pre-wrap; font-size: 12px; }
    .stale { color: var(--bad); font-size: 14px; }
    .cell.stale figure img { opacity: .45; filter: grayscale(1); border: 3px dashed var(--bad); }
    .cell.stale figure::before { content: "STALE"; display: block; color: var(--bad); font-weight: bold; letter-spacing: .1em; }
    .table .caption { font-size: 13px; color: var(--muted); margin: .5rem 0 .25rem; }
    .scroll { overflow-x: auto; }
    table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
    th, td { border-bottom: 1px solid var(--line); padding: .2rem .6rem; text-align: right; }
    th { background: #f3f5f8; text-align: center; }
    .more { font-size: 13px; color: var(--muted); }
    figure { margin: 1rem 0; text-align: center; }
    figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
    figcaption { font-size: 14px; color: var(--muted); margin-top: .4rem; }
    .placeholder { padding: 3rem; border: 1px dashed var(--line); color: var(--muted); }
    footer { margin-top: 3rem; border-top: 1px solid var(--line); font-size: 14px; color: var(--muted); }
    footer table { margin: .5rem 0 1rem; } footer td, footer th { text-align: left; }
        ul.claims { list-style: none; padding: .5rem .75rem; margin: .5rem 0; border-left: 3px solid var(--line); background: #f8fafc; }
    ul.claims li { margin: .15rem 0; } ul.claims .verdict { font-weight: 600; }
    ul.claims li.held .verdict { color: #1a7f37; } ul.claims li.failed .verdict { color: var(--bad); }
    ul.claims li.failed { background: #fdecea; } ul.claims .where { color: var(--muted); font-size: 13px; }
        nav.pages { display: flex; gap: 1.5rem; font-size: 14px; margin-bottom: .75rem; } nav.pages .next { margin-left: auto; }
    details.table { margin: .5rem 0; } details.table > summary { cursor: pointer; }
    a.full-size { display: block; cursor: zoom-in; }
    p.stale-report { border: 2px solid var(--bad); color: var(--bad); border-radius: 6px; padding: .5rem .75rem; margin: 0 0 1rem; }
    section.verdict { border: 1px solid var(--line); border-radius: 8px; padding: .25rem 1rem .75rem; margin: 1rem 0 2rem; }
    section.verdict h2 { margin-top: .75rem; } section.verdict h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
    section.verdict .checks-summary { font-size: 14px; color: var(--muted); }
    .checks { margin: .5rem 0; } .checks ul.claims { margin-top: .1rem; }
    /* Phone width: nothing wider than the page; wide tables, code and equations scroll in their box. */
    img, svg { max-width: 100%; height: auto; }
    .prose table, footer table { display: block; max-width: 100%; overflow-x: auto; }
    math[display="block"] { max-width: 100%; overflow-x: auto; }
    .prose p, .prose li { overflow-x: auto; } /* an inline formula wider than a phone scrolls in its paragraph */
    pre, div.sourceCode { max-width: 100%; overflow-x: auto; }
    p, li, figcaption, header .path, .banner, .error { overflow-wrap: break-word; }
    nav.pages { flex-wrap: wrap; gap: .25rem 1.5rem; }
    @media (max-width: 40rem) {
      body { padding: 1rem .75rem 3rem; font-size: 15px; } h1 { font-size: 1.5rem; }
      pre, code { font-size: 12.5px; }
    }
    /* Print: every folded code listing, table and standard error printed open (a closed <details>
       stays closed in print otherwise); wide tables wrap instead of scrolling. */
    @media print {
      nav.pages, nav.toc, details > summary::marker { display: none; }
      body { max-width: none; padding: 0; font-size: 11pt; } section.cell, figure { break-inside: avoid; }
      details.table, details { display: block; } a { color: inherit; text-decoration: none; }
      details::details-content { content-visibility: visible; display: block; }
      .scroll, pre, div.sourceCode, .prose table, footer table { overflow: visible !important; }
      pre, pre code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
      table.findings { min-width: 0; } .scroll table { font-size: 8pt; } .scroll th, .scroll td { padding: .1rem .3rem; }
    }
    @media (prefers-color-scheme: dark) {
      :root { --ink: #e3e7ec; --muted: #9aa5b1; --line: #38414b; --accent: #7aa7ff; --bad: #ff8a80; --paper: #15191e; }
      .prose pre, pre.output, ul.claims, div.sourceCode, pre { background: #1e242b !important; color: var(--ink); }
      figure img { background: #ffffff; } .banner { background: #3a3320; border-color: #6b5a2a; }
      ul.claims li.failed { background: #3a1f1d; } th, table.findings th { background: #1e242b; }
      .findings-in-place .finding { background: #1e242b; } table.findings td, table.findings th { border-color: var(--line); }
      .verdict-counts .count.reproduced { color: #56d364; } .verdict-counts .count.differs { color: #e3b341; }
      .verdict-counts .count.not-reproduced { color: #f0883e; } table.findings tr.basis td, .findings-in-place .key { color: var(--muted); }
      code span.kw, code span.cf, code span.im, code span.bu, code span.ex { color: #7ee787; } code span.st, code span.ch { color: #a5d6ff; }
      code span.co { color: #8b949e; } code span.dv, code span.fl, code span.bn { color: #79c0ff; } code span.fu { color: #d2a8ff; } code span.dt { color: #ffa657; }
    }
    """
}

extension Node {
    /// Text, escaped here: Plot's own `.text` leaves an `&` that looks like an entity as it is.
    static func safe(_ text: String) -> Node { .raw(HTMLEscape.escape(text)) }
}
