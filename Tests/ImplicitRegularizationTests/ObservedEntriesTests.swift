import ImplicitRegularization
import LinearAlgebra
import XCTest

/// `ObservedEntries` keeps the order it is given (measurement k is entry k) and visits each row's
/// entries by column, each column's by row, whatever that order: the sparse products of the same
/// entries given in two orders are the same numbers, bit for bit, with the per-entry vectors
/// permuted as the entries are.
final class ObservedEntriesTests: XCTestCase {
    /// 300 distinct positions of a 30 × 20 matrix, in a random order, and the same sorted by row.
    func shuffledAndSorted() -> (shuffled: ObservedEntries, sorted: ObservedEntries, order: [Int]) {
        var random = RandomSource(seed: 21, stream: 8)
        var positions = (0..<600).map { ($0 / 20, $0 % 20) }
        for k in stride(from: positions.count - 1, to: 0, by: -1) { positions.swapAt(k, Int(random.uniform() * Double(k + 1)) % (k + 1)) }
        let given = positions.prefix(300).map { ObservedEntries.Entry(row: $0.0, column: $0.1, value: random.uniform() * 4 + 1) }
        let order = given.indices.sorted { (given[$0].row, given[$0].column) < (given[$1].row, given[$1].column) }
        return (ObservedEntries(rows: 30, columns: 20, entries: given),
                ObservedEntries(rows: 30, columns: 20, entries: order.map { given[$0] }), order)
    }

    func testTheOrderGivenIsKeptAndTheViewsAreSorted() {
        let (shuffled, sorted, order) = shuffledAndSorted()
        XCTAssertEqual(shuffled.count, 300)
        XCTAssertEqual(order.map { shuffled[$0] }, Array(sorted))
        XCTAssertEqual(sorted.byRow, Array(0..<300), "row-sorted entries are their own row order")
        XCTAssertEqual(shuffled.byRow, order)
        for i in 0..<30 {
            let columns = shuffled.byRow[shuffled.rowStart[i]..<shuffled.rowStart[i + 1]].map { shuffled.column[$0] }
            XCTAssertTrue(shuffled.byRow[shuffled.rowStart[i]..<shuffled.rowStart[i + 1]].allSatisfy { shuffled.row[$0] == i })
            XCTAssertEqual(columns, columns.sorted())
        }
        for j in 0..<20 {
            let rows = shuffled.byColumn[shuffled.columnStart[j]..<shuffled.columnStart[j + 1]].map { shuffled.row[$0] }
            XCTAssertTrue(shuffled.byColumn[shuffled.columnStart[j]..<shuffled.columnStart[j + 1]].allSatisfy { shuffled.column[$0] == j })
            XCTAssertEqual(rows, rows.sorted())
        }
        XCTAssertEqual(shuffled.columnStart.last, 300)
        XCTAssertEqual(shuffled.rowStart.last, 300)
    }

    func testProductsDoNotDependOnTheOrderGiven() {
        let (shuffled, sorted, order) = shuffledAndSorted()
        let d = 4
        var random = RandomSource(seed: 22, stream: 8)
        let a = random.normals(30 * d), b = random.normals(20 * d)
        func products(_ entries: ObservedEntries) -> (residual: [Double], g: [Double], h: [Double], sampled: [Double], sum: Double) {
            var residual = [Double](repeating: 0, count: 300), g = [Double](repeating: 0, count: 30 * d)
            var h = [Double](repeating: 0, count: 20 * d), sampled = [Double](repeating: 0, count: 300)
            let sum = entries.residualAndProduct(a, b, rank: d, target: entries.values, residual: &residual, product: &g, threads: 2)
            entries.transposedProduct(residual, a, rank: d, into: &h, threads: 2)
            entries.sampledProducts(a, b, rank: d, into: &sampled)
            return (residual, g, h, sampled, sum)
        }
        let (p, q) = (products(shuffled), products(sorted))
        XCTAssertEqual(order.map { p.residual[$0] }, q.residual)
        XCTAssertEqual(order.map { p.sampled[$0] }, q.sampled)
        XCTAssertEqual(p.g, q.g)
        XCTAssertEqual(p.h, q.h)
        XCTAssertEqual(p.sum, q.sum)
        // And against the dense S = P_Ω(ABᵀ − Y): g = S B, h = Sᵀ A (by rows).
        let x = Matrix.product(Matrix(rows: 30, columns: d, rowMajor: a), .none, Matrix(rows: 20, columns: d, rowMajor: b), .transpose)
        let s = shuffled.zeroFilled((0..<300).map { x[shuffled.row[$0], shuffled.column[$0]] - shuffled.values[$0] })
        let g = Matrix.product(s, .none, Matrix(rows: 20, columns: d, rowMajor: b), .none)
        XCTAssertLessThan((Matrix(rows: 30, columns: d, rowMajor: p.g) - g).frobeniusNorm, 1e-13 * g.frobeniusNorm)
        XCTAssertEqual(p.sum, s.frobeniusNorm * s.frobeniusNorm, accuracy: 1e-13 * p.sum)
    }

    /// `mapValues` keeps the positions and views; `relativeError` is `‖P_Ω(X) − y‖ / ‖y‖`.
    func testMapValuesAndRelativeError() {
        let entries = ObservedEntries(rows: 2, columns: 3, entries: [.init(row: 1, column: 2, value: 3), .init(row: 0, column: 1, value: 4)])
        let halved = entries.mapValues { $0 / 2 }
        XCTAssertEqual(Array(halved), [.init(row: 1, column: 2, value: 1.5), .init(row: 0, column: 1, value: 2)])
        XCTAssertEqual(halved.byRow, entries.byRow)
        XCTAssertEqual(halved.byRow, [1, 0])
        // X = 0 on Ω: error 1; X = 3 at (1, 2) and 0 at (0, 1): ‖(0, −4)‖ / ‖(3, 4)‖ = 4/5.
        XCTAssertEqual(entries.relativeError { _, _ in 0 }, 1)
        XCTAssertEqual(entries.relativeError { i, j in i == 1 && j == 2 ? 3 : 0 }, 0.8, accuracy: 1e-16)
    }
}
