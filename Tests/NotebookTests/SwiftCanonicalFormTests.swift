import Foundation
import NotebookEngine
import XCTest

/// What the cache keys read of Swift source: tokens and line breaks, never comments or layout.
final class SwiftCanonicalFormTests: XCTestCase {
    func form(_ text: String) -> String {
        String(decoding: SwiftCanonicalForm.of(Array(text.utf8)), as: UTF8.self)
    }

    func testCommentsIndentationAndBlankLinesAreNotMeaning() {
        let plain = "public func square(_ x: Int) -> Int {\n    x * x\n}\n"
        let commented = """
            /// The square of `x`.
            ///
            /// - Parameter x: any integer.
            public func square(_ x: Int) -> Int {   // trailing words
                /* a block /* nested */ comment */ x * x


            }
            """
        XCTAssertEqual(form(plain), "public func square(_ x: Int) -> Int {\nx * x\n}")
        XCTAssertEqual(form(commented), form(plain))
        XCTAssertEqual(form("let a = 1\t\t+  2"), "let a = 1 + 2")
    }

    func testCodeAndWhitespaceThatSwiftReadsAreMeaning() {
        XCTAssertNotEqual(form("x * x"), form("x * x + 1"))
        // Whether a space separates two tokens decides an operator's fixity, and a comment separates.
        XCTAssertNotEqual(form("a - b"), form("a -b"))
        XCTAssertEqual(form("a/**/b"), "a b")
        // A line break ends a statement: `return` then `x` on the next line returns nothing.
        XCTAssertNotEqual(form("return\nx"), form("return x"))
        XCTAssertEqual(form("return /* two\nlines */ x"), "return\nx")
    }

    func testStringLiteralsAreKeptByteForByte() {
        // Comment markers and runs of spaces inside strings are text, not comments or layout.
        XCTAssertEqual(form("let s = \"a  // not a comment\" // a comment"), "let s = \"a  // not a comment\"")
        XCTAssertEqual(form("let s = \"/* kept */\""), "let s = \"/* kept */\"")
        XCTAssertNotEqual(form("print(\"a  b\")"), form("print(\"a b\")"))
        XCTAssertEqual(form("let s = \"q\\\"  // still text\""), "let s = \"q\\\"  // still text\"")
        XCTAssertEqual(form("let r = #\"a \" // raw\"# // gone"), "let r = #\"a \" // raw\"#")
        XCTAssertEqual(form("let m = \"\"\"\n  one // kept\n    two\n  \"\"\"  // gone"), "let m = \"\"\"\n  one // kept\n    two\n  \"\"\"")
        XCTAssertEqual(form("print(\"v = \\(f(\"x  y\"))  // in\") // out"), "print(\"v = \\(f(\"x  y\"))  // in\")")
    }
}
