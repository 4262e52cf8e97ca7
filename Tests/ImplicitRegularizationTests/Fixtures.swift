import Foundation
import ImplicitRegularization
import XCTest

/// The problems with independent answers in `../shared/fixtures` (or `$FIXTURES_DIR`).
enum Fixtures {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["FIXTURES_DIR"] { return URL(fileURLWithPath: override) }
        // Tests/ImplicitRegularizationTests/Fixtures.swift → the repository → ../shared/fixtures
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }

    static func names(prefix: String) throws -> [String] {
        let all = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let names = all.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        if names.isEmpty { XCTFail("no fixtures \(prefix)* in \(directory.path): is ../shared beside the repository?") }
        return names
    }

    static func problem(_ name: String) throws -> MeasurementProblem {
        try ProblemFile.read(path: directory.appendingPathComponent(name).path)
    }

    /// The fixture's `reference` object.
    static func reference(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return json["reference"] as! [String: Any]
    }
}
