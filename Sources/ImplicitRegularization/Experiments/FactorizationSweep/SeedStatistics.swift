import Foundation

/// A quantity over the seeds of U0 at one (curve, d): the values `v_1 … v_k` give
///
/// - the mean `v̄ = Σ v_i / k` and the sample standard deviation `s = √(Σ (v_i − v̄)² / (k − 1))`
///   (0 for one value): the error bars of the figures on linear axes;
/// - on log axes, the geometric mean `exp(ℓ̄)` and the band `exp(ℓ̄ ± s_ℓ)`, where `ℓ_i = log max(v_i, 1e-300)`
///   and `ℓ̄`, `s_ℓ` are their mean and sample standard deviation: a band that never runs to the axis' floor,
///   as `v̄ − s` can for a positive quantity. The floor 1e-300 keeps an exact 0 (a residual at round-off) finite.
///
/// The sums run in the values' order, so that the same values give the same bits.
public struct SeedStatistics: Sendable, Codable, Equatable {
    public var mean: Double
    public var standardDeviation: Double
    public var geometricMean: Double
    /// `exp(ℓ̄ − s_ℓ)` and `exp(ℓ̄ + s_ℓ)`.
    public var geometricLow: Double
    public var geometricHigh: Double

    public init(_ values: [Double]) {
        (mean, standardDeviation) = Self.meanAndDeviation(values)
        let (logMean, logDeviation) = Self.meanAndDeviation(values.map { log(max($0, 1e-300)) })
        geometricMean = exp(logMean)
        geometricLow = exp(logMean - logDeviation)
        geometricHigh = exp(logMean + logDeviation)
    }

    /// The mean and the sample standard deviation (0 for one value; NaN for none).
    public static func meanAndDeviation(_ values: [Double]) -> (mean: Double, standardDeviation: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        guard values.count > 1 else { return (mean, 0) }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance.squareRoot())
    }
}
