import NotebookRuntime

/// A report's findings and checks as a table beside its data (`data/NAME/verdict-and-checks.tsv`),
/// so that another render can be compared with it statement by statement (`notebook verify`) and
/// a reader can take the verdicts without parsing the report.
///
/// Columns: `kind` (`finding`, `beyond_the_paper`, `check`), `statement`, `verdict`
/// (`reproduced`, `reproduced_with_difference`, `not_reproduced`; `held` or `failed` for a check;
/// empty beyond the paper), `ours` (what we measured, as the report shows it) and `line` (its line
/// in the notebook). Tabs and line breaks inside a text are written as spaces.
public enum VerdictTable {
    /// The file's name: a hyphen, which no table's name has, so that it never shadows one.
    public static let fileName = "verdict-and-checks.tsv"

    public static let columns = ["kind", "statement", "verdict", "ours", "line"]

    /// The table of a run's findings and checks, in the notebook's order.
    public static func table(findings: [FindingRecord], claims: [ClaimRecord]) -> Table {
        func cell(_ text: String) -> String {
            String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 })
        }
        var rows: [(line: Int, cells: [String])] = findings.map { finding in
            (finding.line, [finding.isBeyondThePaper ? "beyond_the_paper" : "finding", cell(finding.statement),
                            finding.verdict?.rawValue ?? "", cell(finding.ours), String(finding.line)])
        }
        rows += claims.map { claim in
            (claim.line, ["check", cell(claim.text), claim.held ? "held" : "failed", "", String(claim.line)])
        }
        return Table(columns: columns, rows: rows.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element.cells))
    }
}
