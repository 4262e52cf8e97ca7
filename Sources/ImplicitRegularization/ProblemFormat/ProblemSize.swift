import Foundation

/// The memory bound of `factorize` and the problem reader: no dense array a problem needs may
/// hold more than ``maximumNumbers`` Float64s (2^27, 1 GiB). Sizes are checked as Float64, before
/// any conversion to an integer and before anything of that size is allocated:
///
/// - an n × n matrix (every solver holds X or U, n × d with d ≤ n): n ≤ ``maximumDimension`` (11,585);
/// - a sensing problem's measurements in full, as the file lists them: m·n² numbers;
/// - the minimum nuclear norm's interior-point solver: m·n² numbers (its blocks) and m² (the Schur complement).
public enum ProblemSize {
    /// 2^27 Float64s: 1 GiB.
    public static let maximumNumbers = 1 << 27
    /// The largest n with n² ≤ ``maximumNumbers``.
    public static let maximumDimension = 11_585
    /// How messages and `--help` name the bound.
    public static let boundDescription = "factorize's bound of 1 GiB (2^27 numbers) per array"

    /// Why n is too large, or nil (each refusal names the sizes: "n = …: …").
    public static func dimensionRefusal(_ n: Double) -> String? {
        guard !(n <= Double(maximumDimension)) else { return nil }
        return "n = \(format(n)): an n × n matrix would take \(bytes(n * n)), beyond \(boundDescription) (n ≤ \(maximumDimension))"
    }

    /// Why a sensing problem of m measurements of n × n is too large, or nil.
    public static func sensingRefusal(dimension n: Double, measurements m: Double) -> String? {
        if let reason = dimensionRefusal(n) { return reason }
        guard !(m * n * n <= Double(maximumNumbers)) else { return nil }
        return "m = \(format(m)) measurements of n × n = \(format(n)) × \(format(n)): their m·n² numbers would take \(bytes(m * n * n)), beyond \(boundDescription)"
    }

    /// Why the interior-point minimum nuclear norm cannot take m measurements of n × n, or nil.
    public static func minimumNuclearNormRefusal(dimension n: Double, measurements m: Double) -> String? {
        if let reason = sensingRefusal(dimension: n, measurements: m) { return reason }
        guard !(m * m <= Double(maximumNumbers)) else { return nil }
        return "m = \(format(m)) measurements: the minimum nuclear norm's m × m Schur complement would take \(bytes(m * m)), beyond \(boundDescription) (m ≤ \(maximumDimension))"
    }

    /// `x` as an integer when it is one, else in %g form.
    public static func format(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%g", x)
    }

    static func bytes(_ numbers: Double) -> String {
        let gib = 8 * numbers / Double(1 << 30)
        return gib >= 1024 ? String(format: "%.3g TiB", gib / 1024) : String(format: "%.3g GiB", gib)
    }
}
