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

    /// The first lane is FNV-1a 64 (its published value for "a" is af63dc4c8601ec8c, for "foobar"
    /// 85944171f73967e8), and contiguous bytes (read through a pointer) digest as the same bytes
    /// read one by one.
    func testContiguousBytesDigestAsTheSameBytesOneByOne() {
        func digest(_ bytes: some Sequence<UInt8>) -> String {
            var hash = ContentHash()
            hash.add(bytes)
            return hash.hex
        }
        XCTAssertTrue(digest(Data("a".utf8)).hasPrefix("af63dc4c8601ec8c"))
        XCTAssertTrue(digest([UInt8]("foobar".utf8)).hasPrefix("85944171f73967e8"))
        let bytes = (0..<1_000_003).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
        let oneByOne = digest(bytes.lazy.map { $0 })
        XCTAssertEqual(digest(Data(bytes)), oneByOne)
        XCTAssertEqual(digest(bytes), oneByOne)
        XCTAssertNotEqual(digest(bytes.dropLast()), oneByOne)
    }
}
