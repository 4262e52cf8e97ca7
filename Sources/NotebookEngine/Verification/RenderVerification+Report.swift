import Foundation

extension RenderVerification {
    /// The terminal's summary: a line per notebook with its tables' counts, then a line for each
    /// column within tolerance, beyond it, and each verdict that changed; the last line the answer.
    public var summary: String {
        var lines: [String] = []
        for notebook in notebooks {
            let counts = Dictionary(grouping: notebook.tables, by: \.outcome).mapValues(\.count)
            var line = "\(notebook.stem): \(notebook.tables.count) table\(notebook.tables.count == 1 ? "" : "s"): "
                + "\(counts[.identical] ?? 0) identical, \(counts[.withinTolerance] ?? 0) within tolerance, \(counts[.beyond] ?? 0) beyond"
            line += notebook.verdictChanges.isEmpty ? "; verdicts unchanged" : "; \(notebook.verdictChanges.count) verdict\(notebook.verdictChanges.count == 1 ? "" : "s") changed"
            lines.append(line)
            if let missing = notebook.missing { lines.append("  \(missing)") }
            for table in notebook.tables where table.outcome != .identical {
                for note in table.notes { lines.append("  beyond: \(table.table): \(note)") }
                for column in table.columns where column.outcome == .beyond {
                    lines.append("  beyond: \(table.table).\(column.name): \(Self.describe(column))")
                }
                // Columns within their tolerance: one line a table, naming the farthest.
                let within = table.columns.filter { $0.outcome == .withinTolerance }
                if let farthest = within.max(by: { ($0.largestDifference ?? 0) < ($1.largestDifference ?? 0) }) {
                    lines.append("  within tolerance: \(table.table): \(within.count) column\(within.count == 1 ? "" : "s"), the farthest \(farthest.name): \(Self.describe(farthest))")
                }
            }
            for change in notebook.verdictChanges {
                lines.append("  verdict changed: \(change.kind) “\(change.statement)”: \(change.reference ?? "absent") → \(change.candidate ?? "absent")")
            }
        }
        let beyond = notebooks.filter { $0.outcome == .beyond }.count
        lines.append(reproduced
            ? "reproduced: every table of \(notebooks.count) notebook\(notebooks.count == 1 ? "" : "s") identical or within its tolerance, every verdict the same"
            : "NOT reproduced: \(beyond) of \(notebooks.count) notebook\(notebooks.count == 1 ? "" : "s") differ beyond their tolerances or in a verdict")
        return lines.joined(separator: "\n")
    }

    /// One column's difference in words: the largest difference and its row, against the tolerance
    /// and where that comes from.
    static func describe(_ column: TableComparison.Column) -> String {
        var text = column.note ?? ""
        if column.outcome == .withinTolerance, let largest = column.largestDifference {
            text = "largest difference \(TableComparison.shown(largest)) of the column's scale, within \(TableComparison.describe(column.tolerance))"
        }
        if let row = column.row {
            text += " (row \(row): \(column.reference ?? "") → \(column.candidate ?? ""))"
        }
        let source = column.tolerance.entry.map { "tolerance of \($0)" } ?? "no tolerance declared"
        text += "; \(source)"
        return text
    }

    /// A self-contained HTML page: the answer, then per notebook its verdict changes and a row per
    /// table and column that is not identical (identical tables are counted, not listed).
    public var html: String {
        let e = HTMLEscape.escape
        var body = "<h1>Did this render reproduce the reference?</h1>\n"
        body += "<p class=\"answer \(reproduced ? "yes" : "no")\">\(reproduced ? "Reproduced" : "Not reproduced"): "
            + e(summary.split(separator: "\n").last.map(String.init) ?? "") + "</p>\n"
        body += "<p>Reference: <code>\(e(reference.path))</code>; new render: <code>\(e(candidate.path))</code>. "
            + "A numeric column is within its tolerance τ when every cell differs from the reference's by at most τ times "
            + "the column's scale (its largest magnitude in the reference); text must be identical.</p>\n"
        for notebook in notebooks {
            body += "<h2>\(e(notebook.title)) <small>(\(e(notebook.stem)).md)</small> — <span class=\"\(Self.cssClass(notebook.outcome))\">\(e(notebook.outcome.rawValue))</span></h2>\n"
            if let missing = notebook.missing { body += "<p class=\"beyond\">\(e(missing))</p>\n" }
            let identical = notebook.tables.filter { $0.outcome == .identical }.map(\.table)
            if !identical.isEmpty {
                body += "<p>Identical: \(identical.map { "<code>\(e($0))</code>" }.joined(separator: ", ")).</p>\n"
            }
            if !notebook.verdictChanges.isEmpty {
                body += "<table><tr><th>Verdict changed</th><th>Reference</th><th>New render</th></tr>\n"
                for change in notebook.verdictChanges {
                    body += "<tr><td>\(e(change.statement))</td><td>\(e(change.reference ?? "absent"))<br><small>\(e(change.referenceOurs ?? ""))</small></td>"
                        + "<td>\(e(change.candidate ?? "absent"))<br><small>\(e(change.candidateOurs ?? ""))</small></td></tr>\n"
                }
                body += "</table>\n"
            }
            let differing = notebook.tables.filter { $0.outcome != .identical }
            if !differing.isEmpty {
                body += "<table><tr><th>Table</th><th>Column</th><th>Outcome</th><th>Largest difference</th><th>Where</th><th>Tolerance</th></tr>\n"
                for table in differing {
                    for note in table.notes {
                        body += "<tr><td><code>\(e(table.table))</code></td><td></td><td class=\"beyond\">beyond</td><td colspan=\"3\">\(e(note))</td></tr>\n"
                    }
                    for column in table.columns where column.outcome != .identical {
                        let largest = column.largestDifference.map(TableComparison.shown) ?? (column.note ?? "")
                        let place = column.row.map { "row \($0): \(column.reference ?? "") → \(column.candidate ?? "")" } ?? ""
                        let tolerance = TableComparison.describe(column.tolerance)
                            + (column.tolerance.entry.map { " (\($0))" } ?? " (none declared)")
                            + (column.tolerance.basis.map { ": \($0)" } ?? "")
                        body += "<tr><td><code>\(e(table.table))</code></td><td><code>\(e(column.name))</code></td>"
                            + "<td class=\"\(Self.cssClass(column.outcome))\">\(e(column.outcome.rawValue))</td><td>\(e(largest))</td>"
                            + "<td>\(e(place))</td><td>\(e(tolerance))</td></tr>\n"
                    }
                }
                body += "</table>\n"
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Verification of a render</title>
        <style>
        body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
        table { border-collapse: collapse; margin: 1rem 0; display: block; overflow-x: auto; }
        th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
        .answer { font-size: 1.2rem; padding: 0.5rem 1rem; border-radius: 4px; }
        .answer.yes { background: #e6f4ea; } .answer.no { background: #fbe9e7; }
        .identical { color: #1e6b30; } .within { color: #8a5a00; } .beyond { color: #a3341f; font-weight: bold; }
        </style></head><body>
        \(body)</body></html>

        """
    }

    static func cssClass(_ outcome: TableComparison.Outcome) -> String {
        switch outcome {
        case .identical: return "identical"
        case .withinTolerance: return "within"
        case .beyond: return "beyond"
        }
    }
}
