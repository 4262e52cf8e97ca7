import Foundation
import Yams

/// The kernel a notebook's Swift blocks run in: a SwiftPM package and the library products of it
/// that the blocks import.
///
/// Declared in the notebook's front matter, or for every notebook below it in a project file
/// `notebook.yml` (the nearest one in the notebook's folder or above it); the front matter wins:
///
/// ```yaml
/// kernel:
///   package: .                          # the folder holding Package.swift, relative to the file
///   products: [Squares, SquaresPlot]    # library products; the blocks import their modules
///   environment: [OPENBLAS_CORETYPE]    # optional: variables whose values change what it computes
/// ```
///
/// `environment` names the environment variables the kernel's results depend on (a BLAS library's
/// choice of kernels, say): their values, or their absence, are part of every run's key and of the
/// digest a program's own state keys on (`NotebookSession.library`), so a result computed under one
/// value is never served under another.
///
/// Without either, a notebook inside a SwiftPM package (a `Package.swift` in its folder or above,
/// and no `notebook.yml` anywhere above it) runs in that package with all its library products, in
/// the manifest's order; anywhere else the blocks import only the notebook runtime (`Table`,
/// `check`, `Parameters`…).
public struct KernelDeclaration: Hashable, Sendable {
    /// The package's folder (absolute), or nil for the runtime alone.
    public var package: URL?
    /// The library products the blocks import, in the order given; empty with a package: all of
    /// its library products (the kernel of a package that declares none).
    public var products: [String]
    /// Environment variables whose values change what the kernel computes (part of each run's key).
    public var environment: [String] = []
    /// Where it was declared: the notebook or the project file.
    public var origin: String
    /// The line of the `kernel:` key in `origin`.
    public var line: Int

    /// The runtime alone: no package.
    public static let runtimeOnly = KernelDeclaration(package: nil, products: [], origin: "the notebook runtime", line: 0)

    /// The project file's name.
    public static let projectFileName = "notebook.yml"

    /// Reads a `kernel:` mapping (`package`, `products`) from a front matter or a project file;
    /// `package` is relative to `base`. Bad shapes are refused at their line of `path` (`firstLine`:
    /// the file's line of the YAML's first line).
    static func read(_ node: Node, path: String, line: Int, firstLine: Int, base: URL) throws -> KernelDeclaration {
        guard let mapping = node.mapping else {
            throw NotebookError.badFrontMatter(path: path, line: line, reason: "kernel is a mapping: package: PATH, products: [NAME, …]")
        }
        var package: URL?
        var products: [String] = []
        var environment: [String] = []
        for (key, value) in mapping {
            let keyLine = key.mark.map { $0.line - 1 + firstLine } ?? line
            switch key.scalar?.string {
            case "package":
                guard let text = value.scalar?.string, !text.isEmpty else {
                    throw NotebookError.badFrontMatter(path: path, line: keyLine, reason: "kernel.package is the path of a folder holding Package.swift")
                }
                let folder = text.hasPrefix("/") ? URL(fileURLWithPath: text, isDirectory: true)
                    : base.appendingPathComponent(text, isDirectory: true)
                package = folder.standardizedFileURL
            case "products":
                guard let names = value.scalarList, !names.isEmpty, names.allSatisfy(Self.isModuleName) else {
                    throw NotebookError.badFrontMatter(
                        path: path, line: keyLine, reason: "kernel.products is a list of library product names (letters, digits, _)")
                }
                products = names
            case "environment":
                guard let names = value.scalarList, names.allSatisfy({ !$0.isEmpty && !$0.contains("=") && !$0.contains("\0") }) else {
                    throw NotebookError.badFrontMatter(
                        path: path, line: keyLine, reason: "kernel.environment is a list of environment variables' names")
                }
                environment = names
            case let other:
                throw NotebookError.badFrontMatter(
                    path: path, line: keyLine, reason: "unknown key 'kernel.\(InfoString.shown(other ?? "?"))' (known: package, products, environment)")
            }
        }
        guard let package else {
            throw NotebookError.badFrontMatter(path: path, line: line, reason: "kernel needs package: the folder holding Package.swift")
        }
        guard FileManager.default.fileExists(atPath: package.appendingPathComponent("Package.swift").path) else {
            throw NotebookError.badFrontMatter(
                path: path, line: line, reason: "kernel.package: no Package.swift in \(package.path)")
        }
        guard !products.isEmpty else {
            throw NotebookError.badFrontMatter(path: path, line: line, reason: "kernel needs products: the library products the blocks import")
        }
        var declaration = KernelDeclaration(package: package, products: products, origin: path, line: line)
        declaration.environment = environment
        return declaration
    }

    static func isModuleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
    }

    /// The nearest `notebook.yml` in `folder` or above it, read; when there is none, the nearest
    /// SwiftPM package's library products (``package(_:)``); nil when there is neither.
    public static func projectFile(above folder: URL) throws -> KernelDeclaration? {
        var candidate = folder.standardizedFileURL
        var nearestPackage: URL?
        while true {
            let file = candidate.appendingPathComponent(projectFileName)
            if FileManager.default.fileExists(atPath: file.path) { return try readProjectFile(file) }
            if nearestPackage == nil, FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                nearestPackage = candidate
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return nearestPackage.map(package) }
            candidate = parent
        }
    }

    /// The kernel of a notebook in `folder`'s package that declares none: all its library products.
    public static func package(_ folder: URL) -> KernelDeclaration {
        KernelDeclaration(
            package: folder, products: [],
            origin: NotebookRunner.displayPath(folder.appendingPathComponent("Package.swift")), line: 1)
    }

    /// Reads a project file: one key, `kernel`.
    static func readProjectFile(_ file: URL) throws -> KernelDeclaration {
        let path = NotebookRunner.displayPath(file)
        guard let data = try? Data(contentsOf: file), let text = String(data: data, encoding: .utf8) else {
            throw NotebookError.unreadable(path: path, reason: "not UTF-8 text")
        }
        if let (line, reason) = YAMLBounds.violation(in: text) {
            throw NotebookError.badFrontMatter(path: path, line: line, reason: reason)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw NotebookError.badFrontMatter(path: path, line: 1, reason: "\(error)")
        }
        guard let mapping = node?.mapping else {
            throw NotebookError.badFrontMatter(path: path, line: 1, reason: "expected 'kernel:' with package and products")
        }
        var declaration: KernelDeclaration?
        for (key, value) in mapping {
            let line = key.mark?.line ?? 1
            guard key.scalar?.string == "kernel" else {
                throw NotebookError.badFrontMatter(
                    path: path, line: line, reason: "unknown key '\(InfoString.shown(key.scalar?.string ?? "?"))' (known: kernel)")
            }
            declaration = try read(value, path: path, line: line, firstLine: 1, base: file.deletingLastPathComponent())
        }
        guard let declaration else {
            throw NotebookError.badFrontMatter(path: path, line: 1, reason: "expected 'kernel:' with package and products")
        }
        return declaration
    }
}
