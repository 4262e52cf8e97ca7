import Foundation

/// Where the notebook programs' library lives and how to compile against it.
///
/// The runtime is the dynamic library product `NotebookRuntime` (the block API,
/// `ImplicitRegularization` and `LinearAlgebra`), built once by SwiftPM beside
/// the `notebook` executable. Every notebook compiles against it with `swiftc`
/// alone, in about a second, and it is rebuilt only when its sources are newer.
public struct NotebookToolchain {
    /// The project: the folder holding `Package.swift` and `Sources/NotebookRuntime`.
    public let projectRoot: URL
    /// The build folder holding `libNotebookRuntime.so` and `Modules/`.
    public let runtimeFolder: URL
    public let swiftc: URL

    /// The library targets a notebook program links; their sources are part of every cache key.
    public static let librarySources = ["LinearAlgebra", "ImplicitRegularization", "NotebookRuntime", "COpenBLAS"]

    /// Finds the project from `NOTEBOOK_PROJECT_ROOT`, else upwards from the
    /// `notebook` executable, and the runtime from `NOTEBOOK_RUNTIME_DIR`, else
    /// the executable's own build folder.
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

    var library: URL { runtimeFolder.appendingPathComponent("libNotebookRuntime.so") }

    private var sourceFiles: [URL] {
        Self.librarySources.flatMap { target -> [URL] in
            let folder = projectRoot.appendingPathComponent("Sources/\(target)")
            return (FileManager.default.subpaths(atPath: folder.path) ?? []).sorted()
                .filter { !$0.hasSuffix(".md") }.map { folder.appendingPathComponent($0) }
        }
    }

    /// A digest of the library's sources.
    public func librarySourcesDigest() -> String {
        var hash = ContentHash()
        for target in Self.librarySources {
            hash.add(target)
            // The modules' READMEs are prose: editing one reruns no notebook.
            hash.add(fileOrFolder: projectRoot.appendingPathComponent("Sources/\(target)"), skipping: ["md"])
        }
        return hash.hex
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

    /// Builds the runtime with SwiftPM when it is missing or older than its sources.
    public func prepareRuntime(log: (String) -> Void) throws {
        let built = (try? FileManager.default.attributesOfItem(atPath: library.path)[.modificationDate] as? Date) ?? nil
        let newestSource = sourceFiles.compactMap {
            try? FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as? Date
        }.max() ?? .distantPast
        if let built, built >= newestSource { return }
        guard let swift = ChildProcess.find("swift") else {
            throw NotebookError.runtimeMissing(reason: "swift is not on PATH")
        }
        let configuration = runtimeFolder.lastPathComponent == "debug" ? "debug" : "release"
        log("building the notebook runtime (swift build -c \(configuration) --product NotebookRuntime)…")
        let outcome = try ChildProcess(
            executable: swift, arguments: ["build", "-c", configuration, "--product", "NotebookRuntime"],
            directory: projectRoot
        ).run()
        guard outcome.status == 0, FileManager.default.fileExists(atPath: library.path) else {
            throw NotebookError.runtimeMissing(reason: "swift build failed:\n\(outcome.output)")
        }
    }

    /// Compiles `main.swift` in `folder` into `folder/program`.
    func compile(in folder: URL) throws -> ChildProcess.Outcome {
        try ChildProcess(
            executable: swiftc,
            arguments: [
                "-Onone", "-g", "-swift-version", "5", "-diagnostic-style", "llvm",
                "-module-name", "NotebookProgram",
                "-I", runtimeFolder.appendingPathComponent("Modules").path,
                "-I", projectRoot.appendingPathComponent("Sources/COpenBLAS").path,
                "-L", runtimeFolder.path, "-lNotebookRuntime",
                "-Xlinker", "-rpath", "-Xlinker", runtimeFolder.path,
                "main.swift", "-o", "program",
            ],
            directory: folder
        ).run()
    }
}
