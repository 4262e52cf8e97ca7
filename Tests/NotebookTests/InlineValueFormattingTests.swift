import NotebookRuntime
import XCTest

/// The formatting functions a notebook's inline values use (`significant`, `percent`, `grouped`).
final class InlineValueFormattingTests: XCTestCase {
    func testSignificantDigitsAcrossMagnitudes() {
        XCTAssertEqual(significant(0.005512), "0.00551")
        XCTAssertEqual(significant(5.512e-6), "5.51e-06")
        XCTAssertEqual(significant(1.23456), "1.23")
        XCTAssertEqual(significant(20912), "20,912", "from 1,000 to 1e6: grouped, every integer digit")
        XCTAssertEqual(significant(1234.5678, digits: 6), "1,234.57")
        // From 1e6 on, scientific: a grouped 9,919,795,329,662 would claim 13 digits of a 2-digit value.
        XCTAssertEqual(significant(9_919_795_329_662, digits: 2), "9.9e+12")
        XCTAssertEqual(significant(-1.2686e11, digits: 3), "-1.27e+11")
        XCTAssertEqual(significant(.nan), "NaN")
        XCTAssertEqual(significant(-.infinity), "−∞")
        XCTAssertEqual(percent(0.5912, digits: 1), "59.1%")
        XCTAssertEqual(grouped(31350), "31,350")
    }

    /// A value that was not computed (nil) is a dash, in every form; a computed one is its value's text.
    func testAValueNotComputedIsADash() {
        let missing: Double? = nil
        let present: Double? = 0.5912
        XCTAssertEqual(significant(missing, digits: 4), "—")
        XCTAssertEqual(percent(missing), "—")
        XCTAssertEqual(grouped(Int?.none), "—")
        XCTAssertEqual(percent(present, digits: 1), "59.1%")
        XCTAssertEqual(grouped(Int?.some(31350)), "31,350")
        XCTAssertEqual(InlineValue.text(missing as Any), "—")
        XCTAssertEqual(InlineValue.text(present as Any), "0.591")
        XCTAssertEqual(InlineValue.text(Int?.some(31350) as Any), "31,350")
    }

    /// `relative`: a percentage to one decimal from 1e-3 in magnitude, below it the value itself.
    func testRelativeDifferences() {
        XCTAssertEqual(relative(0.0374), "3.7%")
        XCTAssertEqual(relative(-0.0374), "-3.7%")
        XCTAssertEqual(relative(1e-3), "0.1%")
        XCTAssertEqual(relative(9.9e-4), "9.9e-04")
        XCTAssertEqual(relative(-4.2e-5), "-4.2e-05")
        XCTAssertEqual(relative(0), "0")
        XCTAssertEqual(relative(.infinity), "∞")
        XCTAssertEqual(relative(.nan), "NaN")
    }
}
