import Foundation
import LinearAlgebra

/// The planted symmetric completion problems of Figure 3 (ii) and (iii) (SPEC, "uniform
/// completion", "power-law completion"): the X* of ``PlantedSensing`` (same seed, same matrix),
/// observed on m entries of its upper triangle, `⟨A_k, X⟩ = X_{i_k j_k}`, drawn without
/// replacement from `RandomSource(seed, stream: 4)`:
///
/// - uniform: every entry (i ≤ j) equally likely;
/// - power law: entry (i, j) with probability ∝ `w_i w_j`, `w_k ∝ k^-γ` assigned to the indices
///   in a random order (so the heavy rows and columns are not the first ones), γ = 1 by default.
///   Later draws renormalise over the entries not drawn yet.
public enum PlantedCompletion {
    public enum Sampling: Sendable, Equatable, CustomStringConvertible {
        case uniform
        case powerLaw(exponent: Double)

        public static let powerLaw = Sampling.powerLaw(exponent: 1)

        public var description: String {
            switch self {
            case .uniform: "uniform"
            case let .powerLaw(exponent): "power-law-\(exponent)"
            }
        }
    }

    public static func generate(
        dimension n: Int, rank r: Int, observations m: Int, spectrum: PlantedSensing.Spectrum = .lowRank,
        sampling: Sampling, seed: UInt64
    ) throws -> MeasurementProblem {
        let planted = try PlantedSensing.plantedMatrix(dimension: n, rank: r, spectrum: spectrum, seed: seed)
        var random = RandomSource(seed: seed, stream: 4)
        let entries = sampleEntries(dimension: n, count: m, sampling: sampling, random: &random)
            .map { ObservedEntries.Entry(row: $0.row, column: $0.column, value: planted[$0.row, $0.column]) }
        var problem = MeasurementProblem(
            name: "completion-n\(n)-r\(r)-m\(m)-\(spectrum.rawValue)-\(sampling)-seed\(seed)", dimension: n,
            completionEntries: entries)
        problem.planted = planted
        return problem
    }

    /// m distinct positions (i ≤ j) of an n × n symmetric matrix.
    public static func sampleEntries(
        dimension n: Int, count m: Int, sampling: Sampling, random: inout RandomSource
    ) -> [(row: Int, column: Int)] {
        var positions: [(row: Int, column: Int)] = []
        for j in 0..<n { for i in 0...j { positions.append((i, j)) } }
        precondition(m >= 1 && m <= positions.count, "completion: 1 ≤ m ≤ n(n+1)/2 = \(positions.count)")
        switch sampling {
        case .uniform:
            // A partial Fisher–Yates shuffle.
            for k in 0..<m {
                let pick = k + Int(random.uniform() * Double(positions.count - k))
                positions.swapAt(k, min(pick, positions.count - 1))
            }
            return Array(positions.prefix(m))
        case let .powerLaw(gamma):
            var order = Array(0..<n)
            for k in stride(from: n - 1, to: 0, by: -1) { order.swapAt(k, Int(random.uniform() * Double(k + 1)) % (k + 1)) }
            var w = [Double](repeating: 0, count: n)
            for (rank, index) in order.enumerated() { w[index] = pow(Double(rank + 1), -gamma) }
            var weights = positions.map { w[$0.row] * w[$0.column] }
            var chosen: [(row: Int, column: Int)] = []
            for _ in 0..<m {
                let total = weights.reduce(0, +)
                var target = random.uniform() * total
                var pick = weights.lastIndex { $0 > 0 }!
                for (k, weight) in weights.enumerated() where weight > 0 {
                    if target < weight { pick = k; break }
                    target -= weight
                }
                chosen.append(positions[pick])
                weights[pick] = 0
            }
            return chosen
        }
    }
}
