#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import DurableFiles
import Foundation
import NotebookRuntime
import Plot

/// `index.html` beside the reports: every notebook rendered into the folder, with
/// a thumbnail of its first figure. What it lists is kept in `.notebooks.json`,
/// so rendering one notebook does not drop the others.
struct IndexPage {
    struct Entry: Codable, Equatable {
        var stem: String
        var title: String
        var path: String
        var succeeded: Bool
        var firstFigure: String?
        /// When its results were computed: the run its report shows (``ExecutionRecord/finished``,
        /// kept through cached re-runs), or when it was rendered if it has no Swift block.
        var updated: Date
        /// Every figure it draws (absent in manifests written before it was kept).
        var figures: [String]?
        /// The checks of our numerics its blocks made, held or failed.
        var claims: [ClaimRecord]?
        /// The findings its blocks stated, with their verdicts (absent in manifests written before them).
        var findings: [FindingRecord]?
        /// What the report was rendered from (absent in manifests written before it was kept).
        var provenance: ReportProvenance?

        init(
            stem: String, title: String, path: String, succeeded: Bool, claims: [ClaimRecord], findings: [FindingRecord] = [],
            firstFigure: String?, updated: Date, figures: [String]?, provenance: ReportProvenance? = nil
        ) {
            (self.stem, self.title, self.path, self.succeeded, self.claims) = (stem, title, path, succeeded, claims)
            self.findings = findings
            (self.firstFigure, self.updated, self.figures, self.provenance) = (firstFigure, updated, figures, provenance)
        }

        /// Why its report is older than its notebook or the library `library` (nil: not compared).
        func staleness(library: String?) -> [String] {
            ReportProvenance.staleness(path: path, recorded: provenance, library: library)
        }
    }

    let folder: URL
    /// The front page's title and prose (HTML), from `index.md` beside the notebooks, if any.
    var front: (title: String, html: String)? = nil
    /// The current digest of a notebook's kernel (by the notebook's path), against which its
    /// report is checked (nil, or a nil answer: not compared).
    var kernelDigest: ((String) -> String?)? = nil

    /// `index.md` beside `notebook`, through pandoc: its first `# ` heading is the title, the rest
    /// the prose above the reports (the project's paper, its citation, what the reports are).
    static func front(besides notebook: String) throws -> (title: String, html: String)? {
        let folder = URL(fileURLWithPath: notebook).deletingLastPathComponent()
        guard let text = try? String(contentsOf: folder.appendingPathComponent("index.md"), encoding: .utf8) else { return nil }
        var lines = text.textLines
        let heading = lines.firstIndex { $0.hasPrefix("# ") }
        let title = heading.map { String(lines[$0].dropFirst(2)).trimmingCharacters(in: .whitespaces) } ?? "Notebooks"
        if let heading { lines.remove(at: heading) }
        let rendered = try ProseRenderer(bibliography: folder.appendingPathComponent("references.bib"))
            .render([.prose(lines.joined(separator: "\n"))])
        return (title, rendered.pieces[0] + (rendered.references.map { "<h2>References</h2>\n" + $0 } ?? ""))
    }

    private var manifest: URL { folder.appendingPathComponent(".notebooks.json") }

