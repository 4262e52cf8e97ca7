import Foundation
import NotebookEngine
import NotebookRuntime
import XCTest

/// Findings (`finding`, `beyondThePaper`) apart from checks of our numerics (`check`): a finding
/// that does not reproduce is a result, shown with its verdict in words and never as a held tick,
/// and never fails the notebook; a failed check still does. The report opens with its verdict, the
/// index with the whole answer; both survive block-level resumption and reach the export.
final class FindingTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Notebooks/findings.md", Self.notebook)
    }

    override func tearDown() { scratch.remove() }

    /// Two findings (the first reproduced, the second not), one beyond the paper, one held check;
    /// a wide table (folded under its block), standard error, a long output line and a long inline formula.
    static let notebook = """
        ---
        title: Findings
        ---
        # Findings

        The notebook's own prose.

        ```swift
        let measured = 0.02
        finding("(a): the gap at d = 2", paper: "§2: “the gap is zero”", ours: "gap \\(measured)",
                Verdict.comparing(measured, reproducedWithin: 0.05, differsWithin: 0.1), basis: "the paper's resolution, 5%")
        check("the gap is finite", measured.isFinite)
        var wide = Table("wide", columns: (1...14).map { "column_\\($0)" })
        wide.append(row: (1...14).map { Double($0) + 0.123456789 })
        wide.emit()
        FileHandle.standardError.write("a notice on standard error: STDERRMARK\\n".data(using: .utf8)!)
        print(String(repeating: "long-output-line-without-breaks-", count: 12))
        ```

        More prose, with a formula wider than a phone: $x_1 + x_2 + x_3 + x_4 + x_5 + x_6 + x_7 + x_8 + x_9 + x_{10} + x_{11} + x_{12} + x_{13} + x_{14} + x_{15} + x_{16}$.

        ```swift
        let second = 0.9
        finding("(c): nuclear norm at the minimum", paper: "§3: “the minimum nuclear norm”", ours: "off by \\(second)",
                Verdict.comparing(second, reproducedWithin: 0.05, differsWithin: 0.1), basis: "solver tolerance 1e-8")
        beyondThePaper("the limit is greedy low-rank learning's", ours: "every instance agrees", basis: "1e-6")
        print("second block")
        ```

        ```swift
        print("third block: last")
        ```

        """

    func testVerdictComparing() {
        XCTAssertEqual(Verdict.comparing(0.01, reproducedWithin: 0.05, differsWithin: 0.1), .reproduced)
        XCTAssertEqual(Verdict.comparing(-0.05, reproducedWithin: 0.05, differsWithin: 0.1), .reproduced)
        XCTAssertEqual(Verdict.comparing(-0.08, reproducedWithin: 0.05, differsWithin: 0.1), .reproducedWithDifference)
        XCTAssertEqual(Verdict.comparing(0.2, reproducedWithin: 0.05, differsWithin: 0.1), .notReproduced)
        XCTAssertEqual(Verdict.comparing(.infinity, reproducedWithin: 0.05, differsWithin: 0.1), .notReproduced)
        XCTAssertEqual(Verdict.comparing(.nan, reproducedWithin: 0.05, differsWithin: 0.1), .notReproduced)
        XCTAssertEqual(Verdict.reproducedWithDifference.rawValue, "reproduced_with_difference")
        XCTAssertEqual(Verdict.notReproduced.rawValue, "not_reproduced")
        XCTAssertEqual(Verdict.reproduced(if: true), .reproduced)
        XCTAssertEqual(Verdict.reproduced(if: false), .notReproduced)
        XCTAssertEqual(Verdict.reproduced(if: true, withDifferenceIf: false), .reproduced)
        XCTAssertEqual(Verdict.reproduced(if: false, withDifferenceIf: true), .reproducedWithDifference)
        XCTAssertEqual(Verdict.reproduced(if: false, withDifferenceIf: false), .notReproduced)
    }

    /// Records and manifests written before findings decode (the field is absent).
    func testOldRecordsDecode() throws {
        let record = """
            {"key": "k", "blocks": [], "tables": [], "compileSeconds": 0, "runSeconds": 0, "commit": "c",
             "toolchain": "t", "finished": 0, "claims": [{"block": 0, "line": 3, "text": "x", "held": true}]}
            """
        let decoded = try JSONDecoder().decode(ExecutionRecord.self, from: Data(record.utf8))
        XCTAssertNil(decoded.findings)
        XCTAssertEqual(decoded.claims?.count, 1)
        let finding = FindingRecord(block: 0, line: 4, statement: "s", paper: nil, ours: "o", verdict: nil, basis: nil)
        XCTAssertEqual(try JSONDecoder().decode(FindingRecord.self, from: JSONEncoder().encode(finding)), finding)
        XCTAssertTrue(finding.isBeyondThePaper)
    }

    /// The text of `html` from `start` on, tags removed, spaces collapsed.
    static func text(_ html: Substring) -> String {
        html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    /// The table rows (`<tr class="finding …">`) of `html`, each as its text.
    static func findingRows(_ html: String) -> [(verdictClass: String, text: String)] {
        let pattern = try! NSRegularExpression(pattern: "<tr class=\"finding ([a-z-]+)\">(.*?)</tr>", options: [.dotMatchesLineSeparators])
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { match in
            (String(html[Range(match.range(at: 1), in: html)!]), text(html[Range(match.range(at: 2), in: html)!]))
        }
    }

    func testTheReportOpensWithItsVerdictAndANotReproducedFindingDoesNotFail() throws {
        let outcome = try scratch.run(["run", "Notebooks/findings.md"])
        XCTAssertEqual(outcome.status, 0, "a finding not reproduced is a result, not a failure: \(outcome.stderr)")
        XCTAssertTrue(outcome.stderr.contains(
            "findings: 1 reproduced · 0 reproduced with a difference · 1 not reproduced; 1 beyond the paper; checks of our numerics: 1 of 1 held"),
            outcome.stderr)
        XCTAssertFalse(outcome.stderr.contains("FAILED"), outcome.stderr)

        let html = try scratch.read("out/findings.html")
        // The first thing after the h1 is the verdict section, before the notebook's own prose.
        let h1 = try XCTUnwrap(html.range(of: "</h1>"))
        XCTAssertTrue(html[h1.upperBound...].hasPrefix("</div><section class=\"verdict\" id=\"verdict\"><h2>Verdict</h2>"),
                      String(html[h1.upperBound...].prefix(200)))
        let verdict = try XCTUnwrap(html.range(of: "<section class=\"verdict\""))
        let verdictEnd = try XCTUnwrap(html.range(of: "</section>", range: verdict.upperBound..<html.endIndex))
        XCTAssertLessThan(verdictEnd.upperBound, try XCTUnwrap(html.range(of: "own prose.")).lowerBound)
        let section = String(html[verdict.lowerBound..<verdictEnd.upperBound])
        XCTAssertTrue(Self.text(section[...]).contains("1 reproduced · 0 reproduced with a difference · 1 not reproduced"), Self.text(section[...]))
        XCTAssertTrue(section.contains("<th>Statement</th><th>The paper</th><th>Ours</th><th>Verdict</th>"))
        let rows = Self.findingRows(section)
        XCTAssertEqual(rows.map(\.verdictClass), ["reproduced", "not-reproduced"], "the two findings, in order")
        XCTAssertTrue(rows[0].text.contains("(a): the gap at d = 2 §2: “the gap is zero” gap 0.02 reproduced"), rows[0].text)
        XCTAssertTrue(rows[1].text.contains("(c): nuclear norm at the minimum §3: “the minimum nuclear norm” off by 0.9 not reproduced"), rows[1].text)
        for row in rows { XCTAssertFalse(row.text.contains("held") || row.text.contains("✓"), row.text) }
        XCTAssertTrue(section.contains("Basis: solver tolerance 1e-8"))
        XCTAssertTrue(section.contains("<h3>Beyond the paper</h3>"))
        XCTAssertTrue(Self.text(section[...]).contains("the limit is greedy low-rank learning's : every instance agrees")
            || Self.text(section[...]).contains("the limit is greedy low-rank learning&#39;s : every instance agrees"), Self.text(section[...]))
        XCTAssertTrue(Self.text(section[...]).contains("Checks of our numerics: 1 of 1 held"), Self.text(section[...]))
        XCTAssertTrue(section.contains("href=\"#finding-2\""), "each row links to its finding in place")

        // In place: the findings under their blocks with the same badges; the check under "check".
        XCTAssertTrue(html.contains("id=\"finding-2\""))
        let block1 = scratch.section(html, block: 1)
        XCTAssertTrue(block1.contains("reproduced") && block1.contains("(a): the gap at d = 2"), block1)
        XCTAssertTrue(block1.contains("check of our numerics") && block1.contains("✓ held") && block1.contains("the gap is finite"), block1)
        let block2 = scratch.section(html, block: 2)
        XCTAssertTrue(block2.contains("not reproduced") && block2.contains("(c): nuclear norm at the minimum"), block2)
        XCTAssertFalse(block2.contains("held") || block2.contains("✓"), "no tick on a finding: \(block2)")
        XCTAssertTrue(block2.contains("finding beyond the paper"), block2)
        // The header says checks and findings apart.
        XCTAssertTrue(html.contains("Findings: 1 reproduced · 0 reproduced with a difference · 1 not reproduced · 1 beyond the paper. Checks of our numerics: 1 of 1 held."))
        XCTAssertFalse(html.contains("Claims:"))

        // The index opens with the whole answer.
        let index = try scratch.read("out/index.html")
        let title = try XCTUnwrap(index.range(of: "</h1>"))
        XCTAssertTrue(index[title.upperBound...].hasPrefix("<section class=\"answer\" id=\"answer\">"), String(index[title.upperBound...].prefix(200)))
        let answerEnd = try XCTUnwrap(index.range(of: "</section>", range: title.upperBound..<index.endIndex))
        let answer = String(index[title.upperBound..<answerEnd.upperBound])
        XCTAssertTrue(Self.text(answer[...]).contains("1 reproduced · 0 reproduced with a difference · 1 not reproduced"), Self.text(answer[...]))
        XCTAssertTrue(answer.contains("<tr class=\"group\"><th colspan=\"4\"><a href=\"findings.html\">Findings</a>"), answer)
        let indexRows = Self.findingRows(answer)
        XCTAssertEqual(indexRows.map(\.verdictClass), ["reproduced", "not-reproduced"])
        XCTAssertFalse(indexRows[1].text.contains("held") || indexRows[1].text.contains("✓"), indexRows[1].text)
        XCTAssertTrue(answer.contains("href=\"findings.html#finding-2\""))
        XCTAssertTrue(answer.contains("<h2>Findings beyond the paper</h2>"))
        XCTAssertTrue(Self.text(answer[...]).contains("Checks of our numerics: 1 of 1 held"))
        XCTAssertTrue(answer.contains("<details class=\"held-checks\">"), "the held checks folded")
        XCTAssertFalse(answer.contains("failed-checks"))
        XCTAssertTrue(index.contains("Findings: 1 reproduced · 1 not reproduced · 1 beyond the paper"), "the card's counts")
        XCTAssertTrue(index.contains("checks of our numerics: 1 of 1 held"), "the card's checks")
        XCTAssertLessThan(answerEnd.upperBound, try XCTUnwrap(index.range(of: "class=\"grid\"")).lowerBound, "the answer before the cards")
    }

    func testAFailedCheckStillFailsTheNotebookAndStandsOut() throws {
        try scratch.edit("Notebooks/findings.md") {
            $0.replacingOccurrences(of: "check(\"the gap is finite\", measured.isFinite)", with: "check(\"the gap is negative\", measured < 0)")
        }
        let outcome = try scratch.run(["run", "Notebooks/findings.md"])
        XCTAssertEqual(outcome.status, 1, outcome.stderr)
        XCTAssertTrue(outcome.stderr.contains("FAILED: Notebooks/findings.md:12: the check \"the gap is negative\" failed"), outcome.stderr)
        let html = try scratch.read("out/findings.html")
        XCTAssertTrue(html.contains("<li class=\"failed\" id=\"check-1\"><span class=\"verdict\">✗ failed</span> the gap is negative"))
        XCTAssertTrue(Self.text(html[...]).contains("Checks of our numerics: 0 of 1 held"))
        let index = try scratch.read("out/index.html")
        XCTAssertTrue(index.contains("<ul class=\"claims failed-checks\"><li class=\"failed\"><span class=\"verdict\">✗ failed</span>"), "a failed check stands out on the index")
        XCTAssertFalse(index.contains("<details class=\"held-checks\">"), "nothing held to fold")
    }

    func testAResumedRunKeepsTheEarlierBlocksFindings() throws {
        XCTAssertEqual(try scratch.run(["run", "Notebooks/findings.md"]).status, 0)
        try scratch.edit("Notebooks/findings.md") { $0.replacingOccurrences(of: "third block: last", with: "third block, edited") }
        let resumed = try scratch.run(["run", "Notebooks/findings.md"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("restored blocks 1–2 from the run of"), resumed.stderr)
        let html = try scratch.read("out/findings.html")
        XCTAssertTrue(scratch.section(html, block: 3).contains("third block, edited"))
        XCTAssertEqual(Self.findingRows(html).map(\.verdictClass), ["reproduced", "not-reproduced"], "the restored blocks' findings")
        XCTAssertTrue(html.contains("the limit is greedy low-rank learning"))
        XCTAssertTrue(Self.text(html[...]).contains("Checks of our numerics: 1 of 1 held"))
        let index = try scratch.read("out/index.html")
        XCTAssertTrue(index.contains("Findings: 1 reproduced · 1 not reproduced · 1 beyond the paper"), "the index keeps them")
        // And the cached re-run, too.
        let cached = try scratch.run(["run", "Notebooks/findings.md"])
        XCTAssertTrue(cached.stderr.contains("unchanged: nothing ran"), cached.stderr)
        XCTAssertEqual(Self.findingRows(try scratch.read("out/findings.html")).count, 2)
    }

    func testTheExportCarriesTheFindings() throws {
        let outcome = try scratch.run(exactly: ["export", "--ipynb", "Notebooks/findings.md", "--out", "jupyter", "--reports", "out", "--cache", "cache"])
        XCTAssertEqual(outcome.status, 0, outcome.stderr)
        let notebook = try XCTUnwrap(try JSONSerialization.jsonObject(with: try scratch.data("jupyter/findings.ipynb")) as? [String: Any])
        let cells = try XCTUnwrap(notebook["cells"] as? [[String: Any]])
        let text = { (cell: [String: Any], key: String) in ((cell[key] as? [String]) ?? []).joined() }
        let header = text(cells[0], "source")
        XCTAssertTrue(header.contains("**Verdict**: 1 reproduced · 0 reproduced with a difference · 1 not reproduced."), header)
        XCTAssertTrue(header.contains("| Statement | The paper | Ours | Verdict |"), header)
        XCTAssertTrue(header.contains("**not reproduced** (basis: solver tolerance 1e-8)"), header)
        XCTAssertTrue(header.contains("**beyond the paper**"), header)
        XCTAssertTrue(header.contains("Checks of our numerics: 1 of 1 held."), header)
        let code = cells.filter { $0["cell_type"] as? String == "code" }
        let plain = { (cell: [String: Any]) in
            ((cell["outputs"] as? [[String: Any]]) ?? []).compactMap { $0["data"] as? [String: Any] }.map { text($0, "text/plain") }
        }
        XCTAssertTrue(plain(code[0]).contains { $0.hasPrefix("reproduced: (a): the gap at d = 2 — the paper: §2: “the gap is zero”; ours: gap 0.02") }, "\(plain(code[0]))")
        XCTAssertTrue(plain(code[0]).contains("✓ held: the gap is finite (line 12)"), "\(plain(code[0]))")
        XCTAssertTrue(plain(code[1]).contains { $0.contains("not reproduced: (c): nuclear norm at the minimum") && $0.contains("beyond the paper: the limit") }, "\(plain(code[1]))")
    }

    // MARK: Print and phone width

    static func chromium() throws -> URL {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(BrowserRenderingTests.find).first else {
            throw XCTSkip("headless Chromium is needed for this test: run `make deps` (Debian package chromium)")
        }
        return chromium
    }

    static func browse(_ chromium: URL, _ arguments: [String]) throws -> String {
        let browser = Process()
        browser.executableURL = chromium
        browser.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1"] + arguments
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        browser.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Chromium's print of a report holds what the screen folds: the table's cells (a `<details>`
    /// closed on screen), the code listing and the standard error.
    func testAPrintedReportHoldsItsFoldedTablesCodeAndStandardError() throws {
        let chromium = try Self.chromium()
        guard let pdftotext = BrowserRenderingTests.find("pdftotext") else {
            throw XCTSkip("pdftotext is needed for this test: run `make deps` (Debian package poppler-utils)")
        }
        XCTAssertEqual(try scratch.run(["run", "Notebooks/findings.md"]).status, 0)
        let html = try scratch.read("out/findings.html")
        XCTAssertTrue(html.contains("<details class=\"table\">"), "the table is folded on screen")
        let pdf = scratch.folder.appendingPathComponent("report.pdf")
        _ = try Self.browse(chromium, ["--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)",
                                       scratch.folder.appendingPathComponent("out/findings.html").absoluteString])
        XCTAssertTrue(FileManager.default.fileExists(atPath: pdf.path), "chromium printed no PDF")
        let text = Process()
        text.executableURL = pdftotext
        text.arguments = [pdf.path, "-"]
        let output = Pipe()
        text.standardOutput = output
        try text.run()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        text.waitUntilExit()
        XCTAssertTrue(printed.contains("column_1"), "the folded table's header")
        XCTAssertTrue(printed.contains("1.12346"), "the folded table's cell: \(printed.prefix(3000))")
        XCTAssertTrue(printed.contains("STDERRMARK"), "the folded standard error")
        XCTAssertTrue(printed.contains("reproducedWithin"), "the folded code listing")
        XCTAssertTrue(printed.contains("off by 0.9"), "the verdict table")
    }

    /// At a phone's 375 px nothing makes the page scroll sideways (wide tables, code and output
    /// scroll in their boxes, figures scale): measured in a copy of the page, framed 375 px wide,
    /// by a script in the frame's parent (the reports themselves stay script-free).
    func testTheReportAndTheIndexFitAPhonesWidth() throws {
        let chromium = try Self.chromium()
        XCTAssertEqual(try scratch.run(["run", "Notebooks/findings.md", "Notebooks/cells.md"]).status, 0)
        for page in ["findings.html", "cells.html", "index.html"] {
            let html = try scratch.read("out/\(page)")
            XCTAssertFalse(html.contains("<script"), "\(page) is script-free")
            let probe = """
                <html><body><iframe id="f" style="width:375px;height:800px;border:0" srcdoc="\(html.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;"))"></iframe>
                <script>window.onload = function () { var d = document.getElementById("f").contentDocument;
                document.body.setAttribute("data-probe", d.scrollingElement.scrollWidth + "/" + d.documentElement.clientWidth) }</script></body></html>
                """
            let file = scratch.folder.appendingPathComponent("out/probe-\(page)")
            try Data(probe.utf8).write(to: file)
            let dom = try Self.browse(chromium, ["--window-size=800,900", "--dump-dom", file.absoluteString])
            let measured = try XCTUnwrap(dom.range(of: "data-probe=\"([0-9]+)/([0-9]+)\"", options: .regularExpression).map { String(dom[$0]) }, dom.suffix(300).description)
            let numbers = measured.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            XCTAssertEqual(numbers.count, 2, measured)
            XCTAssertEqual(numbers.last, 375, "the frame is a phone's width")
            XCTAssertLessThanOrEqual(numbers.first ?? .max, 375, "\(page) scrolls sideways at 375 px: \(measured)")
        }
    }
}
