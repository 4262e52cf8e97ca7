import Foundation
import NotebookEngine
import XCTest

/// A package of the user's own as the kernel: a fresh SwiftPM package with a small library and a
/// notebook importing it, rendered by the built `notebook` from inside that package.
final class KernelPackageTests: XCTestCase {
    var scratch: NotebookProcess!

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Package.swift", """
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(
                name: "Squares",
                products: [.library(name: "Squares", targets: ["Squares"])],
                targets: [.target(name: "Squares")]
            )

            """)
        try scratch.write("Sources/Squares/Squares.swift", Self.library)
        try scratch.write("notebook.yml", "kernel:\n  package: .\n  products: [Squares]\n")
        try scratch.write("Notebooks/squares.md", """
            ---
            title: Squares from a package
            ---
            ```swift
            let answer = square(12)
            print("square(12) = \\(answer)")
            print("state in \\(NotebookSession.cacheFolder.path)")
            check("the library's square is above 143", answer > 143)
            ```

            The square is `{swift} answer`.

            """)
    }

    override func tearDown() {
        scratch.remove()
    }

    static let library = """
        /// The square of `x`.
        public func square(_ x: Int) -> Int {
            x * x
        }

        """

    func testAPackageOfOnesOwnIsTheKernelAndItsCacheFollowsMeaning() throws {
        let first = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("building the kernel (\(scratch.folder.lastPathComponent): Squares)"), first.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/squares.html"), block: 1).contains("square(12) = 144"))
        XCTAssertTrue(
            scratch.section(try scratch.read("out/squares.html"), block: 1).contains("state in \(scratch.folder.path)/cache/squares/state"),
            "the notebook's own state lives under --cache")
        let prose = try scratch.read("out/squares.html").replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        XCTAssertTrue(prose.contains("The square is 144"), "the prose's inline value")

        // Documentation, comments and layout of the library: nothing runs.
        try scratch.write("Sources/Squares/Squares.swift", """
            // Squares, for the test.

            /// The square of `x`: `x` times itself (overflow traps).
            public func square(_ x: Int) -> Int {
                    x * x   // the product
            }

