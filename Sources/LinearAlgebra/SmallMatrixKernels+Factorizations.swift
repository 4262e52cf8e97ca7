import Foundation

/// The factorisations of ``SmallMatrixKernels``: Cholesky, LU with partial pivoting, Householder QR,
/// the symmetric eigendecomposition and the singular value decomposition by Jacobi rotations, and
/// minimum-norm least squares through that SVD. Each reads and writes what its LAPACK counterpart
/// does and fails where it fails, with its routine's name.
extension SmallMatrixKernels {
    // MARK: Cholesky

    /// `S = L Lᵀ` from the lower triangle of `a` (n × n), in place (`dpotrf`, lower): column by
    /// column, each entry's sum taken in increasing index. Throws at the first non-positive pivot.
    static func cholesky(_ a: inout Matrix) throws {
        let n = a.rows
        if a.elements.contains(where: \.isNaN) && lowerTriangleHasNaN(a) {
            throw LinearAlgebraError.illegalArgument(routine: "dpotrf", info: -4)
        }
        try a.elements.withUnsafeMutableBufferPointer { p in
            for j in 0..<n {
                var d = p[j + j * n]
                for q in 0..<j { d -= p[j + q * n] * p[j + q * n] }
                guard d > 0 else {  // as dpotrf: a pivot ≤ 0 or NaN
                    throw LinearAlgebraError.notPositiveDefinite(routine: "dpotrf", order: Int32(j + 1))
                }
                let pivot = sqrt(d)
                p[j + j * n] = pivot
                for i in (j + 1)..<Swift.max(j + 1, n) {
                    var s = p[i + j * n]
                    for q in 0..<j { s -= p[i + q * n] * p[j + q * n] }
                    p[i + j * n] = s / pivot
                }
            }
        }
    }

    static func lowerTriangleHasNaN(_ a: Matrix) -> Bool {
        for j in 0..<a.columns { for i in j..<a.rows where a[i, j].isNaN { return true } }
        return false
    }

