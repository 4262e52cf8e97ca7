/// States one of the notebook's claims as a check, where the claim is made:
///
/// ```swift
/// check("the flow reaches the minimum in setting (a)", gap < 1e-3)
/// ```
///
/// The report shows the claim in place, under its block, as held or failed, and lists every
/// claim of every notebook on the index page: the summary of what reproduced and what did not.
/// A failed claim does not stop the program (the claims after it are still checked), but it
/// fails the notebook: `notebook run` exits 1 and the report says which claim, at which line.
/// Returns whether the claim held.
@discardableResult
public func check(_ claim: String, _ holds: Bool, line: Int = #line) -> Bool {
    NotebookSession.record(.claim(block: NotebookSession.currentBlock, line: line, text: claim, held: holds))
    return holds
}
