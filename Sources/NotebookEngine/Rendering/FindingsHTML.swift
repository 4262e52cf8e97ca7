import Foundation
import NotebookRuntime

/// The HTML of findings and checks, shared by the report (its "Verdict" section, each finding and
/// check in place) and the index (the whole answer): a finding's verdict is a badge in words
/// (green reproduced, amber reproduced with a difference, red-brown not reproduced), never a tick;
/// a check of our numerics is "✓ held" or "✗ failed".
enum FindingsHTML {
    /// The anchor of finding `index` (0-based, in the record's order) in its report.
    static func findingID(_ index: Int) -> String { "finding-\(index + 1)" }
    /// The anchor of check `index` (0-based, in the record's order) in its report.
    static func checkID(_ index: Int) -> String { "check-\(index + 1)" }

    static func cssClass(_ verdict: Verdict) -> String {
        switch verdict {
        case .reproduced: return "reproduced"
        case .reproducedWithDifference: return "differs"
        case .notReproduced: return "not-reproduced"
        }
    }

    /// The verdict as a badge: its words, coloured.
    static func badge(_ verdict: Verdict) -> String {
        "<span class=\"verdict-badge \(cssClass(verdict))\">\(HTMLEscape.escape(verdict.words))</span>"
    }

    /// "3 reproduced · 1 reproduced with a difference · 2 not reproduced" (every verdict, zeros too).
    static func countsText(_ findings: [FindingRecord]) -> String {
        Verdict.allCases.map { verdict in "\(findings.filter { $0.verdict == verdict }.count) \(verdict.words)" }
            .joined(separator: " · ")
    }

    /// The counts line, each count in its verdict's colour.
    static func counts(_ findings: [FindingRecord]) -> String {
        "<p class=\"verdict-counts\">" + Verdict.allCases.map { verdict in
            "<span class=\"count \(cssClass(verdict))\">\(findings.filter { $0.verdict == verdict }.count) \(HTMLEscape.escape(verdict.words))</span>"
        }.joined(separator: " · ") + "</p>"
    }

    /// The table's header row.
    static let head = "<thead><tr><th>Statement</th><th>The paper</th><th>Ours</th><th>Verdict</th></tr></thead>"

    /// One finding as a table row (and its basis, in small text, in a row under it). `link` is the
    /// href of the finding in its report.
    static func row(_ finding: FindingRecord, link: String) -> String {
        var html = "<tr class=\"finding \(finding.verdict.map(cssClass) ?? "beyond")\">"
            + "<td class=\"statement\" data-label=\"Statement\"><a href=\"\(HTMLEscape.escape(link))\">\(HTMLEscape.escape(finding.statement))</a></td>"
            + "<td class=\"paper\" data-label=\"The paper\">\(HTMLEscape.escape(finding.paper ?? ""))</td>"
            + "<td class=\"ours\" data-label=\"Ours\">\(HTMLEscape.escape(finding.ours))</td>"
            + "<td class=\"verdict\" data-label=\"Verdict\">\(finding.verdict.map(badge) ?? "")</td></tr>"
        if let basis = finding.basis, !basis.isEmpty {
            html += "<tr class=\"basis\"><td colspan=\"4\"><small>Basis: \(HTMLEscape.escape(basis))</small></td></tr>"
        }
        return html
    }

    /// Findings beyond the paper as a list; `link` gives each one's href.
    static func beyondList(_ findings: [(FindingRecord, String)], source: ((FindingRecord) -> String)? = nil) -> String {
        "<ul class=\"beyond\">" + findings.map { finding, link in
            "<li><a href=\"\(HTMLEscape.escape(link))\"><strong>\(HTMLEscape.escape(finding.statement))</strong></a>: "
                + HTMLEscape.escape(finding.ours)
                + (finding.basis.map { " <small>(basis: \(HTMLEscape.escape($0)))</small>" } ?? "")
                + (source.map { " <small class=\"where\">· \(HTMLEscape.escape($0(finding)))</small>" } ?? "")
                + "</li>"
        }.joined() + "</ul>"
    }

    /// "N of M held".
    static func checksText(_ checks: [ClaimRecord]) -> String {
        "\(checks.filter(\.held).count) of \(checks.count) held"
    }

