import LinearAlgebra

extension MinimumNuclearNorm {
    /// Facial reduction of a completion problem whose fully observed principal blocks are singular.
    ///
    /// When every entry of a principal block `Y_CC` (diagonal included) is observed and `Y_CC` is
    /// singular, every feasible X has `X_CC = Y_CC`, so `vᵀXv = 0` and, X being PSD, `Xv = 0` for each
    /// null vector v of `Y_CC` (zero-padded). No X ≻ 0 is feasible: Slater's condition fails, the
    /// dual optimum need not be attained, and the interior-point dual may run off to infinity along
    /// `A*(w) = vvᵀ` (`yᵀw = vᵀY_CC v = 0`), losing the primal residual on its way. Figure 3's
    /// uniform completion (a), seed 0, has ten such 3 × 3 blocks of its rank-2 X* (λ_min ≈ 1e-17):
    /// the iteration stalls at a relative gap of −1.95e-7 with ‖z‖ ≈ 6e3.
    ///
    /// Here X = P W Pᵀ, P an orthonormal basis of the complement of those null vectors, and the
    /// problem in W (the constraints `⟨PᵀA_iP, W⟩ = y_i`, those dependent on the face dropped, by
    /// Gram–Schmidt on their packed rows, relative 1e-10) is solved by the same interior-point method,
    /// then lifted. The lifted X is PSD by construction and its residual is measured on the full
    /// problem; its lower bound is the face's certified bound, which bounds every feasible X because
    /// every feasible X lies on the face. Blocks count as singular when `λ_min ≤ 1e-12 λ_max`
    /// (a PSD block with `λ_min < 0` makes the problem infeasible outright).
    ///
    /// Returns nil when the problem has no such block or the face's problem is not solved.
    func solveOnExposedFace() throws -> Solution? {
        let n = problem.dimension
        let directions = try exposedDirections()
        guard !directions.isEmpty else { return nil }
        var span = Matrix(rows: n, columns: n)
        for v in directions { for j in 0..<n where v[j] != 0 { for i in 0..<n { span[i, j] += v[i] * v[j] } } }
        let spectrum = try SymmetricEigendecomposition(span)
        let top = spectrum.values.last ?? 0
        let face = spectrum.values.indices.filter { spectrum.values[$0] <= 1e-10 * top }
        guard !face.isEmpty, face.count < n else { return nil }
        var p = Matrix(rows: n, columns: face.count)
        for (c, t) in face.enumerated() { for i in 0..<n { p[i, c] = spectrum.vectors[i, t] } }
        // The constraints on the face, the dependent ones dropped.
        var matrices: [Matrix] = []
        var values: [Double] = []
        var rows: [Int] = []
        var basis: [[Double]] = []
        for i in 0..<problem.count {
            let reduced = Matrix.product(p, .transpose, problem.measurements.matrix(i) * p, .none).symmetricPart
            var row = SymmetricPacking.pack(reduced)
            let norm = Vector.norm(row)
            for _ in 0..<2 { for b in basis { Vector.axpy(-Vector.dot(b, row), b, &row) } }
            let remainder = Vector.norm(row)
            guard remainder > 1e-10 * norm else { continue }
            basis.append(row.map { $0 / remainder })
            matrices.append(reduced)
            values.append(problem.observations[i])
            rows.append(i)
        }
        let reducedProblem = MeasurementProblem(
            measurements: SymmetricMeasurements(dimension: face.count, matrices: matrices), observations: values)
        guard case let .solution(onFace) = try MinimumNuclearNorm(problem: reducedProblem, options: options).solveInterior(),
              onFace.status == .solved else { return nil }
        let x = Matrix.product(p * onFace.x, .none, p, .transpose).symmetricPart
        var dual = [Double](repeating: 0, count: problem.count)
        for (k, i) in rows.enumerated() { dual[i] = onFace.dual[k] }
        var r = problem.measurements.apply(x)
        Vector.axpy(-1, problem.observations, &r)
        let trace = x.trace
        var solution = Solution(
            x: x, dual: dual, nuclearNorm: trace, lowerBound: onFace.lowerBound,
            dualityGap: relativeGap(trace: trace, lowerBound: onFace.lowerBound),
            residual: relativeResidual(r), iterations: onFace.iterations)
        solution.exposedDirections = n - face.count
        solution.dualIsFullProblem = false
        let tolerance = options.acceptedTolerance
        let gap = solution.dualityGap.formatted(significantDigits: 3)
        let residual = solution.residual.formatted(significantDigits: 3)
        let where_ = "on the face of X that \(n - face.count) null vectors of singular fully observed blocks expose (no X ≻ 0 is feasible)"
        if abs(solution.dualityGap) <= tolerance && solution.residual <= tolerance {
            solution.status = .solved
            solution.message = "certified relative gap \(gap) and residual \(residual), both within \(tolerance), \(where_)"
            if let full = try fullProblemDual(faceDual: dual, exposing: directions, x: x, iterations: onFace.iterations) {
                (solution.dual, solution.lowerBound, solution.dualityGap) = (full.dual, full.lowerBound, full.dualityGap)
                solution.dualIsFullProblem = true
                solution.message += "; its dual, made complementary on the full problem, certifies the bound for every PSD X (relative gap \(full.dualityGap.formatted(significantDigits: 3)))"
            }
        } else {
            solution.status = .inaccurate
            solution.message = "\(where_): relative gap \(gap) and residual \(residual) (target \(tolerance))"
        }
        return solution
    }

