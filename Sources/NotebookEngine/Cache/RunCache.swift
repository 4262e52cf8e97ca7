#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import DurableFiles
import Foundation
import NotebookRuntime

/// The folder that keeps each notebook's program runs and figures by content key,
/// so an unchanged notebook runs nothing and switching parameters back and forth
/// re-uses both results.
///
/// Layout: `ROOT/CACHEDIR.TAG` (the marker: `notebook clean` removes only a folder
/// holding it), `ROOT/STEM/runs/KEY/{record.json,tables/,block-K.txt}` for successful
/// runs (failed runs are never cached: they re-run, so a fix is seen at once),
/// `ROOT/STEM/figures/KEY.{svg,png}` for gnuplot outputs, `ROOT/STEM/state/` for what the
/// notebook keeps itself (``NotebookSession/cacheFolder``), `ROOT/STEM/scratch-PID-UUID/`
/// for a run in progress, and `ROOT/STEM/.lock`. At most ``runsKept`` runs are kept per
/// notebook, the newest.
///
/// Safe under concurrent runners: each run has its own scratch folder, removed when it
/// ends (and by the next runner when its process died); a run enters the cache by
/// `rename(2)` under the notebook's lock held exclusively (replacing an entry with the
/// same key by moving it aside first), and a cached run is read under the lock held
/// shared, so neither a replacement nor pruning pulls a run from under its reader.
public struct RunCache {
    public let root: URL
    public static let runsKept = 4
    /// The marker's name and first line, from the Cache Directory Tagging Specification
    /// (so backup tools skip the folder too).
    public static let markerName = "CACHEDIR.TAG"
    static let markerSignature = "Signature: 8a477f597d28d172789f06886806bc55"

    public init(root: URL) {
        self.root = root
    }

    var marker: URL { root.appendingPathComponent(Self.markerName) }

    /// Whether the folder is one the runner made: it holds the runner's marker (`CACHEDIR.TAG` with
    /// its signature). Nothing else makes a folder a cache, whatever its shape: a folder of the
    /// user's whose subfolders happen to be called `runs`, `figures` or `state` is not one, and
    /// neither `clean` removes it nor `run` adopts it. (A cache made before the marker is refused
    /// alike: remove it once by hand.)
    public func isRecognisable() -> Bool {
        guard let data = try? Data(contentsOf: marker) else { return false }
        return LossyText.decode(data).hasPrefix(Self.markerSignature)
    }

    /// Creates the folder with its marker, or checks that an existing one is a cache (or
    /// empty): a runner never writes its marker into a folder of other files, so that
    /// `notebook clean` can never be pointed at one.
    public func prepare() throws {
        let manager = FileManager.default
        for _ in 0..<3 {
            var isFolder: ObjCBool = false
            if manager.fileExists(atPath: root.path, isDirectory: &isFolder) {
                guard isFolder.boolValue else {
                    throw NotebookError.notACache(path: root.path, reason: "--cache names a file, not a folder")
                }
                if isRecognisable() {
                    if !manager.fileExists(atPath: marker.path) { try AtomicFile.write(Self.markerText, to: marker) }
                    return
                }
                guard ((try? manager.contentsOfDirectory(atPath: root.path)) ?? []).isEmpty else {
                    throw NotebookError.notACache(
                        path: root.path,
                        reason: "--cache names a folder that is not a notebook cache (no \(Self.markerName) from notebook in it); give a new or empty folder")
                }
            }
            // A new folder with its marker, renamed into place: it replaces nothing but an empty
            // folder, so runners starting at once never see a cache without its marker.
            let parent = root.deletingLastPathComponent()
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
            let fresh = parent.appendingPathComponent(".\(root.lastPathComponent).new-\(UUID().uuidString.prefix(8))", isDirectory: true)
            try manager.createDirectory(at: fresh, withIntermediateDirectories: false)
            try Self.markerText.write(to: fresh.appendingPathComponent(Self.markerName))
            if rename(fresh.path, root.path) == 0 { return }
            try? manager.removeItem(at: fresh)
            // Another runner made it first (or a file appeared): look again.
        }
        throw NotebookError.notACache(path: root.path, reason: "cannot create the cache folder")
    }

    static let markerText = Data("""
        \(markerSignature)
        # This file was created by `notebook run`: this folder caches notebook runs and figures.
        # `notebook clean` removes it; see https://bford.info/cachedir/

        """.utf8)

    func runFolder(stem: String, key: String) -> URL {
        root.appendingPathComponent("\(stem)/runs/\(key)", isDirectory: true)
    }

    /// The folder a notebook keeps state of its own in (``NotebookSession/cacheFolder``).
    func stateFolder(stem: String) -> URL {
        root.appendingPathComponent("\(stem)/state", isDirectory: true)
    }

