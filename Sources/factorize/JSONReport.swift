import Foundation
import ImplicitRegularization

/// One JSON object, with its keys in the order they were added (a report reads top to bottom).
/// Non-finite numbers are written as `null`: JSON has no NaN or ∞.
struct JSONReport {
    private var fields: [(String, String)] = []

    init() {}

    /// An object that opens with `status` and `message`, as every result `factorize` prints does.
    init(status: SolverStatus, message: String) {
        add("status", status.rawValue)
        add("message", message)
    }

    /// An object that opens with the result's `status` and `message`.
    init(_ result: some SolverResult) { self.init(status: result.status, message: result.message) }

    mutating func add(_ key: String, _ value: Double?) {
        guard let value, value.isFinite else { return fields.append((key, "null")) }
        fields.append((key, "\(value)"))
    }
    mutating func add(_ key: String, _ value: Int) { fields.append((key, "\(value)")) }
    mutating func add(_ key: String, _ value: Bool) { fields.append((key, value ? "true" : "false")) }
    mutating func add(_ key: String, _ value: String) { fields.append((key, Self.quoted(value))) }
    mutating func add(_ key: String, numbers: [Double]) {
        fields.append((key, "[" + numbers.map { $0.isFinite ? "\($0)" : "null" }.joined(separator: ", ") + "]"))
    }
    mutating func add(_ key: String, object: JSONReport) { fields.append((key, object.rendered)) }

    var rendered: String {
        "{" + fields.map { "\(Self.quoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Prints the object as one line on stdout.
    func print() { Swift.print(rendered) }

    static func quoted(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }
}

/// Wall-clock seconds of a piece of work.
func timed<T>(_ work: () throws -> T) rethrows -> (T, Double) {
    let clock = ContinuousClock()
    var result: T?
    let duration = try clock.measure { result = try work() }
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    return (result!, seconds)
}
