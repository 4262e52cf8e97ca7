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
public struct Table: Sendable {
    public let name: String
    public let columns: [String]
    public private(set) var rows: [[String]] = []

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
