import NotebookEngine
import NotebookRuntime
import XCTest

final class NotebookParserTests: XCTestCase {
    func testBlocksKeepTheirLinesAndOtherFencesStayProse() throws {
        let text = """
        ---
        title: Parsed
        parameters:
          seeds: 3
          alpha: 1e-4
          label: "three"
          quick: false
        inputs: [data/ml-100k]
        ---
        # Heading

        ````markdown
        ```swift
        not a block
        ```
        ````

        ```swift
        let a = 1
        ```

        ~~~gnuplot data=a,b figure=fig caption="two words" size=640,480
        plot $a
        ~~~
        """
        let document = try NotebookParser().parse(text, path: "Notebooks/p.md")
        XCTAssertEqual(document.title, "Parsed")
        XCTAssertEqual(document.parameters.map(\.name), ["seeds", "alpha", "label", "quick"])
        XCTAssertEqual(document.parameters.map(\.value), [.integer(3), .real(1e-4), .text("three"), .boolean(false)])
        XCTAssertEqual(document.inputs, ["data/ml-100k"])
        XCTAssertEqual(document.swiftBlocks.count, 1)
        XCTAssertEqual(document.swiftBlocks[0].fenceLine, 18)
        XCTAssertEqual(document.swiftBlocks[0].code, "let a = 1")
        let plot = try XCTUnwrap(document.gnuplotBlocks.first)
        XCTAssertEqual(plot.fenceLine, 22)
        XCTAssertEqual(plot.data, ["a", "b"])
        XCTAssertEqual(plot.caption, "two words")
        XCTAssertEqual(plot.size.width, 640)
        guard case .prose(let prose) = document.segments[0] else { return XCTFail("prose first") }
        XCTAssertTrue(prose.text.contains("not a block"))
    }

    func testFrontMatterErrorsNameTheirLine() {
        XCTAssertThrowsError(try NotebookParser().parse("---\ntitle: x\ncolour: red\n---\n", path: "n.md")) { error in
            XCTAssertEqual("\(error)", "n.md:3: error: front matter: unknown key 'colour' (known: title, parameters, timeout, inputs, kernel, executor, verify, author, date, description)")
        }
        XCTAssertThrowsError(try NotebookParser().parse("# x\n\n~~~swift\nlet a = 1\n", path: "n.md")) { error in
            XCTAssertEqual(error as? NotebookError, .unterminatedFence(path: "n.md", line: 3, fence: "~~~swift"))
        }
    }

    /// A notebook that lists another in `inputs` runs after it, whatever the order given.
    func testNotebooksRunAfterTheNotebooksTheyRead() throws {
        let parser = NotebookParser()
        let reader = try parser.parse("---\ninputs: [Notebooks/figure1.md]\n---\n", path: "Notebooks/figure2.md")
        let writer = try parser.parse("# one\n", path: "Notebooks/figure1.md")
        let other = try parser.parse("# other\n", path: "Notebooks/commutative.md")
        XCTAssertEqual(NotebookRunner.dependencyOrder([reader, other, writer]).map(\.stem), ["figure1", "figure2", "commutative"])
    }
}