    /// Solves `L Lᵀ X = B` in place (`dpotrs`).
    static func choleskySolve(_ l: Matrix, _ x: inout Matrix) {
        let n = l.rows
        for j in 0..<x.columns {
            for i in 0..<n {  // L y = b
                var s = x[i, j]
                for q in 0..<i { s -= l[i, q] * x[q, j] }
                x[i, j] = s / l[i, i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {  // Lᵀ x = y
                var s = x[i, j]
                for q in (i + 1)..<Swift.max(i + 1, n) { s -= l[q, i] * x[q, j] }
                x[i, j] = s / l[i, i]
            }
        }
    }

    /// `L⁻¹` of a lower-triangular L, in place, lower triangle only (`dtrtri`, lower, non-unit).
    static func lowerInverse(_ l: inout Matrix) throws {
        let n = l.rows
        for i in 0..<n where l[i, i] == 0 { throw LinearAlgebraError.singular(routine: "dtrtri", index: Int32(i + 1)) }
        var inverse = Matrix(rows: n, columns: n)
        for j in 0..<n {
            inverse[j, j] = 1 / l[j, j]
            for i in (j + 1)..<Swift.max(j + 1, n) {
                var s = 0.0
                for q in j..<i { s += l[i, q] * inverse[q, j] }
                inverse[i, j] = -s / l[i, i]
            }
        }
        for j in 0..<n { for i in j..<n { l[i, j] = inverse[i, j] } }
    }

    /// `(L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹` from the Cholesky factor, its lower triangle written (`dpotri`).
    static func choleskyInverse(_ l: inout Matrix) throws {
        let n = l.rows
        for i in 0..<n where l[i, i] == 0 { throw LinearAlgebraError.singular(routine: "dpotri", index: Int32(i + 1)) }
        try lowerInverse(&l)
        var result = Matrix(rows: n, columns: n)
        for j in 0..<n {
            for i in j..<n {
                var s = 0.0  // (L⁻ᵀ L⁻¹)_ij = Σ_{q ≥ i} (L⁻¹)_qi (L⁻¹)_qj
                for q in i..<n { s += l[q, i] * l[q, j] }
                result[i, j] = s
            }
        }
        for j in 0..<n { for i in j..<n { l[i, j] = result[i, j] } }
    }

    // MARK: LU

    /// `A = P L U` in place with partial pivoting (`dgetrf`): the pivot is the first entry of largest
    /// magnitude in its column; pivots are 1-based row interchanges. Throws at the first zero pivot.
    static func luFactor(_ p: UnsafeMutableBufferPointer<Double>, order n: Int, pivots: UnsafeMutableBufferPointer<Int32>) throws {
        for j in 0..<n {
            var best = j
            var largest = abs(p[j + j * n])
            for i in (j + 1)..<Swift.max(j + 1, n) where abs(p[i + j * n]) > largest {
                best = i
                largest = abs(p[i + j * n])
            }
            pivots[j] = Int32(best + 1)
            if best != j {
                for c in 0..<n { p.swapAt(j + c * n, best + c * n) }
            }
            let pivot = p[j + j * n]
            if pivot == 0 { throw LinearAlgebraError.singular(routine: "dgetrf", index: Int32(j + 1)) }
            for i in (j + 1)..<Swift.max(j + 1, n) { p[i + j * n] /= pivot }
            for c in (j + 1)..<Swift.max(j + 1, n) {
                let u = p[j + c * n]
                if u == 0 { continue }
                for i in (j + 1)..<n { p[i + c * n] -= p[i + j * n] * u }
            }
        }
    }

    /// Solves `A x = b` in place from ``luFactor(_:order:pivots:)``'s factors (`dgetrs`, no transpose).
    static func luSolve(_ a: UnsafeBufferPointer<Double>, order n: Int, pivots: UnsafeBufferPointer<Int32>, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            let r = Int(pivots[i]) - 1
            if r != i { swap(&b[i], &b[r]) }
        }
        for i in 0..<n {
            var s = b[i]
            for q in 0..<i { s -= a[i + q * n] * b[q] }
            b[i] = s
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = b[i]
            for q in (i + 1)..<Swift.max(i + 1, n) { s -= a[i + q * n] * b[q] }
            b[i] = s / a[i + i * n]
        }
    }

    // MARK: QR

    /// Q of `A = QR` (m × n, m ≥ n) by Householder reflections, the signs fixed so that R's diagonal
    /// is positive (as ``Matrix/orthonormalFactor()``).
    static func orthonormalFactor(_ a: Matrix) -> Matrix {
        let (m, n) = (a.rows, a.columns)
        var r = a
        var reflectors: [[Double]] = []
        var diagonal = [Double](repeating: 0, count: n)
        for k in 0..<n {
            var v = (k..<m).map { r[$0, k] }
            let length = norm(v)
            let alpha = v[0] > 0 ? -length : length
            diagonal[k] = length == 0 ? 0 : alpha
            v[0] -= alpha
            let vv = dot(v, v)
            if vv > 0 {
                for c in k..<n {
                    var s = 0.0
                    for i in k..<m { s += v[i - k] * r[i, c] }
                    let f = 2 * s / vv
                    for i in k..<m { r[i, c] -= f * v[i - k] }
                }
            }
            reflectors.append(vv > 0 ? v.map { $0 / sqrt(vv / 2) } : [])
        }
        // Q = H_0 … H_{n−1} applied to the first n columns of the identity, last reflector first.
        var q = Matrix(rows: m, columns: n)
        for j in 0..<n { q[j, j] = 1 }
        for k in stride(from: n - 1, through: 0, by: -1) where !reflectors[k].isEmpty {
            let v = reflectors[k]  // scaled so that H = I − v vᵀ
            for c in 0..<n {
                var s = 0.0
                for i in k..<m { s += v[i - k] * q[i, c] }
                for i in k..<m { q[i, c] -= s * v[i - k] }
            }
        }
        for j in 0..<n where diagonal[j] < 0 {
            for i in 0..<m { q[i, j] = -q[i, j] }
        }
        return q
    }

    static func norm(_ x: [Double]) -> Double { x.withUnsafeBufferPointer { norm($0) } }
    static func dot(_ x: [Double], _ y: [Double]) -> Double {
        x.withUnsafeBufferPointer { px in y.withUnsafeBufferPointer { py in dot(px, py) } }
    }

    // MARK: Symmetric eigendecomposition

    /// The eigenvalues (ascending) and, when asked, orthonormal eigenvectors of the symmetric matrix
    /// whose upper triangle `s` holds, by the cyclic Jacobi method (Rutishauser's rotations): sweeps
    /// over the pairs (p, q) in row order, rotating while `|s_pq| > max(ε·√(|s_pp s_qq|), ε²‖S‖)` —
    /// accurate to a small multiple of `ε‖S‖₂` (relative accuracy
    /// for well-scaled definite matrices). The matrix is scaled by a power of two first (exact).
    static func symmetricEigen(_ s: Matrix, vectors wantVectors: Bool) throws -> (values: [Double], vectors: Matrix) {
        let n = s.rows
        var a = Matrix(rows: n, columns: n)
        var largest = 0.0
        for j in 0..<n {
            for i in 0...j {
                let v = s[i, j]
                if v.isNaN { throw LinearAlgebraError.illegalArgument(routine: "dsyevd", info: -5) }
                a[i, j] = v
                a[j, i] = v
                largest = Swift.max(largest, abs(v))
            }
        }
        let scale = largest > 0 && largest.isFinite ? powerOfTwo(near: largest) : 1
        if scale != 1 { for k in a.elements.indices { a.elements[k] /= scale } }
        var v = Matrix.identity(n)
        var converged = false
        for _ in 0..<64 {
            var rotated = false
            for p in 0..<n {
                for q in (p + 1)..<Swift.max(p + 1, n) {
                    let apq = a[p, q]
                    if apq == 0 { continue }
                    let (app, aqq) = (a[p, p], a[q, q])
                    // Negligible: below ε relative to its diagonal pair, or below ε² of the scaled ‖S‖ ≈ 1.
                    if abs(apq) <= Swift.max(Double.ulpOfOne * sqrt(abs(app) * abs(aqq)), Double.ulpOfOne * Double.ulpOfOne) {
                        a[p, q] = 0
                        a[q, p] = 0
                        continue
                    }
                    rotated = true
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + sqrt(theta * theta + 1))
                    let c = 1 / sqrt(t * t + 1)
                    let sn = t * c
                    let tau = sn / (1 + c)
                    a[p, p] = app - t * apq
                    a[q, q] = aqq + t * apq
                    a[p, q] = 0
                    a[q, p] = 0
                    for r in 0..<n where r != p && r != q {
                        let (arp, arq) = (a[r, p], a[r, q])
                        let newP = arp - sn * (arq + tau * arp)
                        let newQ = arq + sn * (arp - tau * arq)
                        a[r, p] = newP
                        a[p, r] = newP
                        a[r, q] = newQ
                        a[q, r] = newQ
                    }
                    if wantVectors {
                        for r in 0..<n {
                            let (vrp, vrq) = (v[r, p], v[r, q])
                            v[r, p] = vrp - sn * (vrq + tau * vrp)
                            v[r, q] = vrq + sn * (vrp - tau * vrq)
                        }
                    }
                }
            }
            if !rotated {
                converged = true
                break
            }
        }
        guard converged else { throw LinearAlgebraError.noConvergence(routine: "dsyevd", info: 1) }
        let order = (0..<n).sorted { (a[$0, $0], $0) < (a[$1, $1], $1) }
        let values = order.map { a[$0, $0] * scale }
        var vectors = Matrix(rows: wantVectors ? n : 0, columns: wantVectors ? n : 0)
        if wantVectors {
            for (k, column) in order.enumerated() { for r in 0..<n { vectors[r, k] = v[r, column] } }
        }
        return (values, vectors)
    }

