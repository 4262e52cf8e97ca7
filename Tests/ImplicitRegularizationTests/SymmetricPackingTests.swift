import ImplicitRegularization
import LinearAlgebra
import XCTest

final class SymmetricPackingTests: XCTestCase {
    /// svec is an isometry and smat its inverse.
    func testPackingIsAnIsometry() {
        let a = Matrix(rows: 5, columns: 5) { i, j in Double(min(i, j) * 3 + max(i, j)) - 4 }
        let b = Matrix(rows: 5, columns: 5) { i, j in sin(Double(i + j)) }
        XCTAssertEqual(Vector.dot(SymmetricPacking.pack(a), SymmetricPacking.pack(b)), Matrix.frobeniusInner(a, b), accuracy: 1e-12)
        XCTAssertEqual(SymmetricPacking.unpack(SymmetricPacking.pack(a), dimension: 5), a)
    }
}
