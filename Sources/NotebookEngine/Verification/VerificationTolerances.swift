import Yams

/// How closely another render of a notebook must reproduce its tables: the front matter's
/// `verify:` mapping, read by `notebook verify`.
///
///     verify:
///       default: 0                    # every column not named below: identical cells
///       delta_by_alpha: {tolerance: 1e-6, basis: "each flow stops within 1e-6 of its limit"}
///       delta_by_alpha.unsolved: 0    # one column of a table
///       runs.training_error: {tolerance: 1e-6, absolute: 1e-12, basis: "…"}
///       runs.steps: {tolerance: any, basis: "how the integrator went, not a result"}
///       runs.delta: {tolerance: 1e-6, where: "status=solved", basis: "…"}
///
/// A tolerance τ ≥ 0, with an absolute part α ≥ 0 (default 0), applies to a numeric column: a cell
/// `b` of the new render is within it of the reference's `a` when `|a − b| ≤ τ · s + α`, with `s`
/// the column's scale, the largest `|a|` of the reference column (so a column of values near zero
/// is not held to a relative test it cannot meet; α covers a column of round-off residuals);
/// τ = α = 0 asks for the same number. `tolerance: any` accepts any value: a diagnostic of how a
/// run went (its steps, its time), not a result. Text cells (statuses, names) must be identical
/// whatever the tolerance. `where: "COLUMN=VALUE"` compares the column only in the rows where the
/// reference has that value in that column (a Δ only where its run is `solved`: where a run stopped
/// at a limit its values are where it stopped, which round-off moves); the other rows' cells are not
/// compared, and the condition's own column is compared as any other. The most specific entry wins: `TABLE.COLUMN`, then `TABLE`, then `default`
/// (0 when not given). Each tolerance may say where it comes from (`basis`), which the
/// verification's report shows beside it.
public struct VerificationTolerances: Sendable, Equatable {
    public struct Tolerance: Sendable, Equatable {
        /// τ, relative to the column's scale (infinite for `any`).
        public var value: Double
        /// α, absolute.
        public var absolute: Double = 0
        /// Only the rows whose reference cell in `column` is `value` are compared (nil: every row).
        public var condition: Condition? = nil
        public var basis: String?
        /// The entry it came from: `default`, `TABLE` or `TABLE.COLUMN` (nil: none declared).
        public var entry: String?
    }

    /// `where: "COLUMN=VALUE"`.
    public struct Condition: Sendable, Equatable {
        public var column: String
        public var value: String
    }

    public var entries: [String: Tolerance] = [:]

    public init(entries: [String: Tolerance] = [:]) {
        self.entries = entries
    }

    /// The tolerance of `column` of `table`.
    public func tolerance(table: String, column: String) -> Tolerance {
        entries["\(table).\(column)"] ?? entries[table] ?? entries["default"] ?? Tolerance(value: 0, absolute: 0, basis: nil, entry: nil)
    }

    /// Reads the `verify:` node; the reason and its line when it is malformed.
    /// What is wrong with a `verify:` mapping, and its line.
    struct Problem: Error {
        var line: Int
        var reason: String
    }

    static func read(_ node: Node, line: Int) -> Result<VerificationTolerances, Problem> {
        guard let mapping = node.mapping else {
            return .failure(Problem(line: line, reason: "verify is a mapping of default, TABLE or TABLE.COLUMN to a tolerance"))
        }
        var tolerances = VerificationTolerances()
        for (key, value) in mapping {
            let entryLine = (key.mark?.line ?? 0) + 1
            guard let name = key.scalar?.string, Self.isEntryName(name) else {
                return .failure(Problem(line: entryLine, reason: "verify: a key is default, a table's name or TABLE.COLUMN, got '\(InfoString.shown(key.scalar?.string ?? "?"))'"))
            }
            guard tolerances.entries[name] == nil else {
                return .failure(Problem(line: entryLine, reason: "verify: '\(InfoString.shown(name))' is given twice"))
            }
            var number: String?
            var absolute: String?
            var basis: String?
            var condition: Condition?
            if let scalar = value.scalar {
                number = scalar.string
            } else if let fields = value.mapping {
                for (fieldKey, fieldValue) in fields {
                    switch fieldKey.scalar?.string {
                    case "tolerance": number = fieldValue.scalar?.string
                    case "absolute": absolute = fieldValue.scalar?.string
                    case "where":
                        let parts = fieldValue.scalar?.string.split(separator: "=", maxSplits: 1).map(String.init) ?? []
                        guard parts.count == 2, !parts[0].isEmpty else {
                            return .failure(Problem(line: entryLine, reason: "verify: \(InfoString.shown(name)): where is COLUMN=VALUE"))
                        }
                        condition = Condition(column: parts[0], value: parts[1])
                    case "basis":
                        guard let text = fieldValue.scalar?.string else {
                            return .failure(Problem(line: entryLine, reason: "verify: \(InfoString.shown(name)): basis is one line of text"))
                        }
                        basis = text
                    default:
                        return .failure(Problem(line: entryLine, reason: "verify: \(InfoString.shown(name)): the fields are tolerance, absolute, where and basis"))
                    }
                }
            }
            let relative = number == "any" ? Double.infinity : number.flatMap(Double.init) ?? (number == nil && absolute != nil ? 0 : nil)
            let floor = absolute.map { Double($0) } ?? 0
            guard let relative, relative == .infinity || (relative.isFinite && relative >= 0), let floor, floor.isFinite, floor >= 0 else {
                return .failure(Problem(line: entryLine, reason: "verify: \(InfoString.shown(name)): a tolerance is a finite number ≥ 0 or any (or {tolerance: …, absolute: …, basis: …})"))
            }
            tolerances.entries[name] = Tolerance(value: relative, absolute: floor, condition: condition, basis: basis, entry: name)
        }
        return .success(tolerances)
    }

    /// `default`, `TABLE` or `TABLE.COLUMN`, a table's name being letters, digits and `_`.
    static func isEntryName(_ name: String) -> Bool {
        if name == "default" { return true }
        let parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard InfoString.isTableName(String(parts[0])) else { return false }
        return parts.count == 1 || !parts[1].isEmpty
    }
}
