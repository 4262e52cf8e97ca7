/// How one of the paper's statements fared in our runs.
///
/// A verdict is a result, not a pass or a fail: a statement that did not reproduce is what the
/// run found, and never fails the notebook (a failed ``check(_:_:line:)`` does).
public enum Verdict: String, Codable, Sendable, CaseIterable {
    case reproduced
    case reproducedWithDifference = "reproduced_with_difference"
    case notReproduced = "not_reproduced"

    /// The verdict of a measured relative difference: reproduced when |difference| ≤
    /// `reproducedWithin`, reproduced with a difference when ≤ `differsWithin`, else (and for NaN)
    /// not reproduced.
    public static func comparing(_ difference: Double, reproducedWithin: Double, differsWithin: Double) -> Verdict {
        guard !difference.isNaN else { return .notReproduced }
        if abs(difference) <= reproducedWithin { return .reproduced }
        if abs(difference) <= differsWithin { return .reproducedWithDifference }
        return .notReproduced
    }

    /// The verdict of a statement that either holds or does not: reproduced, or not reproduced.
    public static func reproduced(if holds: Bool) -> Verdict {
        holds ? .reproduced : .notReproduced
    }

    /// Reproduced when `holds`; else reproduced with a difference when `differs`; else not reproduced.
    public static func reproduced(if holds: Bool, withDifferenceIf differs: Bool) -> Verdict {
        holds ? .reproduced : differs ? .reproducedWithDifference : .notReproduced
    }

    /// The verdict in words, as the reports write it.
    public var words: String {
        switch self {
        case .reproduced: return "reproduced"
        case .reproducedWithDifference: return "reproduced with a difference"
        case .notReproduced: return "not reproduced"
        }
    }
}

/// One of the paper's statements set beside what we measured, with its verdict (computed by the notebook).
/// `statement`: a short label of what is compared ("(c): nuclear norm at the minimum for d ≥ 2");
/// `paper`: what the paper says, quoted, with its section ("§2, Figure 2: “…”");
/// `ours`: what we measured (text built from the run's numbers);
/// `basis`: where the verdict's threshold comes from (the paper's resolution, a solver tolerance).
/// Never fails the notebook. Returns the verdict.
///
/// The report opens with every finding of the run (its "Verdict" section) and shows each in place
/// under its block; the index opens with every notebook's.
@discardableResult
public func finding(_ statement: String, paper: String, ours: String, _ verdict: Verdict, basis: String, line: Int = #line) -> Verdict {
    NotebookSession.record(.finding(
        block: NotebookSession.currentBlock, line: line, statement: statement, paper: paper, ours: ours,
        verdict: verdict, basis: basis))
    return verdict
}

/// A finding the paper does not state: what our runs show beyond it.
public func beyondThePaper(_ statement: String, ours: String, basis: String? = nil, line: Int = #line) {
    NotebookSession.record(.finding(
        block: NotebookSession.currentBlock, line: line, statement: statement, paper: nil, ours: ours,
        verdict: nil, basis: basis))
}

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
