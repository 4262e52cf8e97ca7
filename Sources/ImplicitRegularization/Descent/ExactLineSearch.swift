import Foundation

/// The exact line search η_ELS of Figure 1 (SPEC, "exact line search").
///
/// Along `D = −∇f(U)`, `A((U + ηD)(U + ηD)ᵀ) − y = r + η a + η² b` with `r = A(UUᵀ) − y`,
/// `a = A(UDᵀ + DUᵀ)`, `b = A(DDᵀ)`, so the loss along the line is the quartic
/// `φ(η) = ½‖r + η a + η² b‖²`, and `φ'(η) = 2‖b‖² η³ + 3⟨a,b⟩ η² + (‖a‖² + 2⟨r,b⟩) η + ⟨r,a⟩`.
/// The step is the minimiser of φ over `[0, maxStep]`: the best of the real roots of the cubic
/// φ' = 0 inside the interval (closed form, each polished by two Newton steps), 0 and `maxStep`. Since `φ'(0) = −‖∇f‖² ≤ 0`, the loss never increases.
public enum ExactLineSearch {
    /// The default clip: larger steps from a near-zero U0 jump straight to a random rank-d
    /// interpolant, the opposite of the small-step regime the paper studies.
    public static let defaultMaxStep = 0.1

    /// The step η ∈ [0, maxStep] minimising `φ(η) = ½‖r + η a + η² b‖²`, given the inner products.
    public static func step(rr: Double, ra: Double, rb: Double, aa: Double, ab: Double, bb: Double, maxStep: Double) -> Double {
        func phi(_ t: Double) -> Double {
            // ½‖r + t a + t² b‖², expanded.
            0.5 * (rr + 2 * t * ra + t * t * (aa + 2 * rb) + 2 * t * t * t * ab + t * t * t * t * bb)
        }
        let c3 = 2 * bb, c2 = 3 * ab, c1 = aa + 2 * rb, c0 = ra
        var best = 0.0  // never better than a step when φ'(0) < 0, as along −∇f; kept for any direction
        var bestValue = phi(0)
        if phi(maxStep) < bestValue {
            best = maxStep
            bestValue = phi(maxStep)
        }
        for root in realRoots(c3, c2, c1, c0) where root > 0 && root < maxStep {
            let value = phi(root)
            if value < bestValue {
                best = root
                bestValue = value
            }
        }
        return best
    }

    /// The real roots of `c3 t³ + c2 t² + c1 t + c0` (degenerate leading coefficients allowed).
    static func realRoots(_ c3: Double, _ c2: Double, _ c1: Double, _ c0: Double) -> [Double] {
        let scale = max(abs(c2), abs(c1), abs(c0))
        var roots: [Double]
        if c3 == 0 || abs(c3) <= 1e-300 * scale {
            if c2 != 0 {
                let disc = c1 * c1 - 4 * c2 * c0
                if disc < 0 { return [] }
                let q = -0.5 * (c1 + (c1 >= 0 ? 1 : -1) * disc.squareRoot())
                roots = [q / c2]
                if q != 0 { roots.append(c0 / q) }
            } else if c1 != 0 {
                roots = [-c0 / c1]
            } else {
                return []
            }
        } else {
            // Numerical Recipes §5.6, t³ + a t² + b t + c.
            let a = c2 / c3, b = c1 / c3, c = c0 / c3
            let q = (a * a - 3 * b) / 9
            let r = (2 * a * a * a - 9 * a * b + 27 * c) / 54
            if r * r < q * q * q {
                let theta = acos(r / (q * q * q).squareRoot())
                let m = -2 * q.squareRoot()
                roots = [m * cos(theta / 3) - a / 3, m * cos((theta + 2 * .pi) / 3) - a / 3, m * cos((theta - 2 * .pi) / 3) - a / 3]
            } else {
                let big = -(r >= 0 ? 1.0 : -1.0) * cbrt(abs(r) + (r * r - q * q * q).squareRoot())
                let small = big == 0 ? 0 : q / big
                roots = [big + small - a / 3]
            }
        }
        return roots.map { root in
            var t = root
            for _ in 0..<2 {
                let f = ((c3 * t + c2) * t + c1) * t + c0
                let df = (3 * c3 * t + 2 * c2) * t + c1
                if df == 0 { break }
                let next = t - f / df
                if !next.isFinite { break }
                t = next
            }
            return t
        }
    }
}
