import Foundation
import XCTest

/// Issue #15: prose whose numbers are computed (`` `{swift} expr` ``), claims stated as checks,
/// prose through pandoc (math as MathML, citations with a bibliography, CommonMark-correct symbols).
final class ComputedProseTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try XCTSkipIf(ProcessInfo.processInfo.environment["PATH"].map { path in
            !path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/pandoc") }
        } ?? true, "pandoc is not installed (make deps installs it)")
    }

    override func tearDown() { scratch.remove() }

    static let notebook = """
        ---
        title: Review
        ---
        # Computed prose

        Before any block: `{swift} 2 + 2`.

        ```swift
        let n = 31350
        let share = 0.5912
        check("n is positive", n > 0)
        check("the share is above 0.6", share > 0.6)
        ```

        We found `{swift} n` instances, `{swift} percent(share)` of them close, a text `{swift} "a_b*c<d>"`, a quote `{swift} "it's \\"x\\" & #1"`.
        The norm $\\|X\\|_*$, as in [@gunasekar2017]. Far from X* the solution X_gd and X* stay literal.

        """

    static let bibliography = """
        @inproceedings{gunasekar2017,
          title = {Implicit Regularization in Matrix Factorization},
          author = {Gunasekar, Suriya and Woodworth, Blake and Bhojanapalli, Srinadh and Neyshabur, Behnam and Srebro, Nathan},
          booktitle = {Advances in Neural Information Processing Systems 30},
          year = {2017}
        }
        """

    func testInlineValuesClaimsMathCitationsAndLiteralSymbols() throws {
        try scratch.write("Notebooks/review.md", Self.notebook)
        try scratch.write("Notebooks/references.bib", Self.bibliography)
        let outcome = try scratch.run(["run", "Notebooks/review.md"])
        XCTAssertEqual(outcome.status, 1, "a failed check fails the notebook: \(outcome.stderr)")
        XCTAssertTrue(outcome.stderr.contains("Notebooks/review.md:12: the check \"the share is above 0.6\" failed"), outcome.stderr)
        let html = try scratch.read("out/review.html")
        XCTAssertTrue(html.contains("Before any block: <span class=\"inline-value\">4</span>"), "evaluated before the first block")
        XCTAssertTrue(html.contains("We found <span class=\"inline-value\">31,350</span> instances, <span class=\"inline-value\">59%</span>"))
        XCTAssertTrue(html.contains("<span class=\"inline-value\">a_b*c&lt;d&gt;</span>"), "a value is text, escaped, never Markdown")
        // Quotes, an ampersand and a hash come out as the value's own characters: escaped once, not curled.
        XCTAssertTrue(html.contains("<span class=\"inline-value\">it's &quot;x&quot; &amp; #1</span>")
                      || html.contains("<span class=\"inline-value\">it's \"x\" &amp; #1</span>"), "a quoted value, escaped once")
        XCTAssertFalse(html.contains("&amp;#39;") || html.contains("&amp;quot;"), "no value is escaped twice")
        XCTAssertTrue(html.contains("<li class=\"held\" id=\"check-1\"><span class=\"verdict\">✓ held</span> n is positive"))
        XCTAssertTrue(html.contains("<li class=\"failed\" id=\"check-2\"><span class=\"verdict\">✗ failed</span> the share is above 0.6"))
        XCTAssertTrue(html.contains("<math display=\"inline\""), "TeX math as MathML")
        XCTAssertTrue(html.contains("Gunasekar et al. 2017"), "the citation")
        XCTAssertTrue(html.contains("id=\"ref-gunasekar2017\""), "the bibliography entry")
        XCTAssertTrue(html.contains("Far from X* the solution X_gd and X* stay literal."), "no emphasis from X* … X*")
        XCTAssertTrue(html.contains("<span class=\"kw\">let</span>"), "Swift highlighted")
        let index = try scratch.read("out/index.html")
        XCTAssertTrue(index.contains("Checks of our numerics: <span class=\"failed\">1 of 2 held"), "the index sums up the checks")
    }

    func testAFailingInlineExpressionFailsAtItsLine() throws {
        try scratch.write("Notebooks/broken.md", "# Broken\n\n```swift\nlet x = 1\n```\n\nThe value `{swift} y + 1` is unknown.\n")
        let outcome = try scratch.run(["run", "Notebooks/broken.md"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("Notebooks/broken.md:7:"), outcome.stderr)
    }
}
