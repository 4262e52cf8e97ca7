/// A check of our own numerics, where it is made:
///
/// ```swift
/// check("every minimum is certified to 1e-8", gaps.allSatisfy { $0 < 1e-8 })
/// ```
///
/// A check guards the computation (a solver's certificate, a tolerance met), not the paper: how
/// one of the paper's statements fared is a ``finding(_:paper:ours:_:basis:line:)``, whose verdict
/// never fails the notebook. The report shows the check in place, under its block, as held or
/// failed, and counts the checks ("Checks of our numerics: N of M held"), as the index does.
/// A failed check does not stop the program (the checks after it still run), but it fails the
/// notebook: `notebook run` exits 1 and the report says which check, at which line.
/// Returns whether the check held.
@discardableResult
public func check(_ claim: String, _ holds: Bool, line: Int = #line) -> Bool {
    NotebookSession.record(.claim(block: NotebookSession.currentBlock, line: line, text: claim, held: holds))
    return holds
}