    func entries() -> [Entry] {
        guard let data = try? Data(contentsOf: manifest) else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode([Entry].self, from: data)) ?? []
    }

    /// Records `updated` and rewrites the page, holding `.notebooks.lock` so that runners
    /// updating the same folder at once keep each other's entries.
    func update(with updated: [Entry]) throws {
        try FileLock.withLock(file: folder.appendingPathComponent(".notebooks.lock"), exclusive: true) { try rewrite(with: updated) }
    }

    private func rewrite(with updated: [Entry]) throws {
        var all = entries().filter { old in !updated.contains { $0.stem == old.stem } } + updated
        all = all.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0.stem).html").path) }
        all.sort { $0.stem < $1.stem }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(all), to: manifest)
        let stale = Dictionary(all.map {
            ($0.stem, $0.staleness(library: kernelDigest?(ReportProvenance.location(path: $0.path, recorded: $0.provenance))))
        }, uniquingKeysWith: { first, _ in first })
        for entry in all { try markStaleness(entry, reasons: stale[entry.stem]!) }
        try AtomicFile.write(Data(html(all, stale: stale).utf8), to: folder.appendingPathComponent("index.html"))
    }

    /// Writes the stale notice into the report's slot, or empties it, when that changes the report.
    private func markStaleness(_ entry: Entry, reasons: [String]) throws {
        let report = folder.appendingPathComponent("\(entry.stem).html")
        guard let html = try? String(contentsOf: report, encoding: .utf8) else { return }
        let notice = ReportProvenance.notice(reasons: reasons, path: entry.path, recorded: entry.provenance)
        if let filled = ReportProvenance.filling(html, with: notice) {
            try AtomicFile.write(Data(filled.utf8), to: report)
        }
    }

    private func html(_ entries: [Entry], stale: [String: [String]]) -> String {
        let formatter = ISO8601DateFormatter()
        return HTML(
            .lang(.english),
            .head(.meta(.charset(.utf8)), .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                  .element(named: "title", nodes: [.raw(HTMLEscape.escape(front?.title ?? "Notebooks"))]),
                  .style(Self.css + FindingsHTML.css + ProseRenderer.css)),
            .body(
                .h1(.safe(front?.title ?? "Notebooks")),
                // The whole answer first: every finding, then the checks; then the front prose and the cards.
                .unwrap(answer(entries)) { .raw($0) },
                .unwrap(front) { .div(.class("front"), .raw($0.html)) },
                .p(.class("lead"), .safe("Reports rendered by `notebook run`; each links its figures and tables.")),
                .div(.class("grid"), .forEach(entries) { entry in
                    .a(.class("card"), .href(HTMLEscape.escape(HTMLEscape.link("\(entry.stem).html"))),
                       .unwrap(entry.firstFigure, {
                           .img(.src(HTMLEscape.escape(HTMLEscape.link("\($0).png"))), .alt(HTMLEscape.escape($0)))
                       }, else: .div(.class("nofigure"), .safe("no figure"))),
                       .h2(.safe(entry.title)),
                       .if(!(stale[entry.stem] ?? []).isEmpty, .p(.class("stale"), .safe(
                           "Stale: " + (stale[entry.stem] ?? []).joined(separator: "; ")))),
                       .unwrap(Self.findingCount(entry.findings ?? [])) { .p(.class("findings-count"), .safe($0)) },
                       .p(.safe(entry.path + " · " + (entry.succeeded ? "succeeded" : "FAILED")
                           + Self.claimCount(entry.claims ?? []) + " · computed " + formatter.string(from: entry.updated))))
                })
            )
        ).render()
    }

    /// The whole answer, notebook by notebook: every finding of the paper's statements with its
    /// verdict (rows grouped under each notebook's title, linked), the counts over all notebooks,
    /// the findings beyond the paper, and the checks of our numerics (a failed one listed apart, the
    /// held ones folded). Nil when no notebook stated a finding or made a check.
    func answer(_ entries: [Entry]) -> String? {
        let all = entries.flatMap { $0.findings ?? [] }
        let checks = entries.flatMap { $0.claims ?? [] }
        guard !all.isEmpty || !checks.isEmpty else { return nil }
        let paper = all.filter { !$0.isBeyondThePaper }
        let link = { (entry: Entry, anchor: String) in HTMLEscape.link("\(entry.stem).html") + "#" + anchor }
        let indexed = { (entry: Entry) in (entry.findings ?? []).enumerated().map { (index: $0.offset, finding: $0.element) } }
        var html = "<section class=\"answer\" id=\"answer\">"
        if !paper.isEmpty {
            html += "<h2>Findings: the paper beside our runs</h2>" + FindingsHTML.counts(paper)
            html += "<div class=\"scroll\"><table class=\"findings\">" + FindingsHTML.head + "<tbody>"
            for entry in entries {
                let rows = indexed(entry).filter { !$0.finding.isBeyondThePaper }
                guard !rows.isEmpty else { continue }
                html += "<tr class=\"group\"><th colspan=\"4\"><a href=\"\(HTMLEscape.escape(HTMLEscape.link("\(entry.stem).html")))\">"
                    + HTMLEscape.escape(entry.title) + "</a> <small>" + HTMLEscape.escape(FindingsHTML.countsText(rows.map(\.finding))) + "</small></th></tr>"
                html += rows.map { FindingsHTML.row($0.finding, link: link(entry, FindingsHTML.findingID($0.index))) }.joined()
            }
            html += "</tbody></table></div>"
        }
        let beyond = entries.flatMap { entry in
            indexed(entry).filter { $0.finding.isBeyondThePaper }.map { (entry, $0.index, $0.finding) }
        }
        if !beyond.isEmpty {
            html += "<h2>Findings beyond the paper</h2><ul class=\"beyond\">" + beyond.map { entry, index, finding in
                "<li><a href=\"\(HTMLEscape.escape(link(entry, FindingsHTML.findingID(index))))\"><strong>\(HTMLEscape.escape(finding.statement))</strong></a>: "
                    + HTMLEscape.escape(finding.ours)
                    + (finding.basis.map { " <small>(basis: \(HTMLEscape.escape($0)))</small>" } ?? "")
                    + " <small class=\"where\">· \(HTMLEscape.escape(entry.title))</small></li>"
            }.joined() + "</ul>"
        }
        if !checks.isEmpty {
            let failed = checks.filter { !$0.held }
            html += "<h2 class=\"checks-summary\">Checks of our numerics: <span class=\"\(failed.isEmpty ? "held" : "failed")\">"
                + FindingsHTML.checksText(checks) + "</span></h2>"
            let items = { (held: Bool) in
                entries.flatMap { entry in
                    (entry.claims ?? []).enumerated().filter { $0.element.held == held }.map {
                        FindingsHTML.checkItem($0.element, link: link(entry, FindingsHTML.checkID($0.offset)), where: "\(entry.path):\($0.element.line)")
                    }
                }.joined()
            }
            if !failed.isEmpty {
                html += "<ul class=\"claims failed-checks\">" + items(false) + "</ul>"
            }
            let held = checks.count - failed.count
            if held > 0 {
                html += "<details class=\"held-checks\"><summary>The \(held) held, notebook by notebook</summary><ul class=\"claims\">"
                    + items(true) + "</ul></details>"
            }
        }
        return html + "</section>"
    }

    /// A card's findings: "2 reproduced · 1 not reproduced · 1 beyond the paper" (nil: none).
    private static func findingCount(_ findings: [FindingRecord]) -> String? {
        guard !findings.isEmpty else { return nil }
        let counts = Verdict.allCases.compactMap { verdict -> String? in
            let count = findings.filter { $0.verdict == verdict }.count
            return count == 0 ? nil : "\(count) \(verdict.words)"
        }
        let beyond = findings.filter(\.isBeyondThePaper).count
        return "Findings: " + (counts + (beyond == 0 ? [] : ["\(beyond) beyond the paper"])).joined(separator: " · ")
    }

    private static func claimCount(_ claims: [ClaimRecord]) -> String {
        guard !claims.isEmpty else { return "" }
        let held = claims.filter(\.held).count
        return " · checks of our numerics: \(held) of \(claims.count) held"
    }

    static let css = """
    body { margin: 0 auto; max-width: 70rem; padding: 1.5rem; font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d232b; }
    .lead { color: #5d6773; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; }
    .card { display: block; border: 1px solid #dde2e8; border-radius: 8px; padding: .75rem; color: inherit; text-decoration: none; }
    .card:hover { border-color: #2a5db0; }
    .card img { width: 100%; height: auto; border-radius: 4px; }
    .card h2 { font-size: 1.1rem; margin: .5rem 0 .25rem; } .card p { font-size: 13px; color: #5d6773; margin: 0; }
    .answer { border: 1px solid #dde2e8; border-radius: 8px; padding: .25rem 1rem 1rem; margin: 1rem 0 2rem; }
    .answer h2 { font-size: 1.2rem; margin: 1rem 0 .4rem; } .answer h2.checks-summary .failed { color: #b3261e; }
    ul.claims { margin: .25rem 0; padding-left: 1.2rem; list-style: none; } ul.claims li { margin: .15rem 0; }
    ul.claims .verdict { font-weight: 600; } ul.claims li.held .verdict { color: #1a7f37; } ul.claims li.failed .verdict { color: #b3261e; }
    ul.failed-checks li.failed { background: #fdecea; border-left: 3px solid #b3261e; padding: .2rem .5rem; }
    ul.claims .where, .answer small.where { color: #8a94a0; font-size: 13px; }
    details.held-checks > summary { cursor: pointer; color: #5d6773; font-size: 14px; }
    .card p.findings-count { color: #1d232b; font-weight: 600; margin-bottom: .15rem; }
    .scroll { overflow-x: auto; max-width: 100%; }
    img { max-width: 100%; height: auto; } .front table { display: block; max-width: 100%; overflow-x: auto; }
    .front pre { max-width: 100%; overflow-x: auto; } p, li { overflow-wrap: break-word; }
    math[display="block"] { max-width: 100%; overflow-x: auto; } .front p, .front li { overflow-x: auto; }
    @media (max-width: 40rem) { body { padding: 1rem .75rem; } .grid { grid-template-columns: 1fr; } }
    @media print { details::details-content { content-visibility: visible; display: block; } .scroll { overflow: visible; } table.findings { min-width: 0; } }
    .card p.stale { color: #b3261e; font-weight: 600; margin: .25rem 0; }
    .nofigure { height: 8rem; display: flex; align-items: center; justify-content: center; color: #8a94a0; border: 1px dashed #dde2e8; }
    """
}
