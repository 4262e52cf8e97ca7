import Foundation
import TestSupport
import ImplicitRegularization
import XCTest

/// Inputs that `make fuzz` (libFuzzer over `ProblemFile.decode`, Fuzz/run.sh) found to crash the
/// reader instead of being refused. Each must be refused with a `ProblemFileError`.
///
/// Each input is decoded in a child process (this test binary, running only
/// `testDecodingTheInputOfTheEnvironment`), so an input that still traps fails its own test, with
/// the child's message, instead of ending the whole run.
final class ProblemFileFuzzRegressionTests: XCTestCase {
    /// The child's side: decodes the input (base64) in `PROBLEM_FILE_FUZZ_INPUT` and prints what
    /// happened; without the variable (an ordinary run) it does nothing.
    func testDecodingTheInputOfTheEnvironment() {
        guard let encoded = ProcessInfo.processInfo.environment[Self.inputVariable], let data = Data(base64Encoded: encoded) else { return }
        do {
            _ = try ProblemFile.decode(data, file: "fuzz.json")
            print("\(Self.marker)accepted")
        } catch let error as ProblemFileError {
            print("\(Self.marker)refused: \(error)")
        } catch {
            print("\(Self.marker)threw something other than a ProblemFileError: \(error)")
        }
    }

    /// A `{` and seven bytes that are not UTF-8: Foundation's JSON5 scanner (the reader sets
    /// `allowsJSON5`) traps in `BufferView._decodeScalar` (CodableUtilities.swift:685) reading the key.
    func testBytesThatAreNotUTF8AfterABraceAreRefused() throws {
        try assertRefused(bytes: [0x7B, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    }

    /// An entry's index beyond Int's range: `Int(i)` on 1e300 traps.
    func testAnIndexBeyondIntIsRefused() throws {
        try assertRefused(#"{"kind": "completion", "rows": 3, "cols": 3, "entries": [[1e300, 0, 1]]}"#)
    }

    /// n·n beyond Int's range: the count check `values.count == n * n` overflows.
    func testADimensionWhoseSquareOverflowsIsRefused() throws {
        try assertRefused(#"{"kind": "sensing", "n": 4294967296, "measurements": [[1]], "y": [1]}"#)
    }

    /// A completion problem on 2⁶² rows: the duplicate check's `r * cols + c` overflows.
    func testAHugeCompletionIsRefused() throws {
        try assertRefused(#"{"kind": "completion", "rows": 4611686018427387904, "cols": 4611686018427387904, "entries": [[2, 2, 1]]}"#)
    }

    /// The harness itself: an input the reader refuses passes.
    func testARefusedInputPasses() throws {
        try assertRefused(#"{"n": 1}"#)
    }

    // MARK: - The parent's side

    static let inputVariable = "PROBLEM_FILE_FUZZ_INPUT"
    static let marker = "fuzz-regression-outcome: "

    /// Runs the child on `input` (at most `seconds`) and fails unless it exits normally having
    /// refused the input with a `ProblemFileError`.
    private func assertRefused(_ input: String, seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws {
        try assertRefused(bytes: Array(input.utf8), seconds: seconds, file: file, line: line)
    }

    private func assertRefused(bytes: [UInt8], seconds: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws {
        let input = String(decoding: bytes, as: UTF8.self).debugDescription + " (bytes " + bytes.map { String($0, radix: 16) }.joined(separator: " ") + ")"
        let ran = try ProcessRun.childTest(
            "ImplicitRegularizationTests.ProblemFileFuzzRegressionTests/testDecodingTheInputOfTheEnvironment",
            environment: ["SWIFT_BACKTRACE": "enable=no", Self.inputVariable: Data(bytes).base64EncodedString()], timeout: seconds)
        let text = ran.stdout
        let outcome = text.split(separator: "\n").first { $0.hasPrefix(Self.marker) }.map { String($0.dropFirst(Self.marker.count)) }
        guard ran.exited, let outcome else {
            let tail = text.split(separator: "\n").suffix(6).joined(separator: "\n")
            XCTFail("decoding \(input) crashed or hung (\(ran.exited ? "exit" : "signal") \(ran.status)):\n\(tail)",
                    file: file, line: line)
            return
        }
        XCTAssertTrue(outcome.hasPrefix("refused: "), "decoding \(input): \(outcome)", file: file, line: line)
    }
}
