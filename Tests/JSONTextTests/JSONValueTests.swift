import Foundation
import JSONText
import XCTest

/// `JSONValue`'s text: the layouts, the escaping and the numbers, against Python's `json.dumps` (its
/// output for the same values, written here as literals) and against Foundation's parser.
final class JSONValueTests: XCTestCase {
    let sample: JSONValue = [
        "status": "solved", "gap": .number(1e-9), "iterations": 3, "converged": true, "none": nil,
        "x": [1.5, .number(-0.0), .number(.nan)], "empty": [], "nested": ["b": 1, "a": [:]],
    ]

    /// One line, members as written, ", " and ": ".
    func testOneLineKeepsTheOrderWritten() {
        XCTAssertEqual(
            sample.text(),
            #"{"status": "solved", "gap": 1e-09, "iterations": 3, "converged": true, "none": null, "x": [1.5, -0.0, null], "empty": [], "nested": {"b": 1, "a": {}}}"#)
    }

    /// `json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)` of the same value in Python 3
    /// (with -0.0, 1e-09 and null as Python writes them).
    func testIndentedSortedIsPythonsLayout() {
        let python = """
        {
         "converged": true,
         "empty": [],
         "gap": 1e-09,
         "iterations": 3,
         "nested": {
          "a": {},
          "b": 1
         },
         "none": null,
         "status": "solved",
         "x": [
          1.5,
          -0.0,
          null
         ]
        }
        """
        XCTAssertEqual(sample.text(layout: .indented(1), sortedKeys: true), python)
    }

    /// Keys sort by Unicode scalars, as Python's: "Z" (U+005A) before "a", "é" (U+00E9) after "z".
    func testKeysSortByScalars() {
        let value: JSONValue = ["é": 1, "z": 2, "a": 3, "Z": 4]
        XCTAssertEqual(value.text(sortedKeys: true), #"{"Z": 4, "a": 3, "z": 2, "é": 1}"#)
    }

    /// Escapes: quote, backslash, the named controls, other controls as \u00XX, and nothing else
    /// (no "\/", non-ASCII as it is); Foundation reads every one back to the same string.
    func testStringsEscapeWhatJSONRequiresAndReadBack() throws {
        let raw = "a\"b\\c\nd\re\tf\u{08}g\u{0C}h\u{01}i\u{1F}j/k é ∞ 🙂"
        XCTAssertEqual(JSONValue.quoted(raw), #""a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/k é ∞ 🙂""#)
        let decoded = try JSONSerialization.jsonObject(with: Data(JSONValue.quoted(raw).utf8), options: .fragmentsAllowed) as? String
        XCTAssertEqual(decoded, raw)
    }

    /// Numbers read back to the same Double (shortest round-trip form); NaN and ±∞ are null.
    func testNumbersRoundTrip() throws {
        let numbers = [0.1, 1.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, 123456789012345680.0, -2.5e-7]
        let text = JSONValue(numbers: numbers).text()
        let decoded = try JSONDecoder().decode([Double].self, from: Data(text.utf8))
        XCTAssertEqual(decoded.map(\.bitPattern), numbers.map(\.bitPattern))
        XCTAssertEqual(JSONValue(numbers: [.infinity, -.infinity, .nan]).text(), "[null, null, null]")
    }

    /// The subscript reads a member, replaces it in place, appends a new one, and removes with nil.
    func testSubscriptEditsAnObjectInPlace() {
        var value: JSONValue = ["a": 1, "b": 2]
        XCTAssertEqual(value["b"], 2)
        value["a"] = "one"
        value["c"] = 3
        value["b"] = nil
        XCTAssertEqual(value.text(), #"{"a": "one", "c": 3}"#)
        var number: JSONValue = 1
        number["a"] = 2
        XCTAssertEqual(number, 1)
        XCTAssertNil(number["a"])
    }
}
