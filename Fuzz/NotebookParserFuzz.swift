// libFuzzer entry for the notebook parser (`make fuzz`; built by Fuzz/run.sh, not by SwiftPM).
// Any text must either parse or be refused with a `NotebookError`: a trap, a crash or a hang is a bug.
import Foundation
import NotebookEngine

@_cdecl("LLVMFuzzerTestOneInput")
public func notebookParserFuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    do {
        _ = try NotebookParser().parse(text, path: "Notebooks/fuzz.md")
    } catch is NotebookError {
    } catch {
        preconditionFailure("the parser threw something other than a NotebookError: \(error)")
    }
    return 0
}
