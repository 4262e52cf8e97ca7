import XCTest
import TestSupport
import NotebookRuntime

/// `Table(_:rows:)`: a library's `Codable` rows as a table, with the same columns and the same cells
/// as the table written by `append`.
final class TableRowsTests: XCTestCase {
    enum Status: String, Codable { case solved, iterationLimit = "iteration_limit" }

    struct Spread: Codable { var mean: Double; var sd: Double }

    struct Run: Codable {
        var d: Int
        var seed: UInt64
        var reconstructionError: Double
        var flowLambda3OverLambda1: Double
        var status: Status
        var note: String
        var stationary: Bool
        var error: Spread
    }

    /// The same row written by hand.
    func appended(_ runs: [Run]) -> Table {
        var table = Table("runs", columns: ["d", "seed", "reconstruction_error", "flow_lambda3_over_lambda1", "status", "note", "stationary", "error_mean", "error_sd"])
        for r in runs {
            table.append(r.d, String(r.seed), r.reconstructionError, r.flowLambda3OverLambda1, r.status.rawValue, r.note, r.stationary, r.error.mean, r.error.sd)
        }
        return table
    }

    func testRowsGiveTheColumnsAndCellsThatAppendGives() {
        let runs = [
            Run(d: 3, seed: 7, reconstructionError: 0.1 + 0.2, flowLambda3OverLambda1: .nan, status: .solved, note: "a\tb\nc", stationary: true, error: Spread(mean: 1e-300, sd: .infinity)),
            Run(d: 40, seed: .max, reconstructionError: -0.0, flowLambda3OverLambda1: .leastNonzeroMagnitude, status: .iterationLimit, note: "", stationary: false, error: Spread(mean: -.infinity, sd: 2)),
        ]
        let table = Table("runs", rows: runs)
        XCTAssertEqual(table, appended(runs))
        XCTAssertEqual(table.tsv.split(separator: "\n")[1], "3\t7\t0.30000000000000004\tNaN\tsolved\ta b c\t1\t1e-300\tInf")
        XCTAssertEqual(table.tsv.split(separator: "\n")[2], "40\t18446744073709551615\t-0.0\t5e-324\titeration_limit\t\t0\t-Inf\t2.0")
    }

    struct Plain: Codable {
        var d: Int
        var xgdError: Double
        var minDualityGap: Double
        var label: String
        var solved: Bool
        var limit: Spread
    }

    func testNoRowsProbeTheColumnsOfAPlainRowType() {
        let empty = Table("plain", rows: [Plain]())
        XCTAssertEqual(empty.columns, ["d", "xgd_error", "min_duality_gap", "label", "solved", "limit_mean", "limit_sd"])
        XCTAssertEqual(empty.rows, [])
        XCTAssertEqual(empty.tsv, "d\txgd_error\tmin_duality_gap\tlabel\tsolved\tlimit_mean\tlimit_sd\n")
        let one = Table("plain", rows: [Plain(d: 1, xgdError: 2, minDualityGap: 3, label: "x", solved: true, limit: Spread(mean: 4, sd: 5))])
        XCTAssertEqual(one.columns, empty.columns)
    }

    /// A row with columns chosen at run time (one group per curve), by a hand-written encoding.
    struct Panel: Codable {
        var d: Int
        var errors: [(curve: String, error: Double)]

        struct Key: CodingKey {
            var stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(d: Int, errors: [(curve: String, error: Double)]) {
            self.d = d
            self.errors = errors
        }
        init(from decoder: any Decoder) throws { fatalError("written only") }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(d, forKey: Key(stringValue: "d"))
            for (curve, error) in errors {
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: curve))
                try nested.encode(error, forKey: Key(stringValue: "error"))
            }
        }
    }

    func testHandWrittenNestedContainersPrefixTheirColumns() {
        let table = Table("panel", rows: [Panel(d: 2, errors: [("small_init", 0.5), ("svdInit", 0.25)])])
        XCTAssertEqual(table.columns, ["d", "small_init_error", "svd_init_error"])
        XCTAssertEqual(table.rows, [["2", "0.5", "0.25"]])
    }

    func testColumnNamesAreSnakeCase() {
        XCTAssertEqual(Table.columnName("flowLambda3OverLambda1"), "flow_lambda3_over_lambda1")
        XCTAssertEqual(Table.columnName("xgd_error"), "xgd_error")
        XCTAssertEqual(Table.columnName("d"), "d")
        XCTAssertEqual(Table.columnName("limitTrainingSd"), "limit_training_sd")
        XCTAssertEqual(Table.columnName("error3Low"), "error3_low")
    }

    // MARK: - Rows that have no cells stop the program, naming the table, the row and the key

    struct WithArray: Codable { var d: Int; var errors: [Double] }

    /// A keyed value inside an array, written by hand: its columns must not vanish into a sink.
    struct KeyedInArray: Encodable {
        var d: Int
        func encode(to encoder: any Encoder) throws {
            typealias Key = Panel.Key
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(d, forKey: Key(stringValue: "d"))
            var list = container.nestedUnkeyedContainer(forKey: Key(stringValue: "curves"))
            var curve = list.nestedContainer(keyedBy: Key.self)
            try curve.encode(0.5, forKey: Key(stringValue: "error"))
        }
    }
    struct KeyedInArrayRow: Codable {
        var d: Int
        func encode(to encoder: any Encoder) throws { try KeyedInArray(d: d).encode(to: encoder) }
    }

    static let childVariable = "TABLE_ROWS_CHILD_CASE"

    /// The child's side: builds the table of the case named in the environment (and so stops).
    func testTheChildCaseOfTheEnvironment() throws {
        guard let which = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        switch which {
        case "empty-array": _ = Table("spread", rows: [WithArray(d: 2, errors: [])])
        case "array": _ = Table("spread", rows: [WithArray(d: 2, errors: [0.5, 0.25])])
        default: _ = Table("curves", rows: [KeyedInArrayRow(d: 2)])
        }
        print("table-rows-child: built")
    }

    private func assertStops(_ which: String, saying expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let ran = try ProcessRun.childTest(
            "NotebookTests.TableRowsTests/testTheChildCaseOfTheEnvironment", environment: ["SWIFT_BACKTRACE": "enable=no", Self.childVariable: which])
        XCTAssertFalse(ran.exited && ran.status == 0, "\(which): the table was built", file: file, line: line)
        XCTAssertFalse(ran.stdout.contains("table-rows-child: built"), "\(which): the table was built", file: file, line: line)
        XCTAssertTrue(ran.stdout.contains(expected), "\(which): \(ran.stdout.suffix(600))", file: file, line: line)
    }

    func testAnEmptyArrayStopsTheTableRatherThanLosingItsColumn() throws {
        try assertStops("empty-array", saying: "table 'spread': row 1 of WithArray does not encode: 'errors' is an array")
    }

    func testAnArrayStopsTheTable() throws {
        try assertStops("array", saying: "table 'spread': row 1 of WithArray does not encode: 'errors' is an array")
    }

    func testAKeyedValueInsideAnArrayStopsTheTable() throws {
        try assertStops("keyed", saying: "table 'curves': row 1 of KeyedInArrayRow does not encode: 'curves' is an array")
    }
}