    // MARK: Singular value decomposition

    /// The thin SVD `A = U diag(σ) Vᵀ` (σ descending, U m × k, Vᵀ k × n, k = min(m, n)) by one-sided
    /// Jacobi rotations on the columns (Hestenes), of Aᵀ when m < n: pairs rotated in row order while
    /// `|a_pᵀa_q| > max(√m·ε‖a_p‖‖a_q‖, mε²‖A‖²)`; U orthonormal by construction (see below). A is
    /// scaled by a power of two first (exact). Singular values to within a small multiple of ε‖A‖.
    static func singularValueDecomposition(_ a: Matrix, vectors wantVectors: Bool, routine: String = "dgesdd")
        throws -> (u: Matrix, values: [Double], vt: Matrix)
    {
        if a.elements.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: routine, info: -5) }
        if a.rows < a.columns {
            let (u, values, vt) = try singularValueDecomposition(a.transposed, vectors: wantVectors, routine: routine)
            return (vt.transposed, values, u.transposed)
        }
        let (m, n) = (a.rows, a.columns)
        var largest = 0.0
        for x in a.elements { largest = Swift.max(largest, abs(x)) }
        let scale = largest > 0 && largest.isFinite ? powerOfTwo(near: largest) : 1
        var w = a
        if scale != 1 { for k in w.elements.indices { w.elements[k] /= scale } }
        var v = Matrix.identity(n)
        var converged = false
        let tolerance = Double(m).squareRoot() * Double.ulpOfOne
        let floor = Double(m) * Double.ulpOfOne * Double.ulpOfOne
        for _ in 0..<64 {
            var rotated = false
            for p in 0..<n {
                for q in (p + 1)..<Swift.max(p + 1, n) {
                    var (alpha, beta, gamma) = (0.0, 0.0, 0.0)
                    for i in 0..<m {
                        alpha += w[i, p] * w[i, p]
                        beta += w[i, q] * w[i, q]
                        gamma += w[i, p] * w[i, q]
                    }
                    // Orthogonal enough: |cos| ≤ √m·ε (LAPACK dgesvj's default tolerance), or an inner
                    // product negligible in the scaled A (‖A‖_max ≈ 1): below mε², where a column of
                    // round-off beside an O(1) one would otherwise be rotated forever.
                    if alpha == 0 || beta == 0 || abs(gamma) <= Swift.max(tolerance * sqrt(alpha) * sqrt(beta), floor) { continue }
                    rotated = true
                    let zeta = (beta - alpha) / (2 * gamma)
                    let t = (zeta >= 0 ? 1.0 : -1.0) / (abs(zeta) + sqrt(1 + zeta * zeta))
                    let c = 1 / sqrt(1 + t * t)
                    let s = c * t
                    for i in 0..<m {
                        let (x, y) = (w[i, p], w[i, q])
                        w[i, p] = c * x - s * y
                        w[i, q] = s * x + c * y
                    }
                    for i in 0..<n {
                        let (x, y) = (v[i, p], v[i, q])
                        v[i, p] = c * x - s * y
                        v[i, q] = s * x + c * y
                    }
                }
            }
            if !rotated {
                converged = true
                break
            }
        }
        guard converged else { throw LinearAlgebraError.noConvergence(routine: routine, info: 1) }
        let norms = (0..<n).map { j in norm(Array(w.elements[(j * m)..<((j + 1) * m)])) }
        let order = (0..<n).sorted { (-norms[$0], $0) < (-norms[$1], $1) }
        let values = order.map { norms[$0] * scale }
        guard wantVectors else { return (Matrix(rows: 0, columns: 0), values, Matrix(rows: 0, columns: 0)) }
        var u = Matrix(rows: m, columns: n)
        var vt = Matrix(rows: n, columns: n)
        for (k, j) in order.enumerated() {
            for i in 0..<n { vt[k, i] = v[i, j] }
        }
        // U's columns a_j/σ_j in order of σ, each orthogonalised (twice) against those before it: to
        // round-off where σ_j is well above the noise, and where it is not (σ_j at round-off of σ₁,
        // or 0), the first unit vector least in their span, so U stays orthonormal and U Σ Vᵀ = A
        // still holds to ε‖A‖.
        for (k, j) in order.enumerated() {
            var x = [Double](repeating: 0, count: m)
            if norms[j] > 0 { for i in 0..<m { x[i] = w[i, j] / norms[j] } }
            orthogonalise(&x, against: u, columns: k)
            if norm(x) < 0.5 {
                var bestLength = -1.0
                for e in 0..<m {
                    var candidate = [Double](repeating: 0, count: m)
                    candidate[e] = 1
                    orthogonalise(&candidate, against: u, columns: k)
                    let length = norm(candidate)
                    if length > bestLength {
                        x = candidate
                        bestLength = length
                    }
                }
            }
            let length = norm(x)
            for i in 0..<m { u[i, k] = x[i] / length }
        }
        return (u, values, vt)
    }

    /// `x ← x − Σ_c (u_cᵀx) u_c` over U's first `columns` columns, twice (classical Gram–Schmidt
    /// with reorthogonalisation: orthogonal to working precision).
    static func orthogonalise(_ x: inout [Double], against u: Matrix, columns: Int) {
        let m = u.rows
        for _ in 0..<2 {
            for c in 0..<columns {
                var projection = 0.0
                for i in 0..<m { projection += u[i, c] * x[i] }
                for i in 0..<m { x[i] -= projection * u[i, c] }
            }
        }
    }

    /// The minimum-norm least-squares solution through the SVD (`dgelsd`): singular values at most
    /// `rcond·σ₁` (rcond < 0: ε) count as zero; returns x and the rank so decided.
    static func leastSquares(_ a: Matrix, _ b: [Double], relativeCondition: Double) throws -> (solution: [Double], rank: Int) {
        if b.contains(where: \.isNaN) { throw LinearAlgebraError.illegalArgument(routine: "dgelsd", info: -7) }
        let (u, values, vt) = try singularValueDecomposition(a, vectors: true, routine: "dgelsd")
        let rcond = relativeCondition < 0 ? Double.ulpOfOne : relativeCondition
        let threshold = rcond * (values.first ?? 0)
        let rank = values.firstIndex { !($0 > threshold) } ?? values.count
        var x = [Double](repeating: 0, count: a.columns)
        for k in 0..<rank {
            var ub = 0.0
            for i in 0..<a.rows { ub += u[i, k] * b[i] }
            let coefficient = ub / values[k]
            for j in 0..<a.columns { x[j] += coefficient * vt[k, j] }
        }
        return (x, rank)
    }
}
