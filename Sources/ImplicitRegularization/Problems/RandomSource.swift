import Foundation

/// A seeded, reproducible random source: xoshiro256** (Blackman & Vigna) seeded through
/// SplitMix64, with standard normals by the Box–Muller transform.
///
/// The same seed gives the same stream on every platform and Swift version (unlike
/// `SystemRandomNumberGenerator`), so problems, initialisations and figures are reproducible.
public struct RandomSource: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)
    private var spareNormal: Double?

    /// A stream determined by `seed` and an optional `stream` label that separates independent
    /// uses of one seed (e.g. the problem's measurements and the initialisation).
    public init(seed: UInt64, stream: UInt64 = 0) {
        var s = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal N(0, 1).
    public mutating func normal() -> Double {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        var u1 = uniform()
        while u1 == 0 { u1 = uniform() }
        let u2 = uniform()
        let radius = (-2 * log(u1)).squareRoot()
        spareNormal = radius * sin(2 * .pi * u2)
        return radius * cos(2 * .pi * u2)
    }

    /// `count` standard normals.
    public mutating func normals(_ count: Int) -> [Double] { (0..<count).map { _ in normal() } }
}
