// libFuzzer entry for the problem-file reader (`make fuzz`; built by Fuzz/run.sh, not by SwiftPM).
// Any input must either decode or be refused with a thrown error: a trap, a crash, an exhausted
// memory limit or a hang is a bug. A problem that decodes must also survive `ProblemFile.encode`
// and decode again with the same dimension and count.
import Foundation
import ImplicitRegularization

/// `FUZZ_UTF8_ONLY=1` skips inputs that are not UTF-8, to explore past Foundation's JSON5 scanner
/// trapping on them (found by the first run; see Tests/ImplicitRegularizationTests/ProblemFileFuzzRegressionTests.swift).
let utf8Only = ProcessInfo.processInfo.environment["FUZZ_UTF8_ONLY"] == "1"

@_cdecl("LLVMFuzzerTestOneInput")
public func problemFileFuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    if utf8Only && String(validating: bytes, as: UTF8.self) == nil { return 0 }
    let data = Data(bytes)
    guard let problem = try? ProblemFile.decode(data, file: "fuzz.json") else { return 0 }
    let text = ProblemFile.encode(problem)
    do {
        let again = try ProblemFile.decode(Data(text.utf8), file: "fuzz-round-trip.json")
        precondition(again.dimension == problem.dimension && again.count == problem.count,
                     "round trip changed the problem's shape")
    } catch {
        preconditionFailure("a decoded problem, encoded, is refused: \(error)\n\(text)")
    }
    return 0
}