    /// A check as a list item, held or failed; `link` (when given) points to it in its report.
    static func checkItem(_ check: ClaimRecord, id: String? = nil, link: String? = nil, where place: String) -> String {
        let text = link.map { "<a href=\"\(HTMLEscape.escape($0))\">\(HTMLEscape.escape(check.text))</a>" } ?? HTMLEscape.escape(check.text)
        return "<li class=\"\(check.held ? "held" : "failed")\"\(id.map { " id=\"\($0)\"" } ?? "")>"
            + "<span class=\"verdict\">\(check.held ? "✓ held" : "✗ failed")</span> \(text)"
            + "<span class=\"where\"> · \(HTMLEscape.escape(place))</span></li>"
    }

    /// A block's findings in place: each with its badge, what the paper says, ours and the basis.
    static func inPlace(_ findings: [(index: Int, finding: FindingRecord)]) -> String {
        "<div class=\"findings-in-place\">" + findings.map { index, finding in
            "<div class=\"finding \(finding.verdict.map(cssClass) ?? "beyond")\" id=\"\(findingID(index))\">"
                + "<p class=\"label\">\(finding.verdict == nil ? "finding beyond the paper" : "finding")</p>"
                + "<p class=\"statement\">\(finding.verdict.map { badge($0) + " " } ?? "")<strong>\(HTMLEscape.escape(finding.statement))</strong></p>"
                + (finding.paper.map { "<p><span class=\"key\">The paper:</span> \(HTMLEscape.escape($0))</p>" } ?? "")
                + "<p><span class=\"key\">Ours:</span> \(HTMLEscape.escape(finding.ours))</p>"
                + "<p class=\"where\">\(finding.basis.map { "Basis: " + HTMLEscape.escape($0) + " · " } ?? "")line \(finding.line)</p>"
                + "</div>"
        }.joined() + "</div>"
    }

    /// The CSS both pages share: badges, the findings table, findings in place.
    static let css = """
    .verdict-badge { display: inline-block; font-size: 12px; font-weight: 600; padding: .05rem .5rem; border-radius: 999px; color: #fff; white-space: nowrap; }
    .verdict-badge.reproduced { background: #1a7f37; } .verdict-badge.differs { background: #9a6700; } .verdict-badge.not-reproduced { background: #8c3b1e; }
    .verdict-counts .count { font-weight: 600; } .verdict-counts .count.reproduced { color: #1a7f37; }
    .verdict-counts .count.differs { color: #9a6700; } .verdict-counts .count.not-reproduced { color: #8c3b1e; }
    table.findings { border-collapse: collapse; font-size: 14px; width: 100%; min-width: 36rem; }
    table.findings th, table.findings td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #dde2e8; }
    table.findings th { background: #f3f5f8; } table.findings td.statement { font-weight: 600; min-width: 9rem; }
    table.findings td.paper { font-style: italic; } table.findings td.verdict { white-space: nowrap; }
    table.findings tr.finding:has(+ tr.basis) td { border-bottom: none; }
    table.findings tr.basis td { color: #5d6773; padding-top: 0; font-size: 12px; }
    table.findings tr.group th { background: #eef2f7; font-size: 15px; text-align: left; }
    @media screen and (max-width: 40rem) {
      /* A phone: each finding a card of labelled lines, the verdict in view without scrolling. */
      table.findings { min-width: 0; } table.findings thead { display: none; }
      table.findings, table.findings tbody, table.findings tr, table.findings td, table.findings th { display: block; width: auto; }
      table.findings tr.finding td { border-bottom: none; padding: .1rem .25rem; }
      table.findings tr.finding td::before { content: attr(data-label) ": "; color: #5d6773; font-weight: 400; font-style: normal; font-size: 12px; }
      table.findings tr.finding td.statement::before { content: none; }
      table.findings tr.finding { border-top: 1px solid #dde2e8; padding-top: .35rem; }
      table.findings tr.basis td { border-bottom: none; padding: 0 .25rem .4rem; }
      table.findings td.verdict { white-space: normal; }
    }
    ul.beyond li { margin: .2rem 0; } ul.beyond small { color: #5d6773; }
    .findings-in-place .finding { border-left: 3px solid #dde2e8; background: #f8fafc; padding: .4rem .75rem; margin: .5rem 0; font-size: 15px; }
    .findings-in-place .finding.reproduced { border-left-color: #1a7f37; } .findings-in-place .finding.differs { border-left-color: #9a6700; }
    .findings-in-place .finding.not-reproduced { border-left-color: #8c3b1e; } .findings-in-place .finding.beyond { border-left-color: #2a5db0; }
    .findings-in-place p { margin: .15rem 0; } .findings-in-place .key { color: #5d6773; }
    .findings-in-place .where, p.label { color: #5d6773; font-size: 12px; }
    p.label { text-transform: uppercase; letter-spacing: .06em; font-weight: 600; margin: .1rem 0; }
    .checks-summary .failed { color: #b3261e; font-weight: 600; }
    """
}
