/// A table as its TSV has it: the header row's names, then rows of cells, read verbatim (lines
/// ended by LF or CRLF; a short row padded with empty cells, a long one cut to
/// the header's width, as gnuplot reads them).
public struct TSVTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    public init(tsv: String) {
        // "\r\n" is one Character in Swift: split on both.
        var lines = tsv.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last?.isEmpty == true { lines.removeLast() }
        columns = lines.first.map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) } ?? []
        let width = columns.count
        rows = lines.dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Array(fields.prefix(width)) + Array(repeating: "", count: max(0, width - fields.count))
        }
    }

    /// The cells of one column, top to bottom.
    public func column(_ index: Int) -> [String] {
        rows.map { $0[index] }
    }

    /// The TSV text: the header, then the rows, each line ended by `\n`.
    public var tsv: String {
        ([columns] + rows).map { $0.joined(separator: "\t") + "\n" }.joined()
    }
}
