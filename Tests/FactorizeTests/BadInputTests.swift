import Foundation
import TestSupport
import XCTest

/// Hostile input to `factorize`: each refusal is one plain line on stderr naming the file and line,
/// the field or the option, exit code 2 and nothing on stdout; never a trap, never a long wait.
/// Run against another build with `FACTORIZE=/path/to/factorize`.
extension FactorizeEndToEndTests {
    /// A scratch folder for one test, removed afterwards.
    func scratchFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("factorize-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    func write(_ bytes: [UInt8], _ name: String, in folder: URL) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func write(_ text: String, _ name: String, in folder: URL) throws -> String {
        try write(Array(text.utf8), name, in: folder)
    }

    /// Runs `factorize arguments` and checks the refusal: exit code 2, stdout empty, one line on
    /// stderr containing each of `expected`, no Swift type or Cocoa error in it, within 20 s.
    func assertRefused(
        _ arguments: [String], _ expected: [String], status: Int32 = 2, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let started = Date()
        let outcome = try run(arguments)
        let label = arguments.map { $0.replacingOccurrences(of: FileManager.default.temporaryDirectory.path, with: "$TMP") }.joined(separator: " ")
        XCTAssertEqual(outcome.status, status, "\(label): \(outcome.stderr)", file: file, line: line)
        XCTAssertEqual(outcome.stdout, "", "\(label): nothing on stdout", file: file, line: line)
        XCTAssertEqual(outcome.stderr.split(separator: "\n").count, 1, "\(label): one line: \(outcome.stderr)", file: file, line: line)
        for text in expected {
            XCTAssertTrue(outcome.stderr.contains(text), "\(label): \"\(text)\" not in: \(outcome.stderr)", file: file, line: line)
        }
        for leak in ["Array<", "Dictionary<", "Swift.", "NSCocoaErrorDomain", "(null)", "Fatal error", "of type"] {
            XCTAssertFalse(outcome.stderr.contains(leak), "\(label): \(outcome.stderr)", file: file, line: line)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "\(label): refused at once", file: file, line: line)
    }

