import Foundation
import NotebookRuntime

/// Whether one render of the notebooks reproduced another: every table of every notebook
/// compared column by column (``TableComparison``, with the tolerances each notebook declares in
/// its front matter's `verify:`), and every finding's and check's verdict set against the
/// reference's (``VerdictTable``). Both renders are report folders, as `notebook run --out` writes
/// them: their tables are in `data/NAME/*.tsv`.
public struct RenderVerification: Sendable {
    /// A finding or check whose verdict is not the reference's, or that one of the renders lacks.
    public struct VerdictChange: Sendable {
        public var kind: String
        public var statement: String
        public var reference: String?
        public var candidate: String?
        public var referenceOurs: String?
        public var candidateOurs: String?
    }

    public struct Notebook: Sendable {
        public var stem: String
        public var title: String
        public var tables: [TableComparison]
        public var verdictChanges: [VerdictChange]
        /// Set when the notebook has no tables in the reference or in the new render at all.
        public var missing: String?

        public var outcome: TableComparison.Outcome {
            (tables.map(\.outcome) + (verdictChanges.isEmpty && missing == nil ? [] : [.beyond])).max() ?? .identical
        }
    }

    public var reference: URL
    public var candidate: URL
    public var notebooks: [Notebook]

    /// Whether nothing is beyond its tolerance and no verdict changed.
    public var reproduced: Bool { notebooks.allSatisfy { $0.outcome != .beyond } }

    /// Compares the renders in `candidate` with those in `reference`, notebook by notebook.
    public init(documents: [NotebookDocument], reference: URL, candidate: URL) {
        self.reference = reference
        self.candidate = candidate
        notebooks = documents.map { document in
            let referenceFolder = reference.appendingPathComponent("data/\(document.stem)", isDirectory: true)
            let candidateFolder = candidate.appendingPathComponent("data/\(document.stem)", isDirectory: true)
            let referenceTables = Self.tables(in: referenceFolder)
            let candidateTables = Self.tables(in: candidateFolder)
            var notebook = Notebook(stem: document.stem, title: document.title, tables: [], verdictChanges: [])
            if referenceTables.isEmpty && candidateTables.isEmpty {
                notebook.missing = "no tables in either render (\(referenceFolder.path), \(candidateFolder.path))"
                return notebook
            }
            if candidateTables.isEmpty {
                notebook.missing = "not rendered: no tables in \(candidateFolder.path)"
            } else if referenceTables.isEmpty {
                notebook.missing = "no reference: no tables in \(referenceFolder.path)"
            }
            let names = Set(referenceTables.keys).union(candidateTables.keys).subtracting([VerdictTable.fileName]).sorted()
            notebook.tables = names.map { name in
                let table = String(name.dropLast(4))
                return TableComparison(
                    table: table, reference: referenceTables[name], candidate: candidateTables[name],
                    tolerances: document.verification)
            }
            notebook.verdictChanges = Self.verdictChanges(
                reference: referenceTables[VerdictTable.fileName], candidate: candidateTables[VerdictTable.fileName])
            return notebook
        }
    }

    /// Every `*.tsv` of a folder, parsed, by file name (none when the folder is missing).
    static func tables(in folder: URL) -> [String: Table] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var tables: [String: Table] = [:]
        for name in names where name.hasSuffix(".tsv") {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) {
                tables[name] = Table(tsv: LossyText.decode(data))
            }
        }
        return tables
    }

    /// The findings and checks whose verdict differs: paired by position when both renders state
    /// as many of each kind, else by their statements' text.
    static func verdictChanges(reference: Table?, candidate: Table?) -> [VerdictChange] {
        guard let reference, let candidate else {
            if reference == nil && candidate == nil { return [] }
            return [VerdictChange(kind: "all", statement: reference == nil
                ? "the reference render has no \(VerdictTable.fileName)" : "the new render has no \(VerdictTable.fileName)")]
        }
        func rows(_ table: Table) -> [[String: String]] {
            table.rows.map { Dictionary(zip(table.columns, $0), uniquingKeysWith: { first, _ in first }) }
        }
        let (old, new) = (rows(reference), rows(candidate))
        var changes: [VerdictChange] = []
        for kind in ["finding", "beyond_the_paper", "check"] {
            let a = old.filter { $0["kind"] == kind }, b = new.filter { $0["kind"] == kind }
            var pairs: [([String: String]?, [String: String]?)] = []
            if a.count == b.count {
                pairs = zip(a, b).map { ($0, $1) }
            } else {
                var unmatched = b
                for row in a {
                    if let k = unmatched.firstIndex(where: { $0["statement"] == row["statement"] }) {
                        pairs.append((row, unmatched.remove(at: k)))
                    } else {
                        pairs.append((row, nil))
                    }
                }
                pairs += unmatched.map { (nil, $0) }
            }
            for (x, y) in pairs where x?["verdict"] != y?["verdict"] {
                changes.append(VerdictChange(
                    kind: kind, statement: (y ?? x)?["statement"] ?? "", reference: x?["verdict"], candidate: y?["verdict"],
                    referenceOurs: x?["ours"], candidateOurs: y?["ours"]))
            }
        }
        return changes
    }
}
