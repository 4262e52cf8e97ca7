import Foundation
import NotebookEngine
import XCTest

/// A front matter or `notebook.yml` nested deeper than any real one is refused with a line, before
/// the YAML composer, which recurses once per level, can exhaust the stack (5,000 nested `[` in
/// 10 KB had killed `notebook run` and `notebook preview` with SIGSEGV).
final class YAMLBoundsTests: XCTestCase {
    func testDeeplyNestedFrontMatterIsRefusedAtItsLine() {
        for (name, value) in [
            ("flow sequences", String(repeating: "[", count: 5_000)),
            ("flow mappings", String(repeating: "{a: ", count: 5_000)),
            ("block sequences", "\n" + String(repeating: "- ", count: 5_000) + "x"),
        ] {
            let text = "---\ntitle: x\ndescription: \(value)\n---\n# x\n"
            XCTAssertThrowsError(try NotebookParser().parse(text, path: "n.md"), name) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("n.md:\(name == "block sequences" ? 4 : 3): error: front matter: nested more than 32 levels deep"), "\(name): \(message)")
            }
        }
    }

    func testAnOversizedFrontMatterIsRefused() {
        let text = "---\ntitle: x\ndescription: \"" + String(repeating: "a", count: 70_000) + "\"\n---\n"
        XCTAssertThrowsError(try NotebookParser().parse(text, path: "n.md")) { error in
            XCTAssertTrue("\(error)".hasPrefix("n.md:2: error: front matter: longer than 64 KiB"), "\(error)")
        }
    }

    /// Nesting a real front matter might use, brackets inside quoted text and comments, all pass.
    func testOrdinaryNestingStillParses() throws {
        let brackets = String(repeating: "[", count: 100)
        let text = """
            ---
            title: "Brackets \(brackets) in a title"
            description: '\(brackets) and {{ in single quotes'
            inputs: [a.tsv, b.tsv]  # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ a comment
            parameters:
              quick: false
              depth: 3
            ---
            # x

            """
        let document = try NotebookParser().parse(text, path: "n.md")
        XCTAssertEqual(document.title, "Brackets \(brackets) in a title")
        XCTAssertEqual(document.parameters.map(\.name).sorted(), ["depth", "quick"])
    }

    func testADeeplyNestedProjectFileIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-bounds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(("kernel:\n  package: .\n  products: " + String(repeating: "[", count: 5_000) + "\n").utf8)
            .write(to: folder.appendingPathComponent("notebook.yml"))
        XCTAssertThrowsError(try KernelDeclaration.projectFile(above: folder)) { error in
            XCTAssertTrue("\(error)".hasSuffix("notebook.yml:3: error: nested more than 32 levels deep"), "\(error)")
        }
    }
}
