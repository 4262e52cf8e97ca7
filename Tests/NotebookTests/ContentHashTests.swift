import Foundation
import NotebookEngine
import XCTest

/// The cache keys' digest of a folder: its files' names and contents, less the skipped extensions.
final class ContentHashTests: XCTestCase {
    func testAFolderDigestFollowsItsSourcesAndSkipsItsProse() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("content-hash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        func digest(skipping: Set<String> = ["md"]) -> String {
            var hash = ContentHash()
            hash.add(fileOrFolder: folder, skipping: skipping)
            return hash.hex
        }
        try write("Solver.swift", "let x = 1\n")
        try write("README.md", "# A module\n")
        let first = digest()
        try write("README.md", "# A module, described again\n")
        XCTAssertEqual(digest(), first, "a README edit changes no key")
        XCTAssertNotEqual(digest(skipping: []), digest(), "unless .md files count")
        try write("Solver.swift", "let x = 2\n")
        XCTAssertNotEqual(digest(), first, "a source edit changes the key")
    }
}
