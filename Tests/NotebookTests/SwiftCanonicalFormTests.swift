import Foundation
import NotebookEngine
import XCTest

/// What the cache keys read of Swift source: tokens and line breaks, never comments or layout.
final class SwiftCanonicalFormTests: XCTestCase {
    func form(_ text: String) -> String {
        String(decoding: SwiftCanonicalForm.of(Array(text.utf8)), as: UTF8.self)
    }

    func testCommentsIndentationAndBlankLinesAreNotMeaning() {
        let plain = "public func square(_ x: Int) -> Int {\n    x * x\n}\n"
        let commented = """
            /// The square of `x`.
            ///
            /// - Parameter x: any integer.
            public func square(_ x: Int) -> Int {   // trailing words
                /* a block /* nested */ comment */ x * x


            }
            """
        XCTAssertEqual(form(plain), "public func square(_ x: Int) -> Int {\nx * x\n}")
        XCTAssertEqual(form(commented), form(plain))
        XCTAssertEqual(form("let a = 1\t\t+  2"), "let a = 1 + 2")
    }

    func testCodeAndWhitespaceThatSwiftReadsAreMeaning() {
        XCTAssertNotEqual(form("x * x"), form("x * x + 1"))
        // Whether a space separates two tokens decides an operator's fixity, and a comment separates.
        XCTAssertNotEqual(form("a - b"), form("a -b"))
        XCTAssertEqual(form("a/**/b"), "a b")
        // A line break ends a statement: `return` then `x` on the next line returns nothing.
        XCTAssertNotEqual(form("return\nx"), form("return x"))
        XCTAssertEqual(form("return /* two\nlines */ x"), "return\nx")
    }

    func testStringLiteralsAreKeptByteForByte() {
        // Comment markers and runs of spaces inside strings are text, not comments or layout.
        XCTAssertEqual(form("let s = \"a  // not a comment\" // a comment"), "let s = \"a  // not a comment\"")
        XCTAssertEqual(form("let s = \"/* kept */\""), "let s = \"/* kept */\"")
        XCTAssertNotEqual(form("print(\"a  b\")"), form("print(\"a b\")"))
        XCTAssertEqual(form("let s = \"q\\\"  // still text\""), "let s = \"q\\\"  // still text\"")
        XCTAssertEqual(form("let r = #\"a \" // raw\"# // gone"), "let r = #\"a \" // raw\"#")
        XCTAssertEqual(form("let m = \"\"\"\n  one // kept\n    two\n  \"\"\"  // gone"), "let m = \"\"\"\n  one // kept\n    two\n  \"\"\"")
        XCTAssertEqual(form("print(\"v = \\(f(\"x  y\"))  // in\") // out"), "print(\"v = \\(f(\"x  y\"))  // in\")")
    }

