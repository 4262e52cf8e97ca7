import Foundation

/// A named table with named columns, the unit a Swift block hands to the report
/// and to ` ```gnuplot data=NAME ` blocks.
///
/// ```swift
/// var errors = Table("fig1a", columns: ["d", "error", "error_std"])
/// errors.append(d, mean, std)
/// errors.emit()
/// ```
///
/// `emit()` writes `NAME.tsv` (a header row, then one row per `append`, tab
/// separated; numbers in Swift's shortest round-trip form, so the same run gives
/// byte-identical files) and records the table for the runner, which shows it
/// under the emitting block and gives it to gnuplot as the datablock `$NAME`.
public struct Table: Sendable, Codable, Equatable {
    public let name: String
    public let columns: [String]
    public internal(set) var rows: [[String]] = []

    public init(_ name: String, columns: [String]) {
        precondition(
            !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !name.first!.isNumber,
            "a table's name is letters, digits and _, not starting with a digit (gnuplot calls it $\(name))")
        self.name = name
        self.columns = columns
    }

    /// Appends one row; its length must match the columns.
    public mutating func append(_ values: any TableValue..., file: StaticString = #file, line: UInt = #line) {
        append(row: values, file: file, line: line)
    }

    public mutating func append(row values: [any TableValue], file: StaticString = #file, line: UInt = #line) {
        guard values.count == columns.count else {
            fatalError("table '\(name)' has \(columns.count) columns, the row has \(values.count)", file: file, line: line)
        }
        rows.append(values.map(\.tableCell))
    }

    /// The table as TSV: a header row, then the rows.
    public var tsv: String {
        ([columns] + rows).map { $0.joined(separator: "\t") }.joined(separator: "\n") + "\n"
    }

    /// Writes the table for the report and for gnuplot.
    public func emit() {
        let url = NotebookSession.outputDirectory.appendingPathComponent("tables/\(name).tsv")
        try? FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        do {
            try Data(tsv.utf8).write(to: url, options: .atomic)
        } catch {
            fatalError("cannot write table '\(name)' to \(url.path): \(error)")
        }
        NotebookSession.record(
            .table(block: NotebookSession.currentBlock, name: name, columns: columns, rows: rows.count))
    }
}

extension Table {
    /// A table that an earlier notebook emitted, read back from the report folder's
    /// `data/NOTEBOOK/NAME.tsv` (the run manifest's `dataFolder`; `./data` outside the runner). List that notebook in the front matter's `inputs`
    /// (`inputs: [Notebooks/NOTEBOOK.md]`): the runner then runs it first, and re-runs this
    /// notebook when its tables change.
    public static func load(_ name: String, from notebook: String, file: StaticString = #file, line: UInt = #line) -> Table {
        let folder = RunManifest.current?.dataFolder ?? "data"
        let url = URL(fileURLWithPath: folder).appendingPathComponent("\(notebook)/\(name).tsv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            fatalError("no table '\(name)' from notebook '\(notebook)' at \(url.path): run Notebooks/\(notebook).md first", file: file, line: line)
        }
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        var table = Table(name, columns: lines.first ?? [])
        table.rows = Array(lines.dropFirst())
        return table
    }

    /// The cells of one column, as text.
    public func strings(_ column: String, file: StaticString = #file, line: UInt = #line) -> [String] {
        guard let k = columns.firstIndex(of: column) else {
            fatalError("table '\(name)' has no column '\(column)' (it has \(columns.joined(separator: ", ")))", file: file, line: line)
        }
        return rows.map { $0[k] }
    }

    /// The cells of one column, as numbers (NaN where a cell is not one).
    public func doubles(_ column: String, file: StaticString = #file, line: UInt = #line) -> [Double] {
        strings(column, file: file, line: line).map { Double($0) ?? .nan }
    }
}

/// A value a table cell can hold.
public protocol TableValue {
    var tableCell: String { get }
}

extension Double: TableValue {
    public var tableCell: String { isNaN ? "NaN" : isInfinite ? (self > 0 ? "Inf" : "-Inf") : "\(self)" }
}
extension Float: TableValue {
    public var tableCell: String { Double(self).tableCell }
}
extension Int: TableValue {
    public var tableCell: String { String(self) }
}
extension String: TableValue {
    public var tableCell: String {
        String(map { $0 == "\t" || $0 == "\n" ? " " : $0 })
    }
}
extension Bool: TableValue {
    public var tableCell: String { self ? "1" : "0" }
}
