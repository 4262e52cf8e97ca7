import Foundation

/// The folder that keeps each notebook's program runs and figures by content key,
/// so an unchanged notebook runs nothing and switching parameters back and forth
/// re-uses both results.
///
/// Layout: `ROOT/STEM/runs/KEY/{record.json,tables/}` for successful runs
/// (failed runs are never cached: they re-run, so a fix is seen at once), and
/// `ROOT/STEM/figures/KEY.{svg,png}` for gnuplot outputs. At most
/// ``runsKept`` runs are kept per notebook, the newest.
public struct RunCache {
    public let root: URL
    public static let runsKept = 4

    public init(root: URL) {
        self.root = root
    }

    func runFolder(stem: String, key: String) -> URL {
        root.appendingPathComponent("\(stem)/runs/\(key)", isDirectory: true)
    }

    func figureFile(stem: String, key: String, extension ext: String) -> URL {
        root.appendingPathComponent("\(stem)/figures/\(key).\(ext)")
    }

    func scratchFolder(stem: String) throws -> URL {
        let url = root.appendingPathComponent("\(stem)/scratch-\(ProcessInfo.processInfo.processIdentifier)", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The record of a successful run with this key, if one is kept.
    func record(stem: String, key: String) -> ExecutionRecord? {
        let url = runFolder(stem: stem, key: key).appendingPathComponent("record.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(ExecutionRecord.self, from: data)
    }

    /// Moves a successful run's folder (holding `tables/`) into the cache under its key.
    func store(_ record: ExecutionRecord, from folder: URL, stem: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: folder.appendingPathComponent("record.json"))
        let destination = runFolder(stem: stem, key: record.key)
        try FileManager.default.createDirectory(
            at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: folder, to: destination)
        prune(stem: stem)
    }

    private func prune(stem: String) {
        let runs = root.appendingPathComponent("\(stem)/runs", isDirectory: true)
        let folders = (try? FileManager.default.contentsOfDirectory(
            at: runs, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        let byAge = folders.sorted {
            let a = (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let b = (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return a > b
        }
        for old in byAge.dropFirst(Self.runsKept) { try? FileManager.default.removeItem(at: old) }
    }

    /// Removes everything the cache holds.
    public func clear() throws {
        if FileManager.default.fileExists(atPath: root.path) {
            try FileManager.default.removeItem(at: root)
        }
    }
}