    /// The digests `ContentHash` gives these blocks' canonical forms, computed by the lexer the cache
    /// keys were made with before ``SwiftCanonicalForm`` and ``SwiftTopLevel`` shared one lexer.
    func testDigestsOfRepresentativeBlocksArePinned() {
        func digest(_ text: String) -> (String, Int) {
            let form = SwiftCanonicalForm.of(Array(text.utf8))
            var hash = ContentHash()
            hash.add(form)
            return (hash.hex, form.count)
        }
        XCTAssertTrue(digest(CanonicalFormFixtures.figure4Search) == ("283e04cb910f0bb3074f79a3d638821f", 694))
        XCTAssertTrue(digest(CanonicalFormFixtures.finding) == ("5b08cb1118e3428c9dea8aa61e49b5eb", 469))
        XCTAssertTrue(digest(CanonicalFormFixtures.everyConstruct) == ("c345113fd42c0cd5abac3eeb27381855", 222))
        XCTAssertEqual(form(CanonicalFormFixtures.everyConstruct), ###"""
            @MainActor
            struct `Type` {
            static let n = 3
            + 4
            var s = #"raw \#(n) "quoted" // kept"#
            }
            let m = """
                line one \(f("x  y")) // kept
                  line two
                """
            #if DEBUG
            let z = a-b+c! ?? -d
            #endif
            let t = ##"a "# b"## ; x y
            """###)
    }

    func testABackquotedNameIsOneToken() {
        // Raw identifiers may hold spaces and comment markers: they are names, kept as written.
        XCTAssertEqual(form("let `a // b` = 1 // gone"), "let `a // b` = 1")
        XCTAssertNotEqual(form("func `a  b`() {}"), form("func `a b`() {}"))
        XCTAssertEqual(form("let `\"` = 1"), "let `\"` = 1")
    }

    func testLineBreaksAreLFCRLFAndCRForBothReaders() {
        // The canonical form and the top-level items read one lexer: the same breaks, the same lines.
        for newline in ["\n", "\r\n", "\r"] {
            let source = "let a = 1 // one\(newline)/* two\(newline)*/ let b = \"x\"\(newline)print(a)"
            XCTAssertEqual(form(source), "let a = 1\nlet b = \"x\"\nprint(a)", newline.debugDescription)
            XCTAssertEqual(SwiftTopLevel(source).items.map(\.line), [0, 2, 3], newline.debugDescription)
        }
    }
}

/// Blocks whose canonical forms' digests are pinned: a change to the lexer that moved them would
/// re-key every kept run and the committed figures' caches.
enum CanonicalFormFixtures {
    /// figure4.md's first block (as the committed notebook had it).
    static let figure4Search = #"""
let profile = Parameters.bool("quick") ? FigureProfile.quick : FigureProfile.full
print(profile.banner)
let search = ExhaustiveSearch()
let folder = ExhaustiveSearch.figure4Folder(in: NotebookSession.cacheFolder, profile: profile, codeDigest: NotebookSession.library)
// `executor: slurm` (notebook.yml, the front matter or `notebook run --executor slurm`): the chunks as a Slurm job
// array whose tasks are this program, with the partition, time, … configured there (docs/slurm.md).
let executor = try WorkExecutor(notebookSettings: NotebookSession.executorSettings)
let summary = try search.run(subsample: profile.exhaustiveSubsample, folder: folder, codeDigest: NotebookSession.library, executor: executor,
                             progress: Progress.bar("figure 4 chunks"))
print("\(summary.instances) instances: \(summary.feasible) with a PSD completion, \(summary.infeasible) without (discarded), \(summary.undecided) undecided")
"""#

    /// A finding whose strings hold interpolations with closures and strings of their own.
    static let finding = #"""
if single.deltaGrowsAsInitNormShrinks {
    beyondThePaper("on instance 9559 the flow moves away from the minimum as ᾱ shrinks",
                   ours: "Δ = \(single.outcome.deltas.map { significant($0, digits: 3) }.joined(separator: ", ")) at ᾱ = \(single.initNorms.map { significant($0, digits: 1) }.joined(separator: ", "))")
}
check("no Δ is below its certified floor", summary.noDeltaBelowFloor && summary.lowestSolvedNegativeFloor > -ExhaustiveSearch.certifiedNegativeAllowance)
"""#

    /// Every construct the lexer reads: doc, line and nested block comments, raw strings with
    /// raw interpolation, a multi-line string, a backquoted name, a directive, operators stuck
    /// to their operands, tabs and a CRLF line.
    static let everyConstruct = "/// A doc comment.\n@MainActor\nstruct `Type` {\n\tstatic let n = 3 /* a /* nested */ comment\n spanning lines */ + 4\r\n    var s = #\"raw \\#(n) \"quoted\" // kept\"#\n}\nlet m = \"\"\"\n    line one \\(f(\"x  y\")) // kept\n      line two\n    \"\"\"\n#if DEBUG\nlet z = a-b+c! ?? -d   // gone\n#endif\nlet t = ##\"a \"# b\"## ; x /**/ y\n"
}
