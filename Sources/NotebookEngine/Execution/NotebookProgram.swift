import Foundation
import NotebookRuntime

/// A notebook's Swift blocks as one program, compiled and run like notebook cells
/// sharing one state.
///
/// The generated `main.swift` puts `#sourceLocation(file: "Notebooks/x.md", line: L)`
/// before each block, so compile errors, `fatalError`s and backtraces name the
/// notebook's own lines; and brackets each block with ``NotebookSession`` calls,
/// so each block's output is captured on its own.
struct NotebookProgram {
    let document: NotebookDocument
    let blocks: [SwiftBlock]

    /// Set when the program resumes at a later block with the values of the earlier ones.
    var resumption: BlockResumption?

    init(document: NotebookDocument, blocks: [SwiftBlock], resumption: BlockResumption? = nil) {
        self.document = document
        self.blocks = blocks
        self.resumption = resumption
    }

    var source: String {
        // The kernel's module re-exports the runtime and the products the notebook's kernel declares.
        // First of all: started as a job array's worker (`--notebook-worker PLAN --task N`), the program
        // computes that task and exits before any block runs (NotebookSession+Worker.swift).
        var lines = ["import Foundation", "import \(NotebookKernel.moduleName)", "", "NotebookSession.runWorkerIfAsked()", ""]
        let inlines = document.inlineExpressions
        let items = BlockResumption.items(document.swiftBlocks)
        let kept = BlockResumption.keptNames(items)
        let from = resumption?.from ?? 0
        // The prose's inline expressions, each at its own notebook line, after the block before it.
        func evaluate(after block: Int?) {
            for inline in inlines where inline.afterBlock == block {
                lines.append("#sourceLocation(file: \(SwiftStringLiteral.of(document.path)), line: \(inline.line))")
                lines.append("NotebookSession.inline(\(inline.id), \(inline.code))")
                lines.append("#sourceLocation()")
            }
        }
        if from == 0 { evaluate(after: nil) }
        for block in blocks {
            if let resumption, block.index < from {
                lines += resumption.restoredSource(block, items: items[block.index], path: document.path)
                if block.index == from - 1 { evaluate(after: block.index) }
                continue
            }
            lines.append("NotebookSession.begin(block: \(block.index))")
            lines.append("#sourceLocation(file: \(SwiftStringLiteral.of(document.path)), line: \(block.firstCodeLine))")
            lines.append(block.code)
            lines.append("#sourceLocation()")
            lines.append("NotebookSession.end(block: \(block.index))")
            // The snapshot a later run resumes from (NotebookState): the values this block declares,
            // saved once; the runtime saves an earlier `var` again only when it changed.
            for (name, mutable) in kept[block.index] {
                lines.append("NotebookState.keep(\(SwiftStringLiteral.of(name)), block: \(block.index), mutable: \(mutable)) { \(name) }")
            }
            lines.append("NotebookState.commit(block: \(block.index))")
            evaluate(after: block.index)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The program's second file, `restored.swift`, when it resumes: the restored values,
    /// decoded on first use (``BlockResumption/restoredFile(_:items:path:)``).
    var restoredFileSource: String? {
        resumption?.restoredFile(blocks, items: BlockResumption.items(document.swiftBlocks), path: document.path)
    }

    /// What one execution produced: a result per block, the tables, the prose's inline values
    /// the checks made and the findings stated.
    struct Outcome {
        var blocks: [BlockResult]
        var tables: [TableRecord]
        var compileSeconds: Double
        var runSeconds: Double
        var inlines: [Int: String] = [:]
        var claims: [ClaimRecord] = []
        var findings: [FindingRecord] = []
        /// What the kernel said it computes with (``NotebookEvent/kernelProvenance(text:)``).
        var kernelProvenance: String?
        /// Why a resumed program could not go on (it did not compile, or a value did not
        /// restore): the runner then runs the notebook from its first block.
        var resumeFailure: String?
    }


    /// Compiles and runs the blocks in `folder`. A compile error fails the block it
    /// points into; the blocks before it still run (compiled on their own).
    /// `manifest` tells the program its folders, parameters and kernel digest; it is written into
    /// `folder` (its `outputFolder` must be `folder`).
    func execute(
        toolchain: NotebookToolchain, kernel: NotebookKernel, folder: URL, manifest: RunManifest,
        timeout: Double, log: (String) -> Void
    ) throws -> Outcome {
        try Data(source.utf8).write(to: folder.appendingPathComponent("main.swift"))
        var files = ["main.swift"]
        if let restored = restoredFileSource {
            try Data(restored.utf8).write(to: folder.appendingPathComponent(Self.restoredFileName))
            files.append(Self.restoredFileName)
        }
        log("compiling \(blocks.count) Swift block\(blocks.count == 1 ? "" : "s")…")
        let compiled = try toolchain.compile(files, in: folder, kernel: kernel, log: log)
        if compiled.status != 0, resumption != nil {
            let (_, diagnostic) = compileDiagnostic(compiled.output)
            return Outcome(blocks: [], tables: [], compileSeconds: compiled.seconds, runSeconds: 0,
                           resumeFailure: "the resumed program did not compile (\(diagnostic.message))")
        }
        if compiled.status != 0 {
            let (failing, diagnostic) = compileDiagnostic(compiled.output)
            var results = Array(repeating: BlockResult.notRun, count: document.swiftBlocks.count)
            var tables: [TableRecord] = []
            var inlines: [Int: String] = [:]
            var claims: [ClaimRecord] = []
            var findings: [FindingRecord] = []
            var runSeconds = 0.0
            var compileSeconds = compiled.seconds
            if failing > 0 {
                let prefix = NotebookProgram(document: document, blocks: Array(blocks.prefix(failing)))
                let earlier = try prefix.execute(
                    toolchain: toolchain, kernel: kernel, folder: folder, manifest: manifest, timeout: timeout, log: log)
                for (index, result) in earlier.blocks.enumerated() where index < failing { results[index] = result }
                tables = earlier.tables
                (inlines, claims, findings) = (earlier.inlines, earlier.claims, earlier.findings)
                runSeconds = earlier.runSeconds
                compileSeconds += earlier.compileSeconds
            }
            if results.prefix(failing).allSatisfy({ $0.status == .succeeded }) {
                results[failing] = BlockResult(status: .failed, output: "", seconds: nil, diagnostic: diagnostic, outputBytes: nil)
            }
            return Outcome(
                blocks: results, tables: tables, compileSeconds: compileSeconds, runSeconds: runSeconds, inlines: inlines,
                claims: claims, findings: findings)
        }

        log("running…")
        var environment = ProcessInfo.processInfo.environment
        let manifestFile = folder.appendingPathComponent(RunManifest.fileName)
        do {
            try JSONEncoder().encode(manifest).write(to: manifestFile)
        } catch is EncodingError {
            throw NotebookError.badParameterValue(
                path: document.path, name: manifest.parameters.first { !($0.value.isFiniteOrNotNumber) }?.key ?? "?",
                value: "not finite", expected: "a finite number")
        }
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"
        if environment["OPENBLAS_NUM_THREADS"] == nil { environment["OPENBLAS_NUM_THREADS"] = "1" }
        let events = folder.appendingPathComponent("events.jsonl")
        try? FileManager.default.removeItem(at: events)
        // Standard output and error outside the blocks (before the first, a crash in the
        // generated code) go to program-output.txt; progress bars get the terminal as descriptor 3.
        let ran = try ChildProcess(
            executable: folder.appendingPathComponent("program"), arguments: [RunManifest.option, manifestFile.path],
            directory: kernel.workingDirectory, environment: environment, timeout: timeout, capturesOutput: false,
            outputFile: folder.appendingPathComponent(Self.programOutput)
        ).run()
        if resumption != nil, ran.status == NotebookState.restoreFailedStatus,
           let reason = LossyText.read(folder.appendingPathComponent(NotebookState.restoreFailureFile), limit: 4096)?.text {
            return Outcome(blocks: [], tables: [], compileSeconds: compiled.seconds, runSeconds: ran.seconds, resumeFailure: reason)
        }
        let recorded = readEvents(events)
        var inlines: [Int: String] = [:]
        var claims: [ClaimRecord] = []
        var findings: [FindingRecord] = []
        var kernelProvenance: String?
        for event in recorded {
            switch event {
            case let .inline(id, text): inlines[id] = text
            case let .claim(block, line, text, held): claims.append(ClaimRecord(block: block, line: line, text: text, held: held))
            case let .finding(block, line, statement, paper, ours, verdict, basis):
                findings.append(FindingRecord(block: block, line: line, statement: statement, paper: paper, ours: ours, verdict: verdict, basis: basis))
            case let .kernelProvenance(text): kernelProvenance = text
            default: break
            }
        }
        return Outcome(
            blocks: interpret(ran, events: recorded, folder: folder, timeout: timeout), tables: tables(in: recorded),
            compileSeconds: compiled.seconds, runSeconds: ran.seconds, inlines: inlines, claims: claims, findings: findings,
            kernelProvenance: kernelProvenance)
    }

    /// The first error's block and a diagnostic at its notebook line.
    private func compileDiagnostic(_ output: String) -> (block: Int, Diagnostic) {
        // A full disk is the disk's failure, not the block's: say so, whatever tool met it first.
        if output.contains("No space left on device") {
            return (blocks.last!.index, Diagnostic(
                line: blocks.last?.fenceLine,
                message: "error: the disk is full (No space left on device): the program could not be compiled or written; free space where the cache is (--cache) and run again",
                detail: output))
        }
        let errors = output.textLines.filter { $0.contains(": error: ") }
        for error in errors {
            let parts = error.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0] == document.path, let line = Int(parts[1]) else { continue }
            let block = blocks.last(where: { $0.firstCodeLine <= line }) ?? blocks[0]
            let message = error.components(separatedBy: ": error: ").dropFirst().joined(separator: ": error: ")
            return (block.index, Diagnostic(line: line, message: "error: \(message)", detail: output))
        }
        // An error outside the blocks' lines (an unbalanced brace spills into generated code): blame the last block.
        let message = errors.first.map { $0.components(separatedBy: ": error: ").dropFirst().joined() } ?? "the program did not compile"
        return (blocks.last!.index, Diagnostic(line: blocks.last?.fenceLine, message: "error: \(message)", detail: output))
    }

    /// The most of a block's output a report shows (and a record keeps); the rest stays in
    /// `block-K.txt` of the run's folder, which the runner copies beside the report.
    static let outputShown = 1 << 20
    /// What the program printed outside its blocks.
    static let programOutput = "program-output.txt"
    /// A resumed program's second source file (``restoredFileSource``).
    static let restoredFileName = "restored.swift"

    /// A block's output, cut at ``outputShown`` bytes (invalid UTF-8 replaced), and its whole size.
    static func blockOutput(_ folder: URL, block: Int) -> (text: String, bytes: Int) {
        LossyText.read(folder.appendingPathComponent(NotebookSession.outputFileName(block: block)), limit: outputShown) ?? ("", 0)
    }

    /// A block's standard error, cut and read as ``blockOutput(_:block:)``.
    static func blockErrors(_ folder: URL, block: Int) -> (text: String, bytes: Int) {
        LossyText.read(folder.appendingPathComponent(NotebookSession.errorFileName(block: block)), limit: outputShown) ?? ("", 0)
    }

    /// Reads the events and block files into one result per block. A program that did not end
    /// well always leaves a block failed or timed out: never a run that looks like a success.
    private func interpret(_ ran: ChildProcess.Outcome, events: [NotebookEvent], folder: URL, timeout: Double) -> [BlockResult] {
        var began: Set<Int> = []
        var seconds: [Int: Double] = [:]
        for event in events {
            switch event {
            case .began(let block): began.insert(block)
            case .ended(let block, let time): seconds[block] = time
            case .table, .inline, .claim, .finding, .kernelProvenance: break
            }
        }
        let outside = LossyText.read(folder.appendingPathComponent(Self.programOutput), limit: 64 << 10)?.text ?? ""
        let timedOutDiagnostic = { (block: SwiftBlock) in
            Diagnostic(
                line: block.fenceLine,
                message: "did not finish within the time limit of \(Self.format(seconds: timeout)) (the notebook's 'timeout', or --timeout)",
                detail: "")
        }
        var results = Array(repeating: BlockResult.notRun, count: document.swiftBlocks.count)
        for block in blocks where began.contains(block.index) {
            let (text, bytes) = Self.blockOutput(folder, block: block.index)
            let errors = Self.blockErrors(folder, block: block.index)
            if let time = seconds[block.index] {
                results[block.index] = BlockResult(status: .succeeded, output: text, seconds: time, diagnostic: nil, outputBytes: bytes)
            } else if ran.timedOut {
                results[block.index] = BlockResult(
                    status: .timedOut, output: text, seconds: ran.seconds, diagnostic: timedOutDiagnostic(block), outputBytes: bytes)
            } else {
                results[block.index] = crashResult(text, bytes: bytes, errors: errors.text, ran: ran, block: block, outside: outside)
            }
            if errors.bytes > 0 { (results[block.index].errors, results[block.index].errorBytes) = (errors.text, errors.bytes) }
        }
        let ok = ran.status == 0 && !ran.timedOut
        if !ok && !results.contains(where: { $0.status == .failed || $0.status == .timedOut }) {
            // Stopped outside any block: before the first began, or between two.
            let blame = blocks.first(where: { $0.index >= (resumption?.from ?? 0) && seconds[$0.index] == nil }) ?? blocks.last!
            var result = results[blame.index]
            result.status = ran.timedOut ? .timedOut : .failed
            result.diagnostic = ran.timedOut ? timedOutDiagnostic(blame) : Diagnostic(
                line: blame.fenceLine,
                message: "the program stopped (\(ran.ending))\(began.contains(blame.index) ? "" : " before this block began")"
                    + Self.crashMessage(outside.textLines).map { ": " + $0 }.orEmpty,
                detail: outside.trimmingCharacters(in: .whitespacesAndNewlines))
            results[blame.index] = result
        }
        return results
    }

    /// The line a crash names: Swift's `Fatal error:`, `Precondition failed:`, `Assertion
    /// failed:`, a runtime failure (`*** Swift runtime failure: arithmetic overflow ***`)
    /// or the backtracer's `*** Program crashed: …`, in that order of preference.
    static func crashMessage(_ lines: [String]) -> String? {
        for marker in ["Fatal error:", "Precondition failed:", "Assertion failed:", "Swift runtime failure:"] {
            guard let line = lines.first(where: { $0.contains(marker) }) else { continue }
            var message = marker + line.components(separatedBy: marker).dropFirst().joined(separator: marker)
            message = message.replacingOccurrences(of: " ***", with: "").trimmingCharacters(in: .whitespaces)
            // `File.swift:12: Fatal error: …` names where in the library: keep it after the message.
            let location = line.components(separatedBy: ": " + marker).first ?? ""
            if !location.isEmpty && location != line && !location.hasPrefix("***") {
                message += " (at \(location))"
            }
            return message
        }
        if let crash = lines.first(where: { $0.hasPrefix("*** Program crashed:") }) {
            // An optimised library traps without a message: name the function it trapped in.
            let message = crash.replacingOccurrences(of: "*** ", with: "").replacingOccurrences(of: " ***", with: "")
            return message + (crashingFunction(lines).map { " in \($0)" } ?? "")
        }
        return nil
    }

    /// The first backtrace frame outside the Swift runtime: `Matrix.init(rows:columns:repeating:)`
    /// from `  1 [ra] 0x00007f… Matrix.init(rows:columns:repeating:) + 240 in libNotebookKernel.so at …`.
    static func crashingFunction(_ lines: [String]) -> String? {
        for line in lines {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = words.first, Int(first) != nil,
                  let address = words.firstIndex(where: { $0.hasPrefix("0x") }),
                  let plus = words[address...].firstIndex(of: "+"), plus > address + 1,
                  let library = words[plus...].firstIndex(of: "in").map({ $0 + 1 }), library < words.count,
                  !words[library].hasPrefix("libswift"), !words[library].hasPrefix("libc.so") else { continue }
            return words[(address + 1)..<plus].joined(separator: " ")
        }
        return nil
    }

    /// Splits a crashed block's standard output into what it printed and the crash, names the
    /// crash (its message and the signal: in `errors`, its standard error, or in the output
    /// when the backtracer wrote there) and finds the notebook line. The diagnostic's detail is
    /// the crash text the report shows nowhere else (the standard error is shown open beside it).
    private func crashResult(
        _ text: String, bytes: Int, errors: String, ran: ChildProcess.Outcome, block: SwiftBlock, outside: String
    ) -> BlockResult {
        let lines = text.textLines
        let markers = ["*** Signal", "💣", "*** Program crashed", "*** Swift runtime failure"]
        let fatalMarkers = ["Fatal error:", "Precondition failed:", "Assertion failed:"]
        let bannerIndex = lines.firstIndex(where: { line in markers.contains { line.hasPrefix($0) } })
        let fatalIndex = lines.firstIndex(where: { line in fatalMarkers.contains { line.contains($0) } })
        let cut = [bannerIndex, fatalIndex].compactMap { $0 }.min() ?? lines.count
        let printed = lines[..<cut].joined(separator: "\n").trimmingCharacters(in: .newlines)
        let errorLines = errors.textLines
        let crashLines = Array(lines[cut...]) + errorLines + outside.textLines
        var line: Int?
        var message = Self.crashMessage(crashLines).map { $0 + " — " } ?? "the program stopped without finishing this block: "
        message += ran.ending
        if let fatal = (lines[cut...] + errorLines).first(where: { line in fatalMarkers.contains { line.contains($0) } }) {
            let location = fatal.components(separatedBy: ": ").first ?? ""
            if location.hasPrefix(document.path + ":"), let number = Int(location.dropFirst(document.path.count + 1)) {
                line = number
            }
        }
        if line == nil {
            let marker = " at \(document.path):"
            for frame in crashLines {
                guard let range = frame.range(of: marker) else { continue }
                let digits = frame[range.upperBound...].prefix(while: \.isNumber)
                if let number = Int(digits) { line = number; break }
            }
        }
        let detail = (Array(lines[cut...]) + outside.textLines).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return BlockResult(
            status: .failed, output: printed, seconds: nil,
            diagnostic: Diagnostic(line: line ?? block.fenceLine, message: message, detail: detail),
            // Cut only when the file was longer than what was read: the crash text after `printed` is in the diagnostic.
            outputBytes: bytes > text.utf8.count ? bytes : nil)
    }

    private func readEvents(_ url: URL) -> [NotebookEvent] {
        guard let data = try? Data(contentsOf: url) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONDecoder().decode(NotebookEvent.self, from: Data($0)) }
    }

    private func tables(in events: [NotebookEvent]) -> [TableRecord] {
        var records: [TableRecord] = []
        for case .table(let block, let name, let columns, let rows) in events {
            records.removeAll { $0.name == name }
            records.append(TableRecord(name: name, block: block, columns: columns, rows: rows))
        }
        return records
    }

    static func format(seconds: Double) -> String {
        seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : seconds < 100 ? String(format: "%.1f s", seconds) : String(format: "%.0f s", seconds)
    }
}

extension NotebookDocument {
    /// The Swift program the runner compiles from this notebook's blocks, run from its first
    /// block: each block's code between its session calls, and the snapshot calls for the values
    /// the block itself declares (a fixed few lines per block and per value).
    public var programSource: String {
        NotebookProgram(document: self, blocks: swiftBlocks).source
    }
}

private extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}

private extension ParameterValue {
    var isFiniteOrNotNumber: Bool {
        if case .real(let value) = self { return value.isFinite }
        return true
    }
}