    /// Runs `factorize arguments`, stopped after `timeout` seconds (a refusal is immediate).
    func run(_ arguments: [String], stdout: FileHandle? = nil, timeout: Double = 60) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: Self.tool.path) else {
            XCTFail("no factorize at \(Self.tool.path): run `swift build` first (make test does)")
            throw CocoaError(.fileNoSuchFile)
        }
        // A refusal is immediate: a process still running after a minute (an old build solving a
        // problem it should have refused) is stopped, and the test fails on its status.
        let ran = try ProcessRun(Self.tool, arguments, stdout: stdout, timeout: timeout)
        return Outcome(status: ran.status, stdout: ran.stdout, stderr: ran.stderr)
    }

    /// Sizes that used to trap (`Int(1e20)`, `n * n` overflowing) or try to allocate 8e18 bytes
    /// after half a minute are refused at once, naming the field and the bound.
    func testOversizedProblemsAreRefusedBeforeAnythingIsAllocated() throws {
        let folder = try scratchFolder("sizes")
        let cases: [(String, String, [String])] = [
            ("n4e9.json", "{\"kind\": \"sensing\", \"n\": 4000000000, \"measurements\": [[1]], \"y\": [1]}",
             ["n4e9.json:1: field \"n\" is 4000000000", "1 GiB", "at most 11585"]),
            ("rows.json", "{\"kind\": \"completion\",\n\"rows\": 1e9, \"cols\": 1e9, \"entries\": [[0, 0, 1]]}",
             ["rows.json:2: field \"rows\" is 1000000000", "1 GiB"]),
            ("rowsint.json", "{\"kind\": \"completion\", \"rows\": 1000000000, \"cols\": 1000000000, \"entries\": [[0, 0, 1]]}",
             ["rowsint.json:1: field \"rows\""]),
            ("index.json", "{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3,\n\"entries\": [[0, 0, 1],\n[1e20, 0, 1]]}",
             ["index.json:3: field \"entries[1]\" has indices (1e+20, 0); they must be whole numbers in 0…2"]),
            ("infinity.json", "{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[Infinity, 0, 1]]}",
             ["infinity.json:1:59: malformed JSON: NaN and Infinity are not JSON numbers"]),
            ("overflow.json", "{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[1e400, 0, 1]]}",
             ["overflow.json:1:59: malformed JSON: the number 1e400 is too large for a Float64"]),
            ("negative.json", "{\"kind\": \"sensing\", \"n\": -4, \"measurements\": [[1]], \"y\": [1]}",
             ["negative.json:1: field \"n\" must be at least 1, got -4"]),
            ("fraction.json", "{\"kind\": \"sensing\", \"n\": 2.5, \"measurements\": [[1]], \"y\": [1]}",
             ["fraction.json:1: field \"n\" must be a whole number, got 2.5"]),
        ]
        for (name, text, expected) in cases {
            try assertRefused(["xgd", try write(text, name, in: folder)], expected)
        }
        // m² beyond the bound (m·n² within it): the interior-point solver's Schur complement, refused before solving.
        let measurements = Array(repeating: "[1, 0, 0, 1]", count: 12_000).joined(separator: ", ")
        let ones = Array(repeating: "1", count: 12_000).joined(separator: ", ")
        let wide = try write("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [\(measurements)], \"y\": [\(ones)]}", "wide.json", in: folder)
        try assertRefused(["min-nuclear-norm", wide], ["wide.json: too large for min-nuclear-norm: m = 12000", "Schur complement", "1 GiB"])
        try assertRefused(
            ["generate", "sensing", "--n", "100000", "--rank", "1", "--measurements", "1", "--seed", "1"],
            ["--n and --measurements: n = 100000", "1 GiB"])
        try assertRefused(
            ["generate", "sensing", "--n", "50", "--rank", "1", "--measurements", "1000000000", "--seed", "1"],
            ["--n and --measurements: m = 1000000000", "1 GiB"])
        let help = try factorize("--help")
        XCTAssertTrue(help.stdout.contains("1 GiB") && help.stdout.contains("n ≤ 11585"), help.stdout)
    }

    /// Only strict JSON (RFC 8259, UTF-8): JSON5 used to be solved (`0x10` as 16), duplicate fields
    /// silently took the first value.
    func testOnlyStrictJSONIsAccepted() throws {
        let folder = try scratchFolder("strict")
        let cases: [(String, [UInt8], String)] = [
            ("hex.json", Array("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [0x10]}".utf8), "hex.json:1:59: malformed JSON: hexadecimal"),
            ("comment.json", Array("{\"kind\": \"sensing\", // setting (a)\n\"n\": 1, \"measurements\": [[1]], \"y\": [1]}".utf8), "comment.json:1:21: malformed JSON"),
            ("unquoted.json", Array("{kind: \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1]}".utf8), "unquoted.json:1:2: malformed JSON: expected a field name in double quotes"),
            ("trailing.json", Array("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1, ]}".utf8), "trailing.json:1:61: malformed JSON: a trailing comma"),
            ("single.json", Array("{\"kind\": 'sensing', \"n\": 1, \"measurements\": [[1]], \"y\": [1]}".utf8), "single.json:1:10: malformed JSON: strings are in double quotes"),
            ("duplicate.json", Array("{\"kind\": \"sensing\",\n\"n\": 1,\n\"n\": 2, \"measurements\": [[1]], \"y\": [1]}".utf8), "duplicate.json:3:1: malformed JSON: duplicate field \"n\" (first on line 2)"),
            ("nan.json", Array("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]],\n\"y\": [NaN]}".utf8), "nan.json:2:7: malformed JSON: NaN and Infinity"),
            ("zero.json", Array("{\"kind\": \"sensing\", \"n\": 01, \"measurements\": [[1]], \"y\": [1]}".utf8), "zero.json:1:27: malformed JSON: a JSON number has no leading zeros"),
            ("plus.json", Array("{\"kind\": \"sensing\", \"n\": +1, \"measurements\": [[1]], \"y\": [1]}".utf8), "plus.json:1:26: malformed JSON"),
            ("utf16.json", [0xFF, 0xFE] + Array("{\"kind\": \"sensing\"}".utf8).flatMap { [$0, 0] }, "utf16.json:1:1: malformed JSON: the file is UTF-16"),
            ("latin1.json", Array("{\"kind\": \"sensing\", \"name\": \"".utf8) + [0xE9] + Array("\", \"n\": 1, \"measurements\": [[1]], \"y\": [1]}".utf8), "latin1.json:1:30: malformed JSON: invalid UTF-8 (byte 0xE9)"),
            ("empty.json", [], "empty.json:1:1: malformed JSON: the file is empty"),
            ("garbage.json", Array("{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1]} {}".utf8), "garbage.json:1:62: malformed JSON: expected the end of the file"),
        ]
        for (name, bytes, expected) in cases {
            try assertRefused(["xgd", try write(bytes, name, in: folder)], [expected])
        }
        let directory = folder.appendingPathComponent("folder.json")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try assertRefused(["xgd", directory.path], ["folder.json: cannot read the file: it is a directory, not a file"])
        try assertRefused(["xgd", folder.appendingPathComponent("missing.json").path], ["missing.json: cannot read the file: no such file"])

        // A UTF-8 byte order mark and CRLF line ends are JSON.
        let plain = "{\"kind\": \"sensing\",\r\n\"n\": 1,\r\n\"measurements\": [[1]],\r\n\"y\": [2]}\r\n"
        let accepted = try factorize("xgd", try write([0xEF, 0xBB, 0xBF] + Array(plain.utf8), "bom.json", in: folder))
        XCTAssertEqual(accepted.status, 0, accepted.stderr)
        XCTAssertEqual(try XCTUnwrap(accepted.json?["nuclear_norm"] as? Double), 2, accuracy: 1e-6)
    }

    /// Messages in plain words, not Swift types or Cocoa errors.
    func testRefusalsAreInPlainWords() throws {
        let folder = try scratchFolder("words")
        let cases: [(String, String, String)] = [
            ("y.json", "{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": \"a\"}", "y.json:1: field \"y\" must be an array of numbers, got a string"),
            ("m.json", "{\"kind\": \"sensing\", \"n\": 1, \"measurements\": 5, \"y\": [1]}", "m.json:1: field \"measurements\" must be an array of measurements"),
            ("mixed.json", "{\"kind\": \"sensing\", \"n\": 1, \"measurements\": [[1]], \"y\": [1, \"2\"]}", "mixed.json:1: field \"y\" must be an array of numbers, but y[1] is a string"),
            ("top.json", "[1, 2]", "top.json:1: field \"(top level)\" must be a JSON object"),
            ("kind.json", "{\"kind\": 3}", "kind.json:1: field \"kind\" must be a string, got a number"),
            ("missing.json", "{\"kind\": \"sensing\",\n\"n\": 1, \"y\": [1]}", "missing.json:1: missing field \"measurements\""),
            ("triple.json", "{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[0, 0]]}", "triple.json:1: field \"entries[0]\" must be [row, column, value], got 2 numbers"),
            ("again.json", "{\"kind\": \"completion\", \"rows\": 3, \"cols\": 3, \"entries\": [[0, 1, 1],\n[1, 0, 2]]}", "again.json:2: field \"entries[1]\" observes entry (0, 1) again"),
        ]
        for (name, text, expected) in cases {
            try assertRefused(["xgd", try write(text, name, in: folder)], [expected])
        }
    }

    /// Negative numbers used to be taken for options ("Missing value for '--rank <rank>'"); every
    /// numeric option is range-checked (zero, negative, NaN, infinite), before any work.
    func testNumericOptionsAreRangeChecked() throws {
        let folder = try scratchFolder("options")
        let problem = try write("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 0, 1]], \"y\": [1]}", "p.json", in: folder)
        let movieLens = folder.appendingPathComponent("ml")
        try FileManager.default.createDirectory(at: movieLens, withIntermediateDirectories: true)
        _ = try write("1\t1\t5\t874965758\n2\t3\t4\t876893171\n", "ml/ua.base", in: folder)
        _ = try write("1\t3\t4\t878542960\n", "ml/ua.test", in: folder)
        let cases: [([String], String)] = [
            (["gd", problem, "--rank", "-1", "--init-norm", "1", "--step", "1e-3"], "--rank must be a positive integer, got -1"),
            (["gd", problem, "--rank", "1", "--init-norm", "-1", "--step", "1e-3"], "--init-norm must be a positive number, got -1.0"),
            (["gd", problem, "--rank", "1", "--init-norm", "1", "--step", "-1e-3"], "--step must be a positive number, got -0.001"),
            (["gd", problem, "--rank", "1", "--init-norm", "1", "--step", "1e-3", "--max-iterations", "-5"], "--max-iterations must be a non-negative integer, got -5"),
            (["gd", problem, "--rank", "1", "--init-norm", "1", "--step", "1e-3", "--tolerance", "-inf"], "--tolerance must be a positive number, got -inf"),
            (["xgd", problem, "--tolerance", "nan"], "--tolerance must be a positive number, got nan"),
            (["flow", problem, "--init-norm", "1e-3", "--tolerance", "0"], "--tolerance must be a positive number, got 0.0"),
            (["flow", problem, "--init-norm", "1e-3", "--rtol", "-1"], "--rtol must be a number in (0, 1), got -1.0"),
            (["flow", problem, "--init-norm", "1e-3", "--time", "-5"], "--time must be a positive number, got -5.0"),
            (["toe", problem, "--init-norm", "1e-3", "--step", "-0.1"], "--step must be a positive number, got -0.1"),
            (["exhaustive", "--subsample", "-1", "--out", folder.path], "--subsample must be a positive integer, got -1"),
            (["exhaustive", "--init-norms", "1e-5,inf", "--out", folder.path], "--init-norms must be distinct positive numbers"),
            (["exhaustive", "--init-norms", "-1", "--out", folder.path], "--init-norms must be distinct positive numbers"),
            (["exhaustive", "--workers", "0", "--out", folder.path], "--workers must be an integer in 1…256, got 0"),
            (["exhaustive", "--out", problem], "--out must name a folder"),
            (["generate", "sensing", "--n", "-5", "--rank", "1", "--measurements", "3", "--seed", "1"], "--n must be a positive integer, got -5"),
            (["generate", "sensing", "--n", "5", "--rank", "1", "--measurements", "0", "--seed", "1"], "--measurements must be a positive integer, got 0"),
            (["movielens", "--data", movieLens.path, "--method", "gd", "--step", "0"], "--step must be a positive number, got 0.0"),
            (["movielens", "--data", movieLens.path, "--method", "gd", "--step", "-1"], "--step must be a positive number, got -1.0"),
            (["movielens", "--data", movieLens.path, "--method", "gd", "--loss-scale", "-2"], "--loss-scale must be a positive number, got -2.0"),
            (["movielens", "--data", movieLens.path, "--method", "gd", "--init-norm", "0"], "--init-norm must be a positive number, got 0.0"),
            (["movielens", "--data", movieLens.path, "--method", "gd", "--rank", "-1"], "--rank must be an integer in 1…943, got -1"),
            (["movielens", "--data", movieLens.path, "--method", "min-nuclear-norm", "--gap", "-1"], "--gap must be a positive number, got -1.0"),
            (["movielens", "--data", movieLens.path, "--method", "min-nuclear-norm", "--outer-iterations", "0"], "--outer-iterations must be a positive integer, got 0"),
        ]
        for (arguments, expected) in cases {
            try assertRefused(arguments, [expected])
        }
    }

    /// A result that cannot be written is a failure (exit code 1), not a success.
    func testAFailedWriteToStdoutIsAFailure() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let folder = try scratchFolder("full")
        let problem = try write("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 0, 1]], \"y\": [1]}", "p.json", in: folder)
        for arguments in [["xgd", problem], ["generate", "sensing", "--n", "5", "--rank", "1", "--measurements", "3", "--seed", "1"]] {
            let outcome = try run(arguments, stdout: full)
            XCTAssertEqual(outcome.status, 1, arguments.joined(separator: " "))
            XCTAssertEqual(outcome.stderr, "factorize: cannot write the result to standard output: No space left on device\n")
        }
    }

    /// Exit codes: 0 for any result (an iteration limit too), 1 for a failure (here, an output
    /// folder that cannot be made), 2 for bad input; the root command's help says so.
    func testExitCodesAreDocumentedAndKept() throws {
        let folder = try scratchFolder("codes")
        let problem = try write("{\"kind\": \"sensing\", \"n\": 2, \"measurements\": [[1, 0, 0, 1], [0, 1, 1, 0]], \"y\": [1, 0.5]}", "p.json", in: folder)
        let limited = try factorize("gd", problem, "--rank", "2", "--init-norm", "1e-3", "--step", "1e-3", "--max-iterations", "1")
        XCTAssertEqual(limited.status, 0, limited.stderr)
        XCTAssertEqual(limited.json?["status"] as? String, "iteration_limit")
        try assertRefused(["exhaustive", "--subsample", "150000", "--out", "/dev/null/figure4"], ["/dev/null/figure4: cannot create the folder: not a directory"], status: 1)
        let help = try factorize("--help")
        for text in ["Exit codes", "0  a result", "1  a failure", "2  bad input"] {
            XCTAssertTrue(help.stdout.contains(text), "\(text) not in: \(help.stdout)")
        }
    }

    /// MovieLens files: an empty file, invalid UTF-8 and a directory are named (not "missing …
    /// download from GroupLens"); CRLF line ends are read as LF.
    func testMovieLensFilesAreCheckedByFileAndLine() throws {
        let folder = try scratchFolder("ml")
        func data(_ name: String, base: [UInt8]) throws -> String {
            let dir = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(base).write(to: dir.appendingPathComponent("ua.base"))
            try Data("1\t3\t4\t878542960\r\n".utf8).write(to: dir.appendingPathComponent("ua.test"))
            return dir.path
        }
        let lf = try data("lf", base: Array("1\t1\t5\t874965758\n2\t3\t4\t876893171\n".utf8))
        let crlf = try data("crlf", base: Array("1\t1\t5\t874965758\r\n2\t3\t4\t876893171\r\n".utf8))
        let a = try factorize("movielens", "--data", lf, "--method", "xgd")
        let b = try factorize("movielens", "--data", crlf, "--method", "xgd")
        XCTAssertEqual(b.status, 0, b.stderr)
        XCTAssertEqual(try XCTUnwrap(b.json?["nuclear_norm"] as? Double), try XCTUnwrap(a.json?["nuclear_norm"] as? Double))

        try assertRefused(["movielens", "--data", try data("empty", base: []), "--method", "xgd"], ["empty/ua.base: has no ratings"])
        try assertRefused(
            ["movielens", "--data", try data("latin1", base: Array("1\t1\t5\t874965758\n2\t3\t".utf8) + [0xE9] + Array("\t876893171\n".utf8)), "--method", "xgd"],
            ["latin1/ua.base:2: not UTF-8 text (byte 0xE9)"])
        try assertRefused(
            ["movielens", "--data", try data("twice", base: Array("1\t1\t5\t874965758\n1\t1\t4\t876893171\n".utf8)), "--method", "xgd"],
            ["twice/ua.base:2: user 1 rates movie 1 again (first on line 1)"])
        let directory = try data("dir", base: [])
        try FileManager.default.removeItem(atPath: directory + "/ua.base")
        try FileManager.default.createDirectory(atPath: directory + "/ua.base", withIntermediateDirectories: true)
        try assertRefused(["movielens", "--data", directory, "--method", "xgd"], ["dir/ua.base: cannot read the file: it is a directory"])
    }

    /// Damaged chunks (truncated, emptied, edited) and chunks of another version of the search are
    /// reported on stderr and computed again; the summary always covers every instance.
    func testExhaustiveRecomputesDamagedOrForeignChunks() throws {
        let folder = try scratchFolder("chunks")
        let arguments = ["exhaustive", "--subsample", "15000", "--init-norms", "1e-3", "--out", folder.path]
        let first = try run(arguments)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.json?["instances"] as? Int, 10)
        let chunks = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/chunks-0.001")
        XCTAssertEqual(chunks, ["chunk-0-135000-10.tsv"], "no temporary file is left behind")
        let chunk = folder.path + "/chunks-0.001/chunk-0-135000-10.tsv"
        let intact = try Data(contentsOf: URL(fileURLWithPath: chunk))
        let text = String(decoding: intact, as: UTF8.self)
        let damages: [(Data, String)] = [
            (intact.prefix(intact.count / 2), "is truncated"),
            (Data(), "is empty"),
            (Data(text.replacingOccurrences(of: "infeasible", with: "feasible").utf8), "is damaged"),
            (Data(text.replacingOccurrences(of: "# key ", with: "# key 0").utf8), "was computed by another version of the search"),
        ]
        for (bytes, reason) in damages {
            try bytes.write(to: URL(fileURLWithPath: chunk))
            let again = try run(arguments)
            XCTAssertEqual(again.status, 0, again.stderr)
            XCTAssertTrue(again.stderr.contains("chunk-0-135000-10.tsv: \(reason)") && again.stderr.contains("computing it again"), again.stderr)
            XCTAssertEqual(again.json?["instances"] as? Int, 10, reason)
            XCTAssertEqual(again.json?["computed"] as? Int, 10, reason)
            XCTAssertEqual(again.json?["feasible"] as? Int, first.json?["feasible"] as? Int, reason)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: chunk)), intact, "recomputed as before")
        }
        // A temporary file of a writer that died is removed; the finished chunk is read back.
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        let abandoned = folder.path + "/chunks-0.001/.chunk-0-135000-10.tsv.tmp-\(dead.processIdentifier)-42"
        XCTAssertTrue(FileManager.default.createFile(atPath: abandoned, contents: Data("0\t".utf8)))
        let resumed = try run(arguments)
        XCTAssertEqual(resumed.json?["computed"] as? Int, 0)
        XCTAssertFalse(resumed.stderr.contains("again"), resumed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: abandoned), "the abandoned temporary is removed")
    }
}
