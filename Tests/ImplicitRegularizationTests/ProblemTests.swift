import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

final class ProblemTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// A and A* against their definitions, `A(X)_i = Σ_ab (A_i)_ab X_ab` and `A*(r) = Σ_i r_i A_i`
    /// with the A_i in full as the problem states them (never packed), and the adjoint identity
    /// ⟨A(X), r⟩ = ⟨X, A*(r)⟩ (the right side summed over all n² entries), on random symmetric X and
    /// random r, for both storages: dense sensing (the fixture's A_i read from its JSON) and sparse
    /// completion (entries on the diagonal, above and below it: `A_k = E_ii` or `(E_ij + E_ji)/2`).
    /// The batched forms satisfy the same identity: ⟨P C, R⟩ = ⟨C, Pᵀ R⟩.
    func testOperatorAndAdjointAgainstTheirDefinitions() throws {
        let name = "sensing-n8-r1-m24.json"
        let sensing = try Fixtures.problem(name)
        let rows = try XCTUnwrap(Fixtures.json(name)["measurements"] as? [[Double]])
        let stated = rows.map { Matrix(rows: 8, columns: 8, rowMajor: $0) }
        XCTAssertEqual(stated.count, sensing.count)
        try checkOperator(sensing.measurements, against: stated, seed: 5)

        let observed = [(0, 0), (2, 1), (1, 3), (3, 3), (4, 0), (2, 4), (1, 1), (3, 2)]
        let completion = SymmetricMeasurements(observing: ObservedEntries(rows: 5, columns: 5, entries: observed.map { .init(row: $0.0, column: $0.1, value: 0) }))
        let defined = observed.map { (i, j) in
            Matrix(rows: 5, columns: 5) { a, b in (a == i && b == j) || (a == j && b == i) ? (i == j ? 1 : 0.5) : 0 }
        }
        try checkOperator(completion, against: defined, seed: 6)
        // And completion observes X_ij itself.
        var random = RandomSource(seed: 7, stream: 3)
        let g = Matrix(rows: 5, columns: 5, rowMajor: random.normals(25))
        let x = g + g.transposed
        for (k, value) in completion.apply(x).enumerated() { XCTAssertEqual(value, x[observed[k].0, observed[k].1], accuracy: 1e-15) }
    }

    /// `op` against the full matrices `stated` (see above), on three random (X, r).
    private func checkOperator(_ op: SymmetricMeasurements, against stated: [Matrix], seed: UInt64) throws {
        let (n, m) = (op.dimension, op.count)
        var random = RandomSource(seed: seed, stream: 3)
        for trial in 0..<3 {
            let g = Matrix(rows: n, columns: n, rowMajor: random.normals(n * n))
            let x = g + g.transposed
            let r = random.normals(m)
            // The definitions, summed entry by entry.
            var expectedAdjoint = Matrix(rows: n, columns: n)
            var expectedApply = [Double](repeating: 0, count: m)
            for i in 0..<m {
                for a in 0..<n {
                    for b in 0..<n {
                        expectedApply[i] += stated[i][a, b] * x[a, b]
                        expectedAdjoint[a, b] += r[i] * stated[i][a, b]
                    }
                }
            }
            let ax = op.apply(x)
            let adjoint = op.adjoint(r)
            let scale = x.frobeniusNorm * stated.map(\.frobeniusNorm).max()!
            for i in 0..<m { XCTAssertEqual(ax[i], expectedApply[i], accuracy: 1e-13 * scale, "A(X)_\(i), trial \(trial)") }
            for a in 0..<n {
                for b in 0..<n {
                    XCTAssertEqual(adjoint[a, b], expectedAdjoint[a, b], accuracy: 1e-13 * max(1, Vector.norm(r)), "A*(r)_\(a)\(b), trial \(trial)")
                }
            }
            // ⟨A(X), r⟩ = ⟨X, A*(r)⟩, the right side over all n² entries.
            var right = 0.0
            for a in 0..<n { for b in 0..<n { right += x[a, b] * adjoint[a, b] } }
            let left = zip(ax, r).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertGreaterThan(Vector.norm(ax), 0.1 * x.frobeniusNorm * stated.map(\.frobeniusNorm).min()!, "a non-trivial A(X)")
            XCTAssertEqual(left, right, accuracy: 1e-12 * scale * Vector.norm(r), "adjoint identity, trial \(trial)")
            // The batched forms: ⟨P C, R⟩ = ⟨C, Pᵀ R⟩ for three columns.
            let width = SymmetricPacking.packedCount(n)
            let columns = Matrix(rows: width, columns: 3, rowMajor: random.normals(3 * width))
            let residuals = Matrix(rows: m, columns: 3, rowMajor: random.normals(3 * m))
            let (pc, ptr) = (op.apply(packedColumns: columns), op.adjoint(packedColumns: residuals))
            var (batchLeft, batchRight) = (0.0, 0.0)
            for c in 0..<3 {
                for i in 0..<m { batchLeft += pc[i, c] * residuals[i, c] }
                for k in 0..<width { batchRight += columns[k, c] * ptr[k, c] }
            }
            XCTAssertEqual(batchLeft, batchRight, accuracy: 1e-12 * max(1, abs(batchLeft)) * Double(m), "batched adjoint identity, trial \(trial)")
        }
    }

    /// The fixture's y is A(X*) for its planted X*.
    func testFixtureObservationsAreThePlantedMeasurements() throws {
        for name in try Fixtures.names(prefix: "sensing") {
            let problem = try Fixtures.problem(name)
            XCTAssertLessThan(problem.relativeResidual(try XCTUnwrap(problem.planted)), 1e-12, name)
        }
    }

    /// The planted settings: rank and scale of X*, ‖X*‖_* = √2 ‖X*‖_F for the decaying spectrum,
    /// E‖A(X)‖² ≈ ‖X‖_F², and the same seed giving the same problem.
    func testPlantedSettings() throws {
        let lowRank = try PlantedSensing.generate(dimension: 30, rank: 2, measurements: 180, seed: 3)
        let x = try XCTUnwrap(lowRank.planted)
        XCTAssertEqual(x.frobeniusNorm, 1, accuracy: 1e-12)
        let eigenvalues = try SymmetricEigendecomposition.eigenvalues(x)
        XCTAssertEqual(eigenvalues.filter { abs($0) > 1e-10 }.count, 2)
        XCTAssertGreaterThan(eigenvalues.min()!, -1e-12)

        let decaying = try PlantedSensing.generate(dimension: 30, rank: 2, measurements: 180, spectrum: .decaying, seed: 3)
        let xd = try XCTUnwrap(decaying.planted)
        XCTAssertEqual(xd.frobeniusNorm, 1, accuracy: 1e-12)
        XCTAssertEqual(try xd.nuclearNorm(), 2.0.squareRoot(), accuracy: 1e-10)

        // E‖A(X)‖² = ‖X‖_F² (each ⟨A_i, X⟩ has variance ‖X‖_F²/m): a sample mean over many X.
        var random = RandomSource(seed: 9)
        var ratio = 0.0
        for _ in 0..<50 {
            let g = Matrix(rows: 30, columns: 30, rowMajor: random.normals(900))
            let s = g + g.transposed
            ratio += pow(Vector.norm(lowRank.measurements.apply(s)), 2) / pow(s.frobeniusNorm, 2) / 50
        }
        XCTAssertEqual(ratio, 1, accuracy: 0.05)

        let again = try PlantedSensing.generate(dimension: 30, rank: 2, measurements: 180, seed: 3)
        XCTAssertEqual(again.measurements.packed, lowRank.measurements.packed)
        XCTAssertEqual(again.observations, lowRank.observations)
    }

    /// A problem written and read back is bit-identical.
    func testProblemFileRoundTrip() throws {
        let problem = try PlantedSensing.generate(dimension: 6, rank: 2, measurements: 9, seed: 4)
        let text = ProblemFile.encode(problem)
        let back = try ProblemFile.decode(Data(text.utf8), file: "round-trip")
        XCTAssertEqual(back.measurements.packed, problem.measurements.packed)
        XCTAssertEqual(back.observations, problem.observations)
        XCTAssertEqual(back.planted, problem.planted)
    }

    /// Refusals name the field (or the line and column).
    func testRefusalsNameTheField() {
        func refusal(_ json: String) -> String {
            do {
                _ = try ProblemFile.decode(Data(json.utf8), file: "p.json")
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal("{\"kind\": \"sensing\",\n\"n\": 1,\n\"y\": [1,,]}"), "p.json:3:9: malformed JSON: expected a value, found ','")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 1, 1]], \"y\": [1]}"),
                       "p.json:1: field \"measurements[0]\" is not symmetric (max |A_ij − A_ji| = 1.0)")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 0]], \"y\": [1]}"),
                       "p.json:1: field \"measurements[0]\" has 3 numbers; n·n = 4")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]],\n\"y\": [1, 2]}"),
                       "p.json:2: field \"y\" has 2 numbers but there are 1 measurements")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[\"a\"]], \"y\": [1]}"),
                       "p.json:1: field \"measurements[0]\" must be an array of numbers, but measurements[0][0] is a string")
        XCTAssertEqual(refusal("{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[0, 3, 1]]}"),
                       "p.json:1: field \"entries[0]\" has indices (0, 3); they must be whole numbers in 0…2")
        XCTAssertEqual(refusal("{\"kind\": \"matrix\"}"), "p.json:1: field \"kind\" must be \"sensing\" or \"completion\", got \"matrix\"")
        XCTAssertEqual(refusal("{\"n\": 1}"), "p.json:1: missing field \"kind\"")
    }

    /// Only strict JSON (RFC 8259): JSON5's hexadecimal, comments, unquoted keys and trailing
    /// commas, NaN and Infinity, and duplicate fields are refused at their line and column.
    func testOnlyStrictJSONIsRead() {
        func refusal(_ json: String) -> String {
            do {
                _ = try ProblemFile.decode(Data(json.utf8), file: "p.json")
                return "accepted"
            } catch { return "\(error)" }
        }
        let tail = "\"measurements\": [[1]], \"y\": [1]}"
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [0x10]}"), "p.json:1:59: malformed JSON: hexadecimal numbers are not JSON")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", /* a */ \"n\": 1, " + tail), "p.json:1:21: malformed JSON: expected a field name in double quotes, found '/'")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", n: 1, " + tail), "p.json:1:21: malformed JSON: expected a field name in double quotes, found 'n'")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1],], \"y\": [1]}"), "p.json:1:50: malformed JSON: a trailing comma before ']' is not JSON")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\",\n\"n\": 1,\n  \"n\": 2, " + tail), "p.json:3:3: malformed JSON: duplicate field \"n\" (first on line 2)")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [-Infinity]}"), "p.json:1:58: malformed JSON: NaN and Infinity are not JSON numbers (JSON numbers are finite)")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1], \"reference\": {\"x\": NaN}}"), "p.json:1:81: malformed JSON: NaN and Infinity are not JSON numbers (JSON numbers are finite)")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1e999]}"), "p.json:1:58: malformed JSON: the number 1e999 is too large for a Float64")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"name\": \"\\ud800\", \"n\": 1, " + tail), "p.json:1:36: malformed JSON: a \\u escape of a high surrogate must be followed by a low surrogate")
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"name\": \"é\\u00e9\\ud83d\\ude00\", \"n\": 1, " + tail), "accepted")
    }

    /// Sizes are compared as Float64 before any conversion or allocation: these used to trap
    /// (`Int(1e20)`, `n * n` overflowing) or to allocate 8e18 bytes.
    func testSizesAreCheckedBeforeConversionOrAllocation() {
        func refusal(_ json: String) -> String {
            do {
                _ = try ProblemFile.decode(Data(json.utf8), file: "p.json")
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal("{\"kind\": \"sensing\", \"n\": 4000000000, \"measurements\": [[1]], \"y\": [1]}"),
                       "p.json:1: field \"n\" is 4000000000: an n × n matrix would take 1.16e+08 TiB, beyond factorize's bound of 1 GiB (2^27 numbers) per array (at most 11585)")
        XCTAssertTrue(refusal("{\"kind\": \"completion\", \"rows\": 1e9, \"cols\": 1e9, \"entries\": [[0, 0, 1]]}").hasPrefix("p.json:1: field \"rows\" is 1000000000: an n × n matrix would take"))
        XCTAssertEqual(refusal("{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[1e20, 0, 1]]}"),
                       "p.json:1: field \"entries[0]\" has indices (1e+20, 0); they must be whole numbers in 0…2")
        XCTAssertEqual(refusal("{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[0, -9.3e18, 1]]}"),
                       "p.json:1: field \"entries[0]\" has indices (0, -9.3e+18); they must be whole numbers in 0…2")
        XCTAssertEqual(ProblemSize.sensingRefusal(dimension: 50, measurements: 1e9),
                       "m = 1000000000 measurements of n × n = 50 × 50: their m·n² numbers would take 18.2 TiB, beyond factorize's bound of 1 GiB (2^27 numbers) per array")
        XCTAssertNil(ProblemSize.sensingRefusal(dimension: 50, measurements: 300))
        XCTAssertNotNil(ProblemSize.dimensionRefusal(.nan))
    }

    /// Figure 3's completion problems: m distinct entries of the upper triangle of the same X*
    /// as the sensing problem, observed exactly; power-law sampling concentrates on heavy indices.
    func testPlantedCompletionObservesDistinctEntriesOfTheSensingMatrix() throws {
        let sensing = try PaperSetting.a.problem(.sensing, seed: 0)
        for observations in [PaperSetting.Observations.uniformCompletion, .powerLawCompletion] {
            let problem = try PaperSetting.a.problem(observations, seed: 0)
            XCTAssertEqual(problem.kind, .completion)
            XCTAssertEqual(problem.count, 300)
            let entries = try XCTUnwrap(problem.entries)
            XCTAssertEqual(Set(entries.map { "\($0.row),\($0.column)" }).count, 300, "without replacement")
            XCTAssertTrue(entries.allSatisfy { $0.row <= $0.column })
            let planted = try XCTUnwrap(problem.planted)
            XCTAssertEqual((planted - sensing.planted!).frobeniusNorm, 0)
            XCTAssertEqual(problem.relativeResidual(planted), 0, accuracy: 1e-15)
        }
        // Under power-law sampling the 10 most observed indices carry far more of the entries'
        // endpoints than under uniform sampling (about 28% for uniform; w ∝ 1/k alone would give
        // 65%, less once drawn entries leave the pool).
        func topShare(_ problem: MeasurementProblem) -> Double {
            var counts = [Int](repeating: 0, count: 50)
            for e in problem.entries! { counts[e.row] += 1; counts[e.column] += 1 }
            return Double(counts.sorted(by: >).prefix(10).reduce(0, +)) / Double(2 * problem.count)
        }
        let uniform = topShare(try PaperSetting.a.problem(.uniformCompletion, seed: 0))
        let powerLaw = topShare(try PaperSetting.a.problem(.powerLawCompletion, seed: 0))
        XCTAssertLessThan(uniform, 0.33)
        XCTAssertGreaterThan(powerLaw, 0.4)
        XCTAssertGreaterThan(powerLaw - uniform, 0.1)
    }
}
