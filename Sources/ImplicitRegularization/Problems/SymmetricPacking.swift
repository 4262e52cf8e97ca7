import LinearAlgebra

/// The isometry `svec` between symmetric n × n matrices and vectors of length n(n+1)/2.
///
/// `svec(X)` lists the upper triangle column by column, entry (i, j), i ≤ j, at index
/// `j(j+1)/2 + i`, with off-diagonal entries scaled by √2, so that `⟨svec(A), svec(B)⟩ = ⟨A, B⟩`
/// (the Frobenius inner product). `smat` is its inverse. Exploiting symmetry this way halves the
/// memory every measurement takes and every `A(X)` reads.
public enum SymmetricPacking {
    /// n(n+1)/2.
    @inlinable public static func packedCount(_ n: Int) -> Int { n * (n + 1) / 2 }

    /// √2.
    public static let root2 = 2.0.squareRoot()

    /// `svec(X)`, reading only the upper triangle of X.
    public static func pack(_ x: Matrix) -> [Double] {
        var v = [Double](repeating: 0, count: packedCount(x.rows))
        v.withUnsafeMutableBufferPointer { pack(x, into: $0) }
        return v
    }

    /// `svec(X)` written into `out`, reading only the upper triangle of X.
    public static func pack(_ x: Matrix, into out: UnsafeMutableBufferPointer<Double>) {
        let n = x.rows
        precondition(x.isSquare && out.count >= packedCount(n))
        x.elements.withUnsafeBufferPointer { e in
            var k = 0
            for j in 0..<n {
                let column = j * n
                for i in 0..<j {
                    out[k] = root2 * e[column + i]
                    k += 1
                }
                out[k] = e[column + j]
                k += 1
            }
        }
    }

    /// `smat(v)`: the symmetric matrix, in full, whose svec is `v`.
    public static func unpack(_ v: UnsafeBufferPointer<Double>, dimension n: Int) -> Matrix {
        var x = Matrix(rows: n, columns: n)
        unpack(v, into: &x)
        return x
    }

    /// `smat(v)` written into an n × n matrix, every entry overwritten (no allocation).
    public static func unpack(_ v: UnsafeBufferPointer<Double>, into x: inout Matrix) {
        let n = x.rows
        precondition(x.isSquare && v.count >= packedCount(n))
        let inverseRoot2 = 1 / root2
        x.elements.withUnsafeMutableBufferPointer { e in
            var k = 0
            for j in 0..<n {
                for i in 0..<j {
                    let value = inverseRoot2 * v[k]
                    e[i + j * n] = value
                    e[j + i * n] = value
                    k += 1
                }
                e[j + j * n] = v[k]
                k += 1
            }
        }
    }

    /// `smat(v)`.
    public static func unpack(_ v: [Double], dimension n: Int) -> Matrix {
        v.withUnsafeBufferPointer { unpack($0, dimension: n) }
    }
}
