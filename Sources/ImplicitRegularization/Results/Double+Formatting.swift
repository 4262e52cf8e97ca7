import Foundation

extension Double {
    /// The value to `digits` significant digits, as `%g` writes it (`1.23e-05`, `0.456`), for messages.
    func formatted(significantDigits digits: Int) -> String { String(format: "%.\(digits)g", self) }
}
