import Foundation
import Yams

/// The project file `notebook.yml`: what every notebook in its folder or below it shares unless its
/// front matter says otherwise. Two keys, both optional but not both absent: `kernel:`
/// (``KernelDeclaration``, which a front matter's replaces) and `executor:` (``ExecutorDeclaration``,
/// whose keys a front matter's override one by one).
public struct ProjectFile: Sendable {
    public var kernel: KernelDeclaration?
    public var executor: ExecutorDeclaration?

    /// The nearest `notebook.yml` in `folder` or above it, read (nil when there is none), and the
    /// nearest folder holding `Package.swift` from `folder` up (to the file's folder when there is one,
    /// else to the root): the kernel of a project file that declares none.
    public static func nearest(above folder: URL) throws -> (file: ProjectFile?, nearestPackage: URL?) {
        var candidate = folder.standardizedFileURL
        var nearestPackage: URL?
        var file: ProjectFile?
        while true {
            if nearestPackage == nil, FileManager.default.fileExists(atPath: candidate.appendingPathComponent("Package.swift").path) {
                nearestPackage = candidate
            }
            let path = candidate.appendingPathComponent(KernelDeclaration.projectFileName)
            if file == nil, FileManager.default.fileExists(atPath: path.path) {
                file = try read(path)
                if file?.kernel != nil || nearestPackage != nil { return (file, nearestPackage) }
            }
            let parent = candidate.deletingLastPathComponent()
            if parent.path == candidate.path { return (file, nearestPackage) }
            candidate = parent
        }
    }

    /// Reads a project file; refuses unknown keys and bad values at their lines.
    static func read(_ file: URL) throws -> ProjectFile {
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
        let expected = "expected 'kernel:' (package and products) or 'executor:'"
        guard let mapping = node?.mapping else {
            throw NotebookError.badFrontMatter(path: path, line: 1, reason: expected)
        }
        var project = ProjectFile()
        for (key, value) in mapping {
            let line = key.mark?.line ?? 1
            switch key.scalar?.string {
            case "kernel":
                project.kernel = try KernelDeclaration.read(value, path: path, line: line, firstLine: 1, base: file.deletingLastPathComponent())
            case "executor":
                project.executor = try ExecutorDeclaration.read(value, path: path, line: line, firstLine: 1)
            case let other:
                throw NotebookError.badFrontMatter(
                    path: path, line: line, reason: "unknown key '\(InfoString.shown(other ?? "?"))' (known: kernel, executor)")
            }
        }
        guard project.kernel != nil || project.executor != nil else {
            throw NotebookError.badFrontMatter(path: path, line: 1, reason: expected)
        }
        return project
    }
}
