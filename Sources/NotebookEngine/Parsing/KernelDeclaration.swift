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

    /// The kernel of the nearest `notebook.yml` in `folder` or above it (``ProjectFile``); when there
    /// is none, or it declares no kernel, the nearest SwiftPM package's library products
    /// (``package(_:)``); nil when there is neither.
    public static func projectFile(above folder: URL) throws -> KernelDeclaration? {
        let found = try ProjectFile.nearest(above: folder)
        return found.file?.kernel ?? found.nearestPackage.map(package)
    }

    /// The kernel of a notebook in `folder`'s package that declares none: all its library products.
    public static func package(_ folder: URL) -> KernelDeclaration {
        KernelDeclaration(
            package: folder, products: [],
            origin: NotebookRunner.displayPath(folder.appendingPathComponent("Package.swift")), line: 1)
    }
}