    func figureFile(stem: String, key: String, extension ext: String) -> URL {
        root.appendingPathComponent("\(stem)/figures/\(key).\(ext)")
    }

    /// A new folder for one run (or drawing) of this process, which nothing else uses;
    /// removed by ``removeScratch(_:)``, or by a later runner when this process died.
    func scratchFolder(stem: String) throws -> URL {
        let name = "scratch-\(getpid())-\(UUID().uuidString.prefix(8))"
        let url = root.appendingPathComponent("\(stem)/\(name)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        RunnerCleanup.shared.add(folder: url)
        return url
    }

    func removeScratch(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        RunnerCleanup.shared.remove(folder: url)
    }

    /// Removes the scratch folders of runners that are no longer running.
    func sweepAbandonedScratch(stem: String) {
        let folder = root.appendingPathComponent(stem, isDirectory: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasPrefix("scratch-") {
            let digits = name.dropFirst("scratch-".count).prefix(while: \.isNumber)
            guard let pid = pid_t(digits), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }

    /// Runs `body` holding `ROOT/STEM/.lock`, shared or exclusive (`flock(2)`: released if the runner dies).
    func withLock<T>(stem: String, exclusive: Bool, _ body: () throws -> T) throws -> T {
        let folder = root.appendingPathComponent(stem, isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try FileLock.withLock(file: folder.appendingPathComponent(".lock"), exclusive: exclusive, body)
    }

    /// The file, beside a run's record, holding the digest of every other file of the run's folder
    /// as it was stored (a dot file: the digest leaves dot files out).
    static let integrityFile = ".integrity"

    /// The digest of a run's folder: every file but dot files, by relative path and contents.
    static func integrity(of folder: URL) -> String {
        var hash = ContentHash()
        hash.add(fileOrFolder: folder)
        return hash.hex
    }

    /// Why a kept run may not be served, or nil when it may: its record must carry the key its
    /// folder is named by (two runs' folders swapped would not), and its files must be the bytes
    /// stored (an edited snapshot, table or record would not).
    static func rejection(of record: ExecutionRecord, in folder: URL, key: String) -> String? {
        guard record.key == key else { return "its record is another run's (key \(record.key.prefix(12))…)" }
        guard let stored = try? String(contentsOf: folder.appendingPathComponent(integrityFile), encoding: .utf8) else {
            return "it has no digest of its files"
        }
        guard stored == integrity(of: folder) else { return "its files changed after it was stored" }
        return nil
    }

    /// The record kept under `key`, if there is one that decodes: the record, or why it may not be
    /// used (``rejection(of:in:key:)``; not looked for when `checked` is false). Called under the lock.
    private func keptRecord(stem: String, key: String, checked: Bool = true) -> Result<ExecutionRecord, Rejected>? {
        let folder = runFolder(stem: stem, key: key)
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("record.json")) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(ExecutionRecord.self, from: data) else { return nil }
        guard checked else { return .success(record) }
        return Self.rejection(of: record, in: folder, key: key).map { .failure(Rejected(reason: $0)) } ?? .success(record)
    }

    private struct Rejected: Error {
        var reason: String
    }

    /// The record of a successful run with this key and its tables' text, read together
    /// under the lock, if one is kept and passes its check (``rejection(of:in:key:)``; a run that
    /// fails it is named to `say` and not served).
    func load(stem: String, key: String, say: (String) -> Void = { _ in }) -> (record: ExecutionRecord, tables: [String: String])? {
        try? withLock(stem: stem, exclusive: false) { () -> (ExecutionRecord, [String: String])? in
            switch keptRecord(stem: stem, key: key) {
            case nil: return nil
            case .failure(let rejected)?:
                say("the kept run \(key.prefix(12))… is not served: \(rejected.reason); running again")
                return nil
            case .success(let record)?:
                let folder = runFolder(stem: stem, key: key)
                var tables: [String: String] = [:]
                for table in record.tables {
                    guard let text = try? Data(contentsOf: folder.appendingPathComponent("tables/\(table.name).tsv")) else { return nil }
                    tables[table.name] = LossyText.decode(text)
                }
                return (record, tables)
            }
        } ?? nil
    }

    /// The records of the runs kept for a notebook, by key, as they decode, not yet checked (read
    /// under the lock): ``rejection(stem:key:)`` checks the one that is to be used, so that a
    /// choice among runs reads only the chosen run's files whole (its values may be hundreds of MB).
    func uncheckedRecords(stem: String) -> [(key: String, record: ExecutionRecord)] {
        (try? withLock(stem: stem, exclusive: false) { () -> [(key: String, record: ExecutionRecord)] in
            let runs = root.appendingPathComponent("\(stem)/runs", isDirectory: true)
            return ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                .compactMap { key in
                    guard case .success(let record)? = keptRecord(stem: stem, key: key, checked: false) else { return nil }
                    return (key, record)
                }
        }) ?? []
    }

    /// Why the run kept under `key` may not be used (``rejection(of:in:key:)``), or nil when it may
    /// (read under the lock; a run that is gone is "no longer kept").
    func rejection(stem: String, key: String) -> String? {
        do {
            return try withLock(stem: stem, exclusive: false) { () -> String? in
                switch keptRecord(stem: stem, key: key) {
                case nil: return "it is no longer kept"
                case .failure(let rejected)?: return rejected.reason
                case .success?: return nil
                }
            }
        } catch {
            return "its lock could not be taken (\(error.localizedDescription))"
        }
    }

    /// Copies files and folders (paths relative to the run's folder) of a cached run into
    /// `folder`, under the lock; those missing are left out. Returns false when the run is gone.
    func copy(stem: String, key: String, items: [String], into folder: URL) throws -> Bool {
        try withLock(stem: stem, exclusive: false) {
            let run = runFolder(stem: stem, key: key)
            guard FileManager.default.fileExists(atPath: run.appendingPathComponent("record.json").path) else { return false }
            for item in items {
                let source = run.appendingPathComponent(item)
                guard FileManager.default.fileExists(atPath: source.path) else { continue }
                let destination = folder.appendingPathComponent(item)
                try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? FileManager.default.removeItem(at: destination)
                try FileManager.default.copyItem(at: source, to: destination)
            }
            return true
        }
    }

    /// The snapshot after `block` of a cached run, taken into `folder` under the lock: its log's
    /// lines through that block (`snapshots.jsonl`) and every value file they name (`values/`),
    /// hard-linked, not copied, so that a value saved once is stored once however many runs
    /// resume from it (copied only where the file system cannot link). Nil when the run is gone,
    /// its log does not reach the block or names a file it lacks.
    func linkSnapshot(stem: String, key: String, through block: Int, into folder: URL) throws -> StateSnapshot? {
        try withLock(stem: stem, exclusive: false) {
            let run = runFolder(stem: stem, key: key)
            guard let log = try? Data(contentsOf: run.appendingPathComponent(NotebookState.logName)),
                  let snapshot = StateSnapshot(log: log, through: block) else { return nil }
            let values = folder.appendingPathComponent(NotebookState.valuesFolderName, isDirectory: true)
            try FileManager.default.createDirectory(at: values, withIntermediateDirectories: true)
            for file in snapshot.namedFiles {
                guard !file.contains("/"), !file.hasPrefix(".") else { return nil }
                let source = run.appendingPathComponent("\(NotebookState.valuesFolderName)/\(file)")
                let destination = values.appendingPathComponent(file)
                if link(source.path, destination.path) != 0 && errno != EEXIST {
                    guard FileManager.default.fileExists(atPath: source.path) else { return nil }
                    try FileManager.default.copyItem(at: source, to: destination)
                }
            }
            try snapshot.lines.write(to: folder.appendingPathComponent(NotebookState.logName))
            return snapshot
        }
    }

    /// Copies a cached run's file (a block's whole output) to `destination`, under the lock.
    func copy(stem: String, key: String, file: String, to destination: URL) throws {
        try withLock(stem: stem, exclusive: false) {
            try AtomicFile.copy(runFolder(stem: stem, key: key).appendingPathComponent(file), to: destination)
        }
    }

    /// Moves a successful run's folder (holding `tables/`) into the cache under its key, by
    /// rename, replacing a kept run of the same key.
    func store(_ record: ExecutionRecord, from folder: URL, stem: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: folder.appendingPathComponent("record.json"))
        // The program and its source are not results.
        for name in ["program", "main.swift", NotebookProgram.restoredFileName] { try? FileManager.default.removeItem(at: folder.appendingPathComponent(name)) }
        try Data(Self.integrity(of: folder).utf8).write(to: folder.appendingPathComponent(Self.integrityFile))
        let destination = runFolder(stem: stem, key: record.key)
        try withLock(stem: stem, exclusive: true) {
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            shareValues(of: folder, stem: stem)
            var aside: URL?
            if FileManager.default.fileExists(atPath: destination.path) {
                let replaced = destination.deletingLastPathComponent().appendingPathComponent(".replaced-\(UUID().uuidString)")
                guard rename(destination.path, replaced.path) == 0 else { throw Self.renameError(destination, errno) }
                aside = replaced
            }
            guard rename(folder.path, destination.path) == 0 else {
                let code = errno
                if let aside { _ = rename(aside.path, destination.path) }
                throw Self.renameError(destination, code)
            }
            if let aside { try? FileManager.default.removeItem(at: aside) }
            RunnerCleanup.shared.remove(folder: folder)
            prune(stem: stem)
        }
    }

    /// Replaces each value file of the run in `folder` that a kept run of the notebook holds with
    /// the same name and the same bytes (a value computed again, unchanged, by a full run) by a
    /// hard link to that file, so that the cache holds its bytes once. Called with the notebook's
    /// lock held exclusively; a file that cannot be linked stays as it is.
    private func shareValues(of folder: URL, stem: String) {
        let manager = FileManager.default
        let values = folder.appendingPathComponent(NotebookState.valuesFolderName, isDirectory: true)
        let runs = root.appendingPathComponent("\(stem)/runs", isDirectory: true)
        let kept = ((try? manager.contentsOfDirectory(atPath: runs.path)) ?? []).filter { !$0.hasPrefix(".") }
        for name in (try? manager.contentsOfDirectory(atPath: values.path)) ?? [] where !name.hasPrefix(".") {
            let file = values.appendingPathComponent(name)
            var own = stat()
            guard stat(file.path, &own) == 0, own.st_nlink == 1 else { continue }
            for run in kept {
                let other = runs.appendingPathComponent("\(run)/\(NotebookState.valuesFolderName)/\(name)")
                var theirs = stat()
                guard stat(other.path, &theirs) == 0, theirs.st_size == own.st_size, (theirs.st_mode & S_IFMT) == S_IFREG,
                      Self.sameBytes(file, other) else { continue }
                let linked = values.appendingPathComponent(".\(name).link-\(UUID().uuidString.prefix(8))")
                if link(other.path, linked.path) == 0 {
                    if rename(linked.path, file.path) != 0 { unlink(linked.path) }
                }
                break
            }
        }
    }

    /// Whether two files hold the same bytes (read in 1 MB pieces).
    static func sameBytes(_ a: URL, _ b: URL) -> Bool {
        guard let first = try? FileHandle(forReadingFrom: a), let second = try? FileHandle(forReadingFrom: b) else { return false }
        defer { try? first.close(); try? second.close() }
        do {
            while true {
                let (x, y) = (try first.read(upToCount: 1 << 20) ?? Data(), try second.read(upToCount: 1 << 20) ?? Data())
                if x != y { return false }
                if x.isEmpty { return true }
            }
        } catch {
            return false
        }
    }

    private static func renameError(_ url: URL, _ code: Int32) -> Error {
        CocoaError(.fileWriteUnknown, userInfo: [
            NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "cannot move a run to \(url.path): \(String(cString: strerror(code)))",
        ])
    }

    /// Called with the notebook's lock held exclusively.
    private func prune(stem: String) {
        let runs = root.appendingPathComponent("\(stem)/runs", isDirectory: true)
        // Only the runner's own run folders (a record in each): anything else under runs/ is left alone.
        let folders = ((try? FileManager.default.contentsOfDirectory(
            at: runs, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { !$0.lastPathComponent.hasPrefix(".") && FileManager.default.fileExists(atPath: $0.appendingPathComponent("record.json").path) }
        let byAge = folders.sorted {
            let a = (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            let b = (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            return a > b
        }
        for old in byAge.dropFirst(Self.runsKept) { try? FileManager.default.removeItem(at: old) }
    }

    /// What ``clear()`` removed.
    public enum Cleared: Equatable, Sendable {
        /// Nothing was there.
        case nothing
        /// The cache folder and everything in it.
        case cache
        /// The cache was reached through a symbolic link: the link alone was removed, and the
        /// cache it pointed to (this path) stays.
        case link(to: String)
    }

    /// Removes everything the cache holds; refuses a folder that is not recognisably a
    /// notebook cache (``isRecognisable()``). A cache reached through a symbolic link is not
    /// followed: the link is removed and the folder it names stays, as ``Cleared/link(to:)`` says.
    @discardableResult
    public func clear() throws -> Cleared {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isFolder) else {
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: root.path)) != nil {
                throw NotebookError.notACache(path: root.path, reason: "not removed: a symbolic link to nothing, not a notebook cache")
            }
            return .nothing
        }
        guard isFolder.boolValue, isRecognisable() else {
            throw NotebookError.notACache(
                path: root.path,
                reason: "not removed: it is not a notebook cache (no \(Self.markerName) written by notebook run in it)")
        }
        let link = (try? FileManager.default.attributesOfItem(atPath: root.path))?[.type] as? FileAttributeType == .typeSymbolicLink
        let target = root.resolvingSymlinksInPath().path
        try FileManager.default.removeItem(at: root)
        return link ? .link(to: target) : .cache
    }
}