    /// A dual feasible for the full problem from the face's. The face's dual z_F has a slack that
    /// vanishes on the whole face, so it is first made complementary to X on the full problem
    /// (``complementaryDual(face:from:)``: the least-norm correction with `(I − A*(z)) V = 0`, V an
    /// orthonormal basis of X's range, eigenvalues above 1e-10·λ₁), then moved along the certificate
    /// w of the exposing directions v (`A*(w) = S = Σ vvᵀ ⪰ 0`, zero on the face, `yᵀw = Σ vᵀY_CC v`,
    /// zero to round-off): `z = z_c − t w` keeps `(I − A*(z)) V = 0` and raises the slack by `tS` off
    /// the face. t runs over 0, 1, 10, …, 1e8; the first point that, certified as any dual is
    /// (``certify``: λ_min and yᵀz with their round-off), keeps the relative gap within
    /// `acceptedTolerance` is returned; nil when none does (the dual optimum not attained), or when w
    /// does not reproduce S to 1e-10 (which directions on fully observed blocks always do).
    func fullProblemDual(faceDual: [Double], exposing directions: [[Double]], x: Matrix, iterations: Int) throws -> Solution? {
        let (n, m) = (problem.dimension, problem.count)
        var exposing = Matrix(rows: n, columns: n)
        for v in directions { for j in 0..<n { for i in 0..<n { exposing[i, j] += v[i] * v[j] } } }
        var columns = Matrix(rows: SymmetricPacking.packedCount(n), columns: m)
        for i in 0..<m {
            let packed = SymmetricPacking.pack(problem.measurements.matrix(i))
            for row in packed.indices { columns[row, i] = packed[row] }
        }
        let w = try LeastSquares(columns, SymmetricPacking.pack(exposing), relativeCondition: 1e-12).solution
        guard (problem.measurements.adjoint(w) - exposing).frobeniusNorm <= 1e-10 * exposing.frobeniusNorm else { return nil }
        // Complementary to X first (the face's dual is not: its slack vanishes on the whole face).
        let spectrum = try SymmetricEigendecomposition(x)
        let top = spectrum.values.last ?? 0
        let range = spectrum.values.indices.filter { spectrum.values[$0] > 1e-10 * top }
        var factor = Matrix(rows: n, columns: range.count)
        for (c, k) in range.enumerated() { for i in 0..<n { factor[i, c] = spectrum.vectors[i, k] } }
        let complementary = range.isEmpty ? faceDual : try complementaryDual(face: factor, from: faceDual)
        var t = 0.0
        for _ in 0...9 {
            var z = complementary
            Vector.axpy(-t, w, &z)
            let candidate = try certify(x: x, y: z, iterations: iterations)
            if abs(candidate.dualityGap) <= options.acceptedTolerance { return candidate }
            t = t == 0 ? 1 : 10 * t
        }
        return nil
    }

    /// The null vectors (zero-padded to n) of the singular fully observed principal blocks: those of
    /// each maximal clique of observed entries among the indices with an observed diagonal
    /// (Bron–Kerbosch with pivoting); a singular sub-block's null vectors are among its clique's
    /// when that block is PSD, and a block that is not PSD has no feasible X at all.
    func exposedDirections() throws -> [[Double]] {
        let n = problem.dimension
        guard let entries = problem.entries else { return [] }
        var value: [Int: Double] = [:]
        for e in entries { value[min(e.row, e.column) * n + max(e.row, e.column)] = e.value }
        let vertices = (0..<n).filter { value[$0 * n + $0] != nil }
        var neighbours = [Set<Int>](repeating: [], count: n)
        for e in entries where e.row != e.column && value[e.row * n + e.row] != nil && value[e.column * n + e.column] != nil {
            neighbours[e.row].insert(e.column)
            neighbours[e.column].insert(e.row)
        }
        var cliques: [[Int]] = []
        func extend(_ r: [Int], _ candidates: Set<Int>, _ excluded: Set<Int>) {
            if candidates.isEmpty && excluded.isEmpty {
                if r.count >= 2 { cliques.append(r.sorted()) }
                return
            }
            let pivot = candidates.union(excluded).sorted().max { neighbours[$0].intersection(candidates).count < neighbours[$1].intersection(candidates).count }!
            var (p, x) = (candidates, excluded)
            for v in candidates.subtracting(neighbours[pivot]).sorted() {
                extend(r + [v], p.intersection(neighbours[v]), x.intersection(neighbours[v]))
                p.remove(v)
                x.insert(v)
            }
        }
        extend([], Set(vertices), [])
        var directions: [[Double]] = []
        // Sorted, so that the basis of the face does not depend on the sets' (per-process) order.
        for clique in cliques.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var block = Matrix(rows: clique.count, columns: clique.count)
            for (a, i) in clique.enumerated() { for (b, j) in clique.enumerated() { block[a, b] = value[min(i, j) * n + max(i, j)]! } }
            let spectrum = try SymmetricEigendecomposition(block)
            let largest = spectrum.values.last ?? 0
            guard largest > 0 else { continue }
            for (t, lambda) in spectrum.values.enumerated() where lambda <= 1e-12 * largest {
                var v = [Double](repeating: 0, count: n)
                for (a, i) in clique.enumerated() { v[i] = spectrum.vectors[a, t] }
                directions.append(v)
            }
        }
        return directions
    }
}
