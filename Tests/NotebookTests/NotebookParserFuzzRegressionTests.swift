import Foundation
import TestSupport
import NotebookEngine
import XCTest

/// Inputs that `make fuzz` (libFuzzer over `NotebookParser.parse`, Fuzz/run.sh) found to crash the
/// parser instead of being refused. Each must be refused with a `NotebookError`.
///
/// Each input is parsed in a child process (this test binary, running only
/// `testParsingTheInputOfTheEnvironment`), so an input that still traps fails its own test, with
/// the child's message, instead of ending the whole run.
final class NotebookParserFuzzRegressionTests: XCTestCase {
    /// The child's side: parses the input (base64) in `NOTEBOOK_FUZZ_INPUT` and prints what
    /// happened; without the variable (an ordinary run) it does nothing.
    func testParsingTheInputOfTheEnvironment() {
        guard let encoded = ProcessInfo.processInfo.environment[Self.inputVariable], let data = Data(base64Encoded: encoded) else { return }
        do {
            _ = try NotebookParser().parse(String(decoding: data, as: UTF8.self), path: "Notebooks/fuzz.md")
            print("\(Self.marker)accepted")
        } catch let error as NotebookError {
            print("\(Self.marker)refused: \(error)")
        } catch {
            print("\(Self.marker)threw something other than a NotebookError: \(error)")
        }
    }

    /// A block option that is a bare `=`: its split is empty, and `parts[0]` is out of range.
    func testABareEqualsSignAsABlockOptionIsRefused() throws {
        try assertRefused("```swift =\nlet a = 1\n```\n")
    }

    /// The harness itself: an input the parser refuses passes.
    func testARefusedInputPasses() throws {
        try assertRefused("```swift\nlet a = 1\n")
    }

    // MARK: - The parent's side

    static let inputVariable = "NOTEBOOK_FUZZ_INPUT"
    static let marker = "fuzz-regression-outcome: "

    /// Runs the child on `input` (at most `seconds`) and fails unless it exits normally having
    /// refused the input with a `NotebookError`.
    private func assertRefused(_ input: String, seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws {
        let ran = try ProcessRun.childTest(
            "NotebookTests.NotebookParserFuzzRegressionTests/testParsingTheInputOfTheEnvironment",
            environment: ["SWIFT_BACKTRACE": "enable=no", Self.inputVariable: Data(input.utf8).base64EncodedString()], timeout: seconds)
        let text = ran.stdout
        let outcome = text.split(separator: "\n").first { $0.hasPrefix(Self.marker) }.map { String($0.dropFirst(Self.marker.count)) }
        guard ran.exited, let outcome else {
            let tail = text.split(separator: "\n").suffix(6).joined(separator: "\n")
            XCTFail("parsing \(input) crashed or hung (\(ran.exited ? "exit" : "signal") \(ran.status)):\n\(tail)",
                    file: file, line: line)
            return
        }
        XCTAssertTrue(outcome.hasPrefix("refused: "), "parsing \(input): \(outcome)", file: file, line: line)
    }
}
