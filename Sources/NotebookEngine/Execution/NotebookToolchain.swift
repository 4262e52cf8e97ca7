import Foundation

/// The compiler and the notebook runtime's sources, which every kernel (``NotebookKernel``)
/// compiles in: what the runner needs whatever package the notebooks import.
public struct NotebookToolchain {
    /// The `notebook` tool's own package: the folder holding `Package.swift` and `Sources/NotebookRuntime`.
    public let projectRoot: URL
    /// The `notebook` executable's build folder, where the kernel of notebooks that declare no
    /// package is built (`notebook-kernel/`).
    public let runtimeFolder: URL
    public let swiftc: URL

    /// Finds the tool's package (the runtime's sources) from `NOTEBOOK_PROJECT_ROOT`, else upwards
    /// from the `notebook` executable, and where the runtime-only kernel is built from
    /// `NOTEBOOK_RUNTIME_DIR`, else the executable's own build folder.
    public static func locate() throws -> NotebookToolchain {
        let environment = ProcessInfo.processInfo.environment
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let buildFolder = executable.deletingLastPathComponent()
        let root: URL
        if let given = environment["NOTEBOOK_PROJECT_ROOT"] {
            root = URL(fileURLWithPath: given, isDirectory: true)
        } else {
            var candidate = buildFolder
            while !isProject(candidate) {
                let parent = candidate.deletingLastPathComponent()
                guard parent.path != candidate.path else {
                    throw NotebookError.runtimeMissing(
                        reason: "no project found above \(buildFolder.path); set NOTEBOOK_PROJECT_ROOT")
                }
                candidate = parent
            }
            root = candidate
        }
        guard let swiftc = ChildProcess.find("swiftc") else {
            throw NotebookError.runtimeMissing(reason: "swiftc is not on PATH")
        }
        let runtime = environment["NOTEBOOK_RUNTIME_DIR"].map { URL(fileURLWithPath: $0, isDirectory: true) } ?? buildFolder
        return NotebookToolchain(projectRoot: root, runtimeFolder: runtime, swiftc: swiftc)
    }

    private static func isProject(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
            && FileManager.default.fileExists(atPath: folder.appendingPathComponent("Sources/NotebookRuntime").path)
    }

    /// A cheap identity of the compiler (its resolved path, size and date).
    public func compilerIdentity() -> String {
        let resolved = swiftc.resolvingSymlinksInPath()
        let attributes = try? FileManager.default.attributesOfItem(atPath: resolved.path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(resolved.path):\(size):\(date)"
    }

    /// The compiler's own version line, for reports.
    public func compilerVersion() -> String {
        let outcome = try? ChildProcess(executable: swiftc, arguments: ["--version"], timeout: 30).run()
        return outcome?.output.textLines.first ?? "swiftc (version unknown)"
    }

    /// Compiles `files` (`main.swift`, and a resumed program's `restored.swift`) in `folder` into
    /// `folder/program`, against `kernel`.
    func compile(_ files: [String], in folder: URL, kernel: NotebookKernel, log: (String) -> Void) throws -> ChildProcess.Outcome {
        try ChildProcess(
            executable: swiftc,
            arguments: [
                "-Onone", "-g", "-swift-version", "5", "-diagnostic-style", "llvm",
                "-module-name", "NotebookProgram",
            ] + kernel.compileArguments(log: log) + files + ["-o", "program"],
            directory: folder
        ).run()
    }
}
