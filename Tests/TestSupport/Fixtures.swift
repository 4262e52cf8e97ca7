import Foundation
import ImplicitRegularization

/// The problems with independent answers that travel with the repository, in `Tests/Fixtures`
/// (copied from the project's shared fixtures: cvxpy + Clarabel minima and feasibility, scipy's
/// LSODA flow; each file's `reference` says which), or in `$FIXTURES_DIR` when it is set.
/// Every test target reads them through this one type.
public enum Fixtures {
    /// The repository's root: `Tests/TestSupport/Fixtures.swift` → `Tests` → the root.
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `$FIXTURES_DIR`, or `Tests/Fixtures` in this repository.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["FIXTURES_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repository.appendingPathComponent("Tests/Fixtures")
    }

    /// A fixture that is not where it should be: named, with where it was looked for.
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
    }

    /// The path of fixture `name` (throws ``Missing`` when the file is not there).
    public static func path(_ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "fixture \(name) is not in \(directory.path)"
                + (ProcessInfo.processInfo.environment["FIXTURES_DIR"] == nil ? "" : " (FIXTURES_DIR)"))
        }
        return url.path
    }

    /// The fixtures whose names start with `prefix`, sorted (throws when there are none).
    public static func names(prefix: String) throws -> [String] {
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let names = all.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
        if names.isEmpty { throw Missing(description: "no fixtures \(prefix)*.json in \(directory.path)") }
        return names
    }

    /// Fixture `name` as a problem.
    public static func problem(_ name: String) throws -> MeasurementProblem {
        try ProblemFile.read(path: path(name))
    }

    /// Fixture `name` as parsed JSON.
    public static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(name)))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Missing(description: "fixture \(name) is not a JSON object")
        }
        return object
    }

    /// The fixture's `reference` object: the answers of independent solvers.
    public static func reference(_ name: String) throws -> [String: Any] {
        guard let reference = try json(name)["reference"] as? [String: Any] else {
            throw Missing(description: "fixture \(name) has no \"reference\" object")
        }
        return reference
    }
}

/// MovieLens-100k, which is never committed (its licence forbids redistribution).
public enum MovieLensData {
    /// Where the tests look, in order: `$MOVIELENS_DIR` and `data/ml-100k` in the repository
    /// (`make test` links the latter to a copy it finds beside the repository).
    public static var candidates: [String] {
        var folders: [String] = []
        if let override = ProcessInfo.processInfo.environment["MOVIELENS_DIR"], !override.isEmpty { folders.append(override) }
        folders.append(Fixtures.repository.appendingPathComponent("data/ml-100k").path)
        return folders
    }

    /// The first candidate holding `ua.base`, or nil.
    public static var directory: String? {
        candidates.first { FileManager.default.fileExists(atPath: $0 + "/ua.base") }
    }

    /// Why a test that needs the data is skipped, and how to provide it.
    public static var missingMessage: String {
        "MovieLens-100k not found (looked for ua.base in \(candidates.joined(separator: ", "))): "
            + "download ml-100k.zip from GroupLens (grouplens.org/datasets/movielens/100k) and put ua.base and ua.test "
            + "in data/ml-100k/ in the repository, or point MOVIELENS_DIR at the folder holding them"
    }
}