            """)
        let commented = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertEqual(commented.status, 0, commented.stderr)
        XCTAssertTrue(commented.stderr.contains("unchanged: nothing ran"), commented.stderr)
        XCTAssertFalse(commented.stderr.contains("building the kernel"), commented.stderr)

        // A comment in the notebook's block: nothing runs either.
        try scratch.edit("Notebooks/squares.md") { $0.replacingOccurrences(of: "let answer = square(12)", with: "let answer = square(12)  // the library's") }
        let blockComment = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertTrue(blockComment.stderr.contains("unchanged: nothing ran"), blockComment.stderr)

        // Code: the kernel is rebuilt and the notebook runs again, with the new result.
        try scratch.write("Sources/Squares/Squares.swift", Self.library.replacingOccurrences(of: "x * x", with: "x * x + 1"))
        let changed = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertEqual(changed.status, 0, changed.stderr)
        XCTAssertTrue(changed.stderr.contains("ran 1 Swift block"), changed.stderr)
        XCTAssertTrue(changed.stderr.contains("building the kernel"), changed.stderr)
        XCTAssertFalse(changed.stderr.contains("restored"), "a changed kernel changes every block's key: nothing is restored")
        let html = try scratch.read("out/squares.html")
        XCTAssertTrue(scratch.section(html, block: 1).contains("square(12) = 145"), scratch.section(html, block: 1))

        // A new source file in the package, whose function the notebook calls: compiled into the kernel
        // (SwiftPM's cached build plan of a path dependency does not see new files).
        try scratch.write("Sources/Squares/Cubes.swift", "public func cube(_ x: Int) -> Int { x * x * x }\n")
        let notebook = try scratch.read("Notebooks/squares.md")
        try scratch.write("Notebooks/squares.md", notebook.replacingOccurrences(of: "let answer = square(12)", with: "let answer = square(12)\nprint(\"cube(3) = \\(cube(3))\")"))
        let added = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertEqual(added.status, 0, added.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/squares.html"), block: 1).contains("cube(3) = 27"))

        // An environment variable the kernel declares is part of the key: a run under one value is
        // never served under another (as OPENBLAS_CORETYPE's kernels give other round-off).
        try scratch.write("notebook.yml", "kernel:\n  package: .\n  products: [Squares]\n  environment: [SQUARES_MODE]\n")
        let modeA = try scratch.run(["run", "Notebooks/squares.md"], environment: ["SQUARES_MODE": "a"])
        XCTAssertTrue(modeA.stderr.contains("ran 1 Swift block"), modeA.stderr)
        let modeAAgain = try scratch.run(["run", "Notebooks/squares.md"], environment: ["SQUARES_MODE": "a"])
        XCTAssertTrue(modeAAgain.stderr.contains("unchanged: nothing ran"), modeAAgain.stderr)
        let modeB = try scratch.run(["run", "Notebooks/squares.md"], environment: ["SQUARES_MODE": "b"])
        XCTAssertTrue(modeB.stderr.contains("ran 1 Swift block"), modeB.stderr)
        XCTAssertFalse(modeB.stderr.contains("unchanged"), modeB.stderr)
    }

    /// A notebook inside a package that declares no kernel (no `notebook.yml`, no `kernel:`) runs in
    /// that package with all its library products (it failed with "no such module 'Squares'").
    func testAPackageThatDeclaresNoKernelIsItsOwnKernel() throws {
        try FileManager.default.removeItem(at: scratch.folder.appendingPathComponent("notebook.yml"))
        let run = try scratch.run(["run", "Notebooks/squares.md"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("building the kernel (\(scratch.folder.lastPathComponent): Squares)"), run.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/squares.html"), block: 1).contains("square(12) = 144"))
        // A package with no library product: the runtime alone, and the log says why.
        try scratch.write("Package.swift", """
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(name: "Tool", targets: [.executableTarget(name: "Tool")])

            """)
        try scratch.write("Sources/Tool/main.swift", "print(1)\n")
        try scratch.write("Notebooks/plain.md", "---\ntitle: Plain\n---\n```swift\nprint(\"six = \\(2 * 3)\")\n```\n")
        let plain = try scratch.run(["run", "Notebooks/plain.md"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stderr.contains("Package.swift has no library product: the blocks import the notebook runtime alone"), plain.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/plain.html"), block: 1).contains("six = 6"))
    }

    /// One invocation prepares (reads and digests) each kernel once, so every notebook and index entry
    /// of a run is keyed by one digest; ``PreparedKernels/forget()`` (the preview, before each run
    /// after an edit) prepares it again from the sources as they are.
    func testAKernelIsPreparedOncePerInvocationAndAgainAfterForget() throws {
        let toolchain = try NotebookToolchain.locate()
        let kernels = PreparedKernels()
        let declaration = try XCTUnwrap(KernelDeclaration.projectFile(above: scratch.folder.appendingPathComponent("Notebooks")))
        let first = try kernels.kernel(declaration, toolchain: toolchain, log: { _ in })
        try scratch.write("Sources/Squares/Squares.swift", Self.library.replacingOccurrences(of: "x * x", with: "x &* x"))
        XCTAssertEqual(try kernels.kernel(declaration, toolchain: toolchain, log: { _ in }).digest, first.digest)
        kernels.forget()
        XCTAssertNotEqual(try kernels.kernel(declaration, toolchain: toolchain, log: { _ in }).digest, first.digest, "the edit changed the code's meaning")
    }

    /// A product declared `type: .dynamic` is a library of its own beside the kernel's: the program
    /// links it too (it failed with "undefined reference to '$s7Tripler6tripleyS2iF'").
    func testADynamicLibraryProductServesAsTheKernel() throws {
        try scratch.write("Package.swift", """
            // swift-tools-version: 6.0
            import PackageDescription

