import Foundation

/// Values computed for the prose: `` `{swift} expr` `` in a notebook's Markdown is evaluated in
/// the notebook's program after the Swift block before it, and its value, formatted, takes its
/// place in the report (as Quarto's inline code and knitr's `` `r expr` ``).
///
/// How a value is written: an `Int` with thousands separators (`31,350`); a `Double` to three
/// significant digits (`0.0055`, `2.31`), with separators from 1,000 on (`20,912`) and in
/// scientific notation below 1e-3 (`5.5e-06`); a `String` as it is; anything else as Swift
/// prints it. For another form, give a `String`: ``percent(_:digits:)``,
/// ``significant(_:digits:)``, ``grouped(_:)``. A `nil` (a value that was not computed, such as a
/// run that needs data the machine lacks) is written "—", by ``text(_:)`` and by each of those.
public enum InlineValue {
    /// The text a value stands for in the prose.
    public static func text(_ value: Any) -> String {
        switch value {
        case let string as String: string
        case let string as Substring: String(string)
        case let integer as Int: grouped(integer)
        case let double as Double: significant(double, digits: 3)
        case let float as Float: significant(Double(float), digits: 3)
        case let flag as Bool: flag ? "yes" : "no"
        default: optionalText(value) ?? "\(value)"
        }
    }

    /// An optional's text: its value's, or "—" for `nil` (a value that was not computed); `nil`
    /// for a value that is not an optional.
    private static func optionalText(_ value: Any) -> String? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return nil }
        return mirror.children.first.map { text($0.value) } ?? "—"
    }
}

extension NotebookSession {
    /// Records the value of the prose's inline expression `id` (called by the generated program).
    public static func inline(_ id: Int, _ value: Any) {
        record(.inline(id: id, text: InlineValue.text(value)))
    }
}

/// `x` as a percentage: `percent(0.5912)` is `59%`, `percent(0.5912, digits: 1)` is `59.1%`.
public func percent(_ x: Double, digits: Int = 0) -> String {
    String(format: "%.\(max(digits, 0))f%%", 100 * x)
}

/// A relative difference `x`: a percentage to one decimal (`relative(0.0374)` is `3.7%`), or, where
/// |x| < 1e-3 and a percentage would show 0.0% or −0.1%, `x` itself to two significant digits
/// (`relative(-4.2e-05)` is `-4.2e-05`); NaN and ±∞ as ``significant(_:digits:)`` writes them.
public func relative(_ x: Double) -> String {
    !x.isFinite || abs(x) < 1e-3 ? significant(x, digits: 2) : percent(x, digits: 1)
}

/// `x` to `digits` significant digits: `significant(0.005512)` is `0.00551`; from 1,000 to 1e6 with
/// thousands separators and every integer digit (`20,912`), from 1e6 on and below 1e-3 in
/// scientific notation (`9.92e+12`, `5.51e-06`: a time of 9,919,795,329,662 claims digits it does not have).
public func significant(_ x: Double, digits: Int = 3) -> String {
    guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "∞" : "−∞") }
    let magnitude = abs(x)
    if magnitude >= 1e6 { return String(format: "%.\(max(digits - 1, 0))e", x) }
    if magnitude >= 1000 {
        let decimals = max(0, digits - Int(log10(magnitude).rounded(.down)) - 1)
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.decimalSeparator = "."
        formatter.minimumFractionDigits = 0
        formatter.maximumFractionDigits = decimals
        return formatter.string(from: NSNumber(value: x)) ?? "\(x)"
    }
    if magnitude != 0 && magnitude < 1e-3 { return String(format: "%.\(max(digits - 1, 0))e", x) }
    return String(format: "%.\(max(digits, 1))g", x)
}

/// An integer with thousands separators: `grouped(31350)` is `31,350`.
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var result = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return (n < 0 ? "-" : "") + result
}

/// ``percent(_:digits:)``, or "—" for a value that was not computed.
public func percent(_ x: Double?, digits: Int = 0) -> String { x.map { percent($0, digits: digits) } ?? "—" }
/// ``significant(_:digits:)``, or "—" for a value that was not computed.
public func significant(_ x: Double?, digits: Int = 3) -> String { x.map { significant($0, digits: digits) } ?? "—" }
/// ``grouped(_:)``, or "—" for a value that was not computed.
public func grouped(_ n: Int?) -> String { n.map { grouped($0) } ?? "—" }
