import Foundation
import ImplicitRegularization
import JSONText

/// One JSON object, with its keys in the order they were added (a report reads top to bottom),
/// written on one line by the project's JSON writer (`JSONValue`). Non-finite numbers are written
/// as `null`: JSON has no NaN or ∞.
struct JSONReport {
    private var members: [JSONValue.Member] = []

    init() {}

    /// An object that opens with `status` and `message`, as every result `factorize` prints does.
    init(status: SolverStatus, message: String) {
        add("status", status.rawValue)
        add("message", message)
    }

    /// An object that opens with the result's `status` and `message`.
    init(_ result: some SolverResult) { self.init(status: result.status, message: result.message) }

    mutating func add(_ key: String, _ value: Double?) { members.append(.init(key, JSONValue(value))) }
    mutating func add(_ key: String, _ value: Int) { members.append(.init(key, .integer(value))) }
    mutating func add(_ key: String, _ value: Bool) { members.append(.init(key, .bool(value))) }
    mutating func add(_ key: String, _ value: String) { members.append(.init(key, .string(value))) }
    mutating func add(_ key: String, numbers: [Double]) { members.append(.init(key, JSONValue(numbers: numbers))) }
    mutating func add(_ key: String, object: JSONReport) { members.append(.init(key, object.value)) }

    var value: JSONValue { .object(members) }
    var rendered: String { value.text() }

    /// Prints the object as one line on stdout.
    func print() { Swift.print(rendered) }
}

/// Wall-clock seconds of a piece of work.
func timed<T>(_ work: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    var result: T?
    let duration = try clock.measure { result = try work() }
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    return (result!, seconds)
}