            let package = Package(
                name: "Tripler",
                products: [.library(name: "Tripler", type: .dynamic, targets: ["Tripler"])],
                targets: [.target(name: "Tripler")]
            )

            """)
        try scratch.write("Sources/Tripler/Tripler.swift", "public func triple(_ x: Int) -> Int { 3 * x }\n")
        try scratch.write("notebook.yml", "kernel:\n  package: .\n  products: [Tripler]\n")
        try scratch.write("Notebooks/triple.md", "---\ntitle: Triples\n---\n```swift\nprint(\"triple(4) = \\(triple(4))\")\n```\n")
        let run = try scratch.run(["run", "Notebooks/triple.md"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(scratch.section(try scratch.read("out/triple.html"), block: 1).contains("triple(4) = 12"))
    }

    /// Bad project files, each refused before anything runs (exit 2) with the file, its line and the words shown.
    func testAMissingProductAndAnUnknownKeyAreBadInputAtTheirLine() throws {
        let cases: [(yaml: String, shown: [String])] = [
            ("kernel:\n  package: .\n  products: [Cubes]\n", ["notebook.yml:1", "'Cubes' is not a library product", "it has Squares"]),
            ("kernel:\n  package: .\n  products: [Squares]\n  language: swift\n", ["notebook.yml:4", "kernel.language"]),
        ]
        for (yaml, shown) in cases {
            try scratch.write("notebook.yml", yaml)
            let outcome = try scratch.run(["run", "Notebooks/squares.md"])
            XCTAssertEqual(outcome.status, 2, outcome.stderr)
            for words in shown { XCTAssertTrue(outcome.stderr.contains(words), outcome.stderr) }
        }
    }

    func testAFrontMatterKernelIsReadAndItsMistakesNamedAtTheirLine() throws {
        let document = try NotebookParser().parse(
            "---\ntitle: t\nkernel:\n  package: \(scratch.folder.path)\n  products: [Squares]\n---\n", path: "n.md")
        XCTAssertEqual(document.kernel?.package?.path, scratch.folder.standardizedFileURL.path)
        XCTAssertEqual(document.kernel?.products, ["Squares"])
        XCTAssertEqual(document.kernel?.line, 3)
        let cases: [(String, String)] = [
            ("kernel:\n  package: /no/such/folder\n  products: [A]", "n.md:2: error: front matter: kernel.package: no Package.swift in /no/such/folder"),
            ("kernel:\n  package: \(scratch.folder.path)", "n.md:2: error: front matter: kernel needs products: the library products the blocks import"),
            ("kernel:\n  package: \(scratch.folder.path)\n  products: [\"a-b\"]", "n.md:4: error: front matter: kernel.products is a list of library product names (letters, digits, _)"),
            ("kernel: Squares", "n.md:2: error: front matter: kernel is a mapping: package: PATH, products: [NAME, …]"),
        ]
        for (yaml, message) in cases {
            XCTAssertThrowsError(try NotebookParser().parse("---\n\(yaml)\n---\n", path: "n.md")) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    /// The engine knows none of this project's modules: they are named in `notebook.yml` only.
    func testTheEngineNamesNoModuleOfThisProject() throws {
        let engine = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/NotebookEngine").standardizedFileURL
        let files = (FileManager.default.subpaths(atPath: engine.path) ?? []).filter { $0.hasSuffix(".swift") }
        XCTAssertFalse(files.isEmpty)
        for file in files {
            let text = try String(contentsOf: engine.appendingPathComponent(file), encoding: .utf8)
            for module in ["ImplicitRegularization", "LinearAlgebra", "COpenBLAS"] {
                XCTAssertFalse(text.contains(module), "\(file) names \(module)")
            }
        }
    }
}
