import Foundation
import LinearAlgebra

/// The planted matrix-sensing problems of Figures 1–3 (SPEC, "planted low rank", "decaying
/// spectrum", "measurements"), seeded and reproducible:
///
/// - measurements `A_i = (G_i + G_iᵀ) / (2√m)`, G_i with i.i.d. N(0, 1) entries (drawn row-major from
///   `RandomSource(seed, stream: 2)`), so that `E‖A(X)‖² ≈ ‖X‖_F²`;
/// - (a) low rank: `X* = WWᵀ`, W n × r N(0, 1) (stream 1);
/// - (b) decaying spectrum: `X* = Q diag(σ) Qᵀ`, Q Haar-orthogonal (stream 1), `σ_k = k^-1.5` for
///   k ≥ 2 and σ_1 the larger root of `(Σσ)² = r Σσ²`, so that `‖X*‖_* = √r ‖X*‖_F`;
/// - both scaled to `‖X*‖_F = 1`; `y = A(X*)`.
/// Setting (c) of the paper is (a) with m = nr/4.
public enum PlantedSensing {
    public enum Spectrum: String, Sendable, CaseIterable {
        case lowRank = "low-rank"
        case decaying
    }

    public static func generate(dimension n: Int, rank r: Int, measurements m: Int, spectrum: Spectrum = .lowRank, seed: UInt64) throws -> MeasurementProblem {
        precondition(m >= 1)
        let planted = try plantedMatrix(dimension: n, rank: r, spectrum: spectrum, seed: seed)
        var measurementRandom = RandomSource(seed: seed, stream: 2)
        let width = SymmetricPacking.packedCount(n)
        var packed = Matrix(rows: m, columns: width)
        let scale = 1 / (2 * Double(m).squareRoot())
        for i in 0..<m {
            let g = Matrix(rows: n, columns: n, rowMajor: measurementRandom.normals(n * n))
            let a = Matrix(rows: n, columns: n) { p, q in scale * (g[p, q] + g[q, p]) }
            let row = SymmetricPacking.pack(a)
            for k in 0..<width { packed[i, k] = row[k] }
        }
        let measurements = SymmetricMeasurements(dimension: n, packed: packed)
        return MeasurementProblem(
            name: "sensing-n\(n)-r\(r)-m\(m)-\(spectrum.rawValue)-seed\(seed)", kind: .sensing, measurements: measurements,
            observations: measurements.apply(planted), planted: planted)
    }

    /// X*: (a) `WWᵀ` or (b) `Q diag(σ) Qᵀ`, drawn from `RandomSource(seed, stream: 1)`, scaled to
    /// `‖X*‖_F = 1`. Completion problems (``PlantedCompletion``) plant the same matrices.
    public static func plantedMatrix(dimension n: Int, rank r: Int, spectrum: Spectrum, seed: UInt64) throws -> Matrix {
        precondition(n >= 1 && r >= 1 && r <= n)
        var plantedRandom = RandomSource(seed: seed, stream: 1)
        var planted: Matrix
        switch spectrum {
        case .lowRank:
            let w = Matrix(rows: n, columns: r, rowMajor: plantedRandom.normals(n * r))
            planted = Matrix.gram(w)
        case .decaying:
            let q = try Matrix(rows: n, columns: n, rowMajor: plantedRandom.normals(n * n)).orthonormalFactor()
            var sigma = (1...n).map { pow(Double($0), -1.5) }
            let tail = sigma.dropFirst().reduce(0, +)
            let tailSquares = sigma.dropFirst().reduce(0) { $0 + $1 * $1 }
            let rr = Double(r)
            if r == 1 {
                sigma = [1] + Array(repeating: 0, count: n - 1)  // ‖X‖_* = ‖X‖_F forces rank one
            } else {
                // (r − 1) σ₁² − 2 S σ₁ + (r Q − S²) = 0, S = Σ_{k≥2} σ_k, Q = Σ_{k≥2} σ_k²
                let discriminant = tail * tail - (rr - 1) * (rr * tailSquares - tail * tail)
                sigma[0] = (tail + max(discriminant, 0).squareRoot()) / (rr - 1)
            }
            var scaled = q
            for k in 0..<n { for i in 0..<n { scaled[i, k] *= sigma[k].squareRoot() } }
            planted = Matrix.gram(scaled)
        }
        planted.scale(by: 1 / planted.frobeniusNorm)
        return planted
    }
}
