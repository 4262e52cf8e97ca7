import Foundation

/// What a report was rendered from, and whether it is older than that now.
///
/// Each report records its notebook's digest (the `.md` file's bytes, ``ContentHash``), the
/// library's digest (its sources and the compiler, as the run cache keys them) and the commit,
/// in its footer and in the folder's `.notebooks.json`. Whenever the index is rewritten (every
/// `notebook run`), each listed report is compared with its notebook on disk and the current
/// library: a report that is older carries a notice at its top, written into the slot between
/// ``slotOpen`` and ``slotClose`` (plain HTML: the reports stay script-free and self-contained),
/// and the index marks it; the slot is emptied again once it is current. `notebook status` lists
/// the same verdicts without writing anything.
public struct ReportProvenance: Codable, Sendable, Equatable {
    /// The notebook file's digest when it was rendered.
    public var notebook: String
    /// The digest of the notebook's kernel (``NotebookRunner/kernelDigest(ofNotebookAt:)``: its code
    /// by meaning, the runtime, the compiler) when it was rendered.
    public var library: String
    /// The commit, with the files that differed when the tree was dirty.
    public var commit: String
    /// The notebook's absolute path when it was rendered (the index's path is as the run was
    /// given it, relative to the folder it ran in), so that `notebook status` finds the notebook
    /// from any working folder (nil in records from before it was kept).
    public var file: String?

    public init(notebook: String, library: String, commit: String, file: String? = nil) {
        (self.notebook, self.library, self.commit, self.file) = (notebook, library, commit, file)
    }

    /// Where the notebook rendered from `path` is to be read now: its recorded absolute path when
    /// a file is there, else `path` (relative to the working folder).
    public static func location(path: String, recorded: ReportProvenance?) -> String {
        if let file = recorded?.file, FileManager.default.fileExists(atPath: file) { return file }
        return path
    }

    /// The first 16 hex digits of the file's ``ContentHash``; nil when it cannot be read.
    public static func digest(ofNotebookAt path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var hash = ContentHash()
        hash.add(data)
        return String(hash.hex.prefix(16))
    }

    /// Why a report rendered from `path` with `recorded` is older than its sources now (empty
    /// when it is current). `library` is the current library's digest (nil: not compared).
    public static func staleness(path: String, recorded: ReportProvenance?, library: String?) -> [String] {
        guard let recorded else { return ["it was rendered before reports recorded what they were rendered from"] }
        var reasons: [String] = []
        switch digest(ofNotebookAt: location(path: path, recorded: recorded)) {
        case nil: reasons.append("its notebook \(path) is no longer there" + (recorded.file.map { " (nor at \($0))" } ?? ""))
        case let current? where current != recorded.notebook: reasons.append("\(path) changed since")
        default: break
        }
        if let library, library != recorded.library {
            reasons.append("the library (its sources or the compiler) changed since")
        }
        return reasons
    }

    static let slotOpen = "<!--stale-notice-->"
    static let slotClose = "<!--/stale-notice-->"

    /// The notice a stale report shows at its top (empty for a current one).
    static func notice(reasons: [String], path: String, recorded: ReportProvenance?) -> String {
        guard !reasons.isEmpty else { return "" }
        let from = recorded.map { " (rendered at commit \($0.commit))" } ?? ""
        return "<p class=\"stale-report\"><strong>Older than its sources.</strong> "
            + HTMLEscape.escape("This report\(from) is out of date: \(reasons.joined(separator: "; ")). "
                + "Its numbers and figures may not be what the notebook computes now: run ")
            + "<code>" + HTMLEscape.escape("notebook run \(path)") + "</code>.</p>"
    }

    /// `html` with its slot holding `notice`; nil when it has no slot or already holds it.
    static func filling(_ html: String, with notice: String) -> String? {
        guard let open = html.range(of: slotOpen),
              let close = html.range(of: slotClose, range: open.upperBound..<html.endIndex) else { return nil }
        guard html[open.upperBound..<close.lowerBound] != notice else { return nil }
        return html.replacingCharacters(in: open.upperBound..<close.lowerBound, with: notice)
    }

    /// Every report listed in `folder`'s index, with why it is older than its sources (empty: current).
    /// `kernelDigest` gives the current digest of a notebook's kernel by its path.
    public static func reports(in folder: URL, kernelDigest: (String) -> String?) -> [(stem: String, path: String, reasons: [String])] {
        IndexPage(folder: folder).entries().map {
            ($0.stem, $0.path, $0.staleness(library: kernelDigest(location(path: $0.path, recorded: $0.provenance))))
        }
    }
}
