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

    var source: String {
        var lines = [
            "import Foundation", "import NotebookRuntime", "import ImplicitRegularization", "import LinearAlgebra", "",
        ]
        for block in blocks {
            lines.append("NotebookSession.begin(block: \(block.index))")
            lines.append("#sourceLocation(file: \(literal(document.path)), line: \(block.firstCodeLine))")
            lines.append(block.code)
            lines.append("#sourceLocation()")
            lines.append("NotebookSession.end(block: \(block.index))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Compiles and runs the blocks in `folder`. A compile error fails the block it
    /// points into; the blocks before it still run (compiled on their own).
    /// `library` identifies the library's sources and compiler (the program reads it as
    /// ``NotebookSession/library``, to key caches of its own).
    func execute(
        toolchain: NotebookToolchain, folder: URL, dataFolder: URL, parameters: [String: ParameterValue], library: String,
        timeout: Double, log: (String) -> Void
    ) throws -> (blocks: [BlockResult], tables: [TableRecord], compileSeconds: Double, runSeconds: Double) {
        try Data(source.utf8).write(to: folder.appendingPathComponent("main.swift"))
        log("compiling \(blocks.count) Swift block\(blocks.count == 1 ? "" : "s")…")
        let compiled = try toolchain.compile(in: folder)
        if compiled.status != 0 {
            let (failing, diagnostic) = compileDiagnostic(compiled.output)
            var results = Array(repeating: BlockResult.notRun, count: document.swiftBlocks.count)
            var tables: [TableRecord] = []
            var runSeconds = 0.0
            var compileSeconds = compiled.seconds
            if failing > 0 {
                let prefix = NotebookProgram(document: document, blocks: Array(blocks.prefix(failing)))
                let earlier = try prefix.execute(
                    toolchain: toolchain, folder: folder, dataFolder: dataFolder, parameters: parameters, library: library,
                    timeout: timeout, log: log)
                for (index, result) in earlier.blocks.enumerated() where index < failing { results[index] = result }
                tables = earlier.tables
                runSeconds = earlier.runSeconds
                compileSeconds += earlier.compileSeconds
            }
            if results.prefix(failing).allSatisfy({ $0.status == .succeeded }) {
                results[failing] = BlockResult(status: .failed, output: "", seconds: nil, diagnostic: diagnostic)
            }
            return (results, tables, compileSeconds, runSeconds)
        }

        log("running…")
        var environment = ProcessInfo.processInfo.environment
        environment["NOTEBOOK_OUTPUT"] = folder.path
        environment["NOTEBOOK_DATA"] = dataFolder.standardizedFileURL.path
        environment["NOTEBOOK_PARAMETERS"] = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        environment["NOTEBOOK_LIBRARY"] = library
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"
        if environment["OPENBLAS_NUM_THREADS"] == nil { environment["OPENBLAS_NUM_THREADS"] = "1" }
        let events = folder.appendingPathComponent("events.jsonl")
        try? FileManager.default.removeItem(at: events)
        let ran = try ChildProcess(
            executable: folder.appendingPathComponent("program"), arguments: [],
            directory: toolchain.projectRoot, environment: environment, timeout: timeout, capturesOutput: false
        ).run()
        let recorded = readEvents(events)
        return (interpret(ran, events: recorded, folder: folder, timeout: timeout), tables(in: recorded), compiled.seconds, ran.seconds)
    }

    /// The first error's block and a diagnostic at its notebook line.
    private func compileDiagnostic(_ output: String) -> (block: Int, Diagnostic) {
        let errors = output.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
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

    /// Reads the events and block files into one result per block.
    private func interpret(_ ran: ChildProcess.Outcome, events: [NotebookEvent], folder: URL, timeout: Double) -> [BlockResult] {
        var began: Set<Int> = []
        var seconds: [Int: Double] = [:]
        for event in events {
            switch event {
            case .began(let block): began.insert(block)
            case .ended(let block, let time): seconds[block] = time
            case .table: break
            }
        }
        var results = Array(repeating: BlockResult.notRun, count: document.swiftBlocks.count)
        for block in blocks where began.contains(block.index) {
            let text = (try? String(contentsOf: folder.appendingPathComponent("block-\(block.index).txt"), encoding: .utf8)) ?? ""
            if let time = seconds[block.index] {
                results[block.index] = BlockResult(status: .succeeded, output: text, seconds: time, diagnostic: nil)
            } else if ran.timedOut {
                results[block.index] = BlockResult(
                    status: .timedOut, output: text, seconds: ran.seconds,
                    diagnostic: Diagnostic(
                        line: block.fenceLine,
                        message: "did not finish within the time limit of \(Self.format(seconds: timeout)) (the notebook's 'timeout', or --timeout)",
                        detail: ""))
            } else {
                results[block.index] = crashResult(text, status: ran.status, block: block)
            }
        }
        if ran.status != 0 && !ran.timedOut && results.allSatisfy({ $0.status != .failed }),
           let last = blocks.last(where: { began.contains($0.index) }) {
            results[last.index] = BlockResult(
                status: .failed, output: results[last.index].output, seconds: nil,
                diagnostic: Diagnostic(line: last.fenceLine, message: "the program exited with status \(ran.status)", detail: ""))
        }
        return results
    }

    /// Splits a crashed block's text into what it printed and the trap, and finds the notebook line.
    private func crashResult(_ text: String, status: Int32, block: SwiftBlock) -> BlockResult {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bannerIndex = lines.firstIndex(where: { $0.hasPrefix("*** Signal") || $0.hasPrefix("💣") || $0.hasPrefix("*** Program crashed") })
        let fatalIndex = lines.firstIndex(where: { $0.contains("Fatal error:") })
        let cut = [bannerIndex, fatalIndex].compactMap { $0 }.min() ?? lines.count
        let printed = lines[..<cut].joined(separator: "\n").trimmingCharacters(in: .newlines)
        var line: Int?
        var message = "the program stopped (exit status \(status)) without finishing this block"
        if let fatalIndex {
            let fatal = lines[fatalIndex]
            let location = fatal.components(separatedBy: ": Fatal error:").first ?? ""
            if location.hasPrefix(document.path + ":"), let number = Int(location.dropFirst(document.path.count + 1)) {
                line = number
            }
            message = "Fatal error:" + fatal.components(separatedBy: "Fatal error:").dropFirst().joined(separator: "Fatal error:")
        } else if let crash = lines.first(where: { $0.hasPrefix("*** Program crashed:") }) {
            message = crash.replacingOccurrences(of: "*** ", with: "").replacingOccurrences(of: " ***", with: "")
        }
        if line == nil {
            let marker = " at \(document.path):"
            for frame in lines[cut...] {
                guard let range = frame.range(of: marker) else { continue }
                let digits = frame[range.upperBound...].prefix(while: \.isNumber)
                if let number = Int(digits) { line = number; break }
            }
        }
        let detail = lines[cut...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return BlockResult(
            status: .failed, output: printed, seconds: nil,
            diagnostic: Diagnostic(line: line ?? block.fenceLine, message: message, detail: detail))
    }

    private func readEvents(_ url: URL) -> [NotebookEvent] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(NotebookEvent.self, from: Data($0.utf8)) }
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
