#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// The step-size control shared by ``DormandPrince`` and ``Rosenbrock`` (Hairer, Nørsett & Wanner,
/// *Solving ODEs I*, §II.4), for an embedded pair whose error estimate `e` is of order `q` in h:
///
/// - **the scaled error norm** `err = sqrt(mean((e_i / s_i)²))`, `s_i = atol + rtol · max(|y_i|, |ŷ_i|)`
///   (y the step's start, ŷ its end, (4.11)); a step is accepted when `err ≤ 1`;
/// - **the next step** `h ← h · clamp(0.9 · err^(−1/q), 0.2, maxGrowth)` ((4.13): safety factor 0.9,
///   at most five times smaller, at most `maxGrowth` times larger); a non-finite `err` (an
///   overflowing right-hand side, a failed solve) gives the smallest factor, `err = 0` the largest;
/// - **the initial step** (the heuristic of §II.4 in its short form, as `dopri5.f` and scipy):
///   `d₀ = ‖y₀‖`, `d₁ = ‖F(y₀)‖` in the scaled norm, `h₀ = 0.01 · d₀/d₁`, or 1e-6 when either is
///   below 1e-5 (a start or a slope at the tolerance's scale carries no information on the time scale).
///
/// With ``columnLength`` and ``columnRoundOff`` set (a state that is a matrix stored by columns
/// of that length, as a factor U), the absolute tolerance of column c is
/// `max(atol, columnRoundOff · max(‖y_c‖, ‖ŷ_c‖))`: an entry that stays at zero (by a symmetry of the
/// problem) sits at the round-off of its column's arithmetic, about `ε_mach · ‖y_c‖`, and a
/// tolerance below that asks the error estimate to resolve noise. Without them (the default) the
/// tolerance is `atol` for every component.
public struct StepControl: Sendable {
    public var relativeTolerance: Double
    public var absoluteTolerance: Double
    /// The length of a column of the state, for ``columnRoundOff`` (0: no column floor).
    public var columnLength = 0
    /// The absolute floor per unit of column norm (0: none).
    public var columnRoundOff = 0.0

    public init(relativeTolerance: Double, absoluteTolerance: Double) {
        self.relativeTolerance = relativeTolerance
        self.absoluteTolerance = absoluteTolerance
    }

    /// `sqrt(mean((e_i / s_i)²))` with `s_i = atol + rtol · max(|y_i|, |ŷ_i|)`; 0 for an empty vector.
    /// With ``columnRoundOff`` > 0, the atol of each column c of ``columnLength`` entries is floored at
    /// `columnRoundOff · max(‖y_c‖, ‖ŷ_c‖)`. The squares are summed in index order either way.
    public func errorNorm(_ e: [Double], start y: [Double], end z: [Double]) -> Double {
        let n = e.count
        precondition(y.count == n && z.count == n, "StepControl.errorNorm: vectors of different lengths")
        // One column (the whole state) unless the absolute tolerance is floored column by column.
        let columnar = columnRoundOff > 0 && columnLength > 0
        let length = columnar ? columnLength : max(n, 1)
        precondition(n % length == 0, "StepControl.errorNorm: a state of \(n) entries in columns of \(length)")
        let rtol = relativeTolerance
        var sum = 0.0
        e.withUnsafeBufferPointer { e in
            y.withUnsafeBufferPointer { y in
                z.withUnsafeBufferPointer { z in
                    for start in stride(from: 0, to: n, by: length) {
                        let column = start..<(start + length)
                        let atol = !columnar ? absoluteTolerance : max(
                            absoluteTolerance,
                            columnRoundOff * max(Vector.norm(UnsafeBufferPointer(rebasing: y[column])), Vector.norm(UnsafeBufferPointer(rebasing: z[column]))))
                        for i in column {
                            let scaled = e[i] / (atol + rtol * max(abs(y[i]), abs(z[i])))
                            sum += scaled * scaled
                        }
                    }
                }
            }
        }
        return (sum / Double(max(n, 1))).squareRoot()
    }

    /// The first step from `y0` with slope `f0`: `0.01 · ‖y0‖/‖f0‖` in the scaled norm, or 1e-6
    /// when either norm is below 1e-5.
    public func initialStep(state y0: [Double], slope f0: [Double]) -> Double {
        let d0 = errorNorm(y0, start: y0, end: y0)
        let d1 = errorNorm(f0, start: y0, end: y0)
        return (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
    }

    /// The factor on h after a step with scaled error `err`, for an estimate of order `order`:
    /// `clamp(0.9 · err^(−1/order), 0.2, maxGrowth)`; 0.2 when `err` is not a number, `maxGrowth` when it is 0.
    public static func stepFactor(error err: Double, order: Double, maxGrowth: Double) -> Double {
        if err.isNaN { return 0.2 }
        if err == 0 { return maxGrowth }
        return min(maxGrowth, max(0.2, 0.9 * pow(err, -1 / order)))
    }
}
