#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// The values a notebook's blocks leave behind, kept between runs so that an edit to block k
/// re-runs only blocks k, k+1, … (knitr's cached chunks, for Swift).
///
/// After block k the generated program calls ``keep(_:block:mutable:savedAs:_:)`` for each
/// top-level `let`/`var` block k declares, then ``commit(block:)``, which saves each value once:
/// a `let` after the block that declares it, a `var` again only after a block that changed it.
/// A value goes to `values/NAME@K.json` of the run's folder (Doubles in Swift's shortest
/// round-trip form, NaN and ±infinity as the strings `"NaN"`, `"+Inf"`, `"-Inf"`, so every value
/// comes back bit for bit), a `[Double]` to `values/NAME@K.f64` (its bytes), and each commit
/// appends one line to `snapshots.jsonl`: what block k saved and what it could not save
/// (``Change``). The snapshot after block k is the replay of the lines through k, so the work and
/// the files per block are those of its own values, not of every value declared so far.
///
/// A `var` has changed when its bits differ from the copy kept of it when it was last saved. The
/// values a snapshot holds hold no class instance (``uncarriedState(in:)``), and the storage of
/// arrays, strings, dictionaries and sets is copied on write: while a copy is kept, a change to
/// any element gives the value new storage, hence new bits. Equal bits are therefore the same
/// value; unequal bits (a change, or padding bytes) re-save it. The cost of a `var` that a block
/// changes in place is one copy of its storage. (Outside this reasoning: a hand-written Codable
/// type that encodes memory it reaches through a raw pointer it holds; a change made through the
/// pointer leaves the value's bits as they were.)
///
/// A resumed program declares the restored blocks' values as
/// `var x = NotebookState.restore("x", file: "x@2.json") { <the original initializer> }` in a file
/// of their own, where Swift initializes a global on its first use: a value no later block reads
/// is never decoded. The closure is never called, it only gives the value's type.
public enum NotebookState {
    /// The exit status of a program that could not restore a value: the runner then runs the
    /// notebook from its first block.
    public static let restoreFailedStatus: Int32 = 86
    /// The file (in the run's folder) that says why a restore failed.
    public static let restoreFailureFile = "restore-failure.txt"
    /// The folder (in the run's folder) of the saved values, one file per value and save.
    public static let valuesFolderName = "values"
    /// The snapshot log (in the run's folder): one ``Change`` a line, one line per block.
    public static let logName = "snapshots.jsonl"
    /// The extension of a saved `[Double]`: its Doubles' bytes as they are in memory (IEEE 754
    /// binary64, the machine's byte order), so every value, NaN payloads included, comes back bit
    /// for bit.
    public static let rawDoublesExtension = "f64"

    private static let lock = NSLock()
    /// The values kept since the last commit, which it saves (or records as not saveable).
    nonisolated(unsafe) private static var pendingFirstSave: [any KeptValue] = []
    /// The `var`s kept so far, which each commit saves again when their bits changed.
    nonisolated(unsafe) private static var mutableValues: [any KeptValue] = []
    /// The restored values kept, by name, until ``restore(_:file:_:)`` gives each its baseline.
    nonisolated(unsafe) private static var awaitingRestore: [String: any KeptValue] = [:]

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        return decoder
    }()

    private static var valuesFolder: URL {
        NotebookSession.outputDirectory.appendingPathComponent(valuesFolderName, isDirectory: true)
    }

    /// Keeps the Codable value `name` that block `block` declares: saved at the next
    /// ``commit(block:)`` and, when `mutable` (a `var`), again after each later block that changes
    /// it. `savedAs` names the file in `values/` that already holds it (a value a resumed program
    /// restores, on its first use: ``restore(_:file:_:)``): `read` is not called until the value
    /// was restored, and it is not saved again until it changes. `read` reads the value.
    public static func keep<T: Codable>(
        _ name: String, block: Int, mutable: Bool, savedAs file: String? = nil, _ read: @escaping () -> T
    ) {
        let value = Kept(name: name, read: read)
        value.file = file
        lock.withLock {
            if file == nil { pendingFirstSave.append(value) } else { awaitingRestore[name] = value }
            if mutable { mutableValues.append(value) }
        }
    }

    /// A value whose type is not Codable: recorded as not saved, with its type, at the next
    /// ``commit(block:)`` (a later block that uses it makes the runner run from the top).
    public static func keep<T>(_ name: String, block: Int, mutable: Bool, savedAs file: String? = nil, _ read: @escaping () -> T) {
        lock.withLock { pendingFirstSave.append(NotCodable(name: name, type: String(reflecting: T.self))) }
    }

    /// Saves what the values kept so far need after block `block` (those new since the last
    /// commit, the `var`s whose bits changed) and appends the block's line to the log (a
    /// snapshot is complete through the last line written).
    public static func commit(block: Int) {
        lock.withLock {
            var change = Change(block: block, saved: [:], unsaveable: [:])
            for value in pendingFirstSave { value.save(block: block, into: &change) }
            let saved = Set(pendingFirstSave.map(ObjectIdentifier.init))
            pendingFirstSave = []
            for value in mutableValues where !saved.contains(ObjectIdentifier(value)) && value.changed {
                value.save(block: block, into: &change)
            }
            guard var line = try? encoder.encode(change) else { return }
            line.append(0x0A)
            append(line, to: NotebookSession.outputDirectory.appendingPathComponent(logName))
        }
    }

    /// Appends `line` to `url` in one `write(2)` on a descriptor opened for appending.
    private static func append(_ line: Data, to url: URL) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// The stand-in of a value no snapshot holds, which only a restored initializer (never run)
    /// names: declared as `var x: T { NotebookState.unavailable("x") }`, it is never read.
    public static func unavailable<T>(_ name: String) -> T {
        fail("'\(name)' was not restored (its type is not Codable), yet it was read")
    }

    /// The value `name` had when its `file` (in the folder the runner names,
    /// `RunManifest.restoreFolder`) was saved. `type` is never called: it is the original
    /// initializer, which gives the type. A value that cannot be read stops the program with
    /// ``restoreFailedStatus``, and the runner runs the notebook from the top. A kept `var`
    /// (``keep(_:block:mutable:savedAs:_:)``) takes the value as the baseline its changes are
    /// found against.
    public static func restore<T: Codable>(_ name: String, file: String, _ type: () async throws -> T) -> T {
        guard let folder = RunManifest.current?.restoreFolder else { fail("no snapshot to restore '\(name)' from") }
        let url = URL(fileURLWithPath: folder).appendingPathComponent(file)
        let value: T
        do {
            let data = try Data(contentsOf: url)
            if file.hasSuffix("." + rawDoublesExtension) {
                guard T.self == [Double].self, data.count % MemoryLayout<Double>.stride == 0 else {
                    fail("cannot restore '\(name)' from \(url.path): not a [Double] of whole Doubles")
                }
                let doubles = [Double](unsafeUninitializedCapacity: data.count / MemoryLayout<Double>.stride) { buffer, count in
                    count = data.copyBytes(to: buffer) / MemoryLayout<Double>.stride
                }
                value = doubles as! T
            } else {
                value = try decoder.decode(Box<T>.self, from: data).value
            }
        } catch {
            fail("cannot restore '\(name)' from \(url.path): \(error)")
        }
        lock.withLock { awaitingRestore.removeValue(forKey: name)?.restored(value) }
        return value
    }

    private static func fail(_ reason: String) -> Never {
        let url = NotebookSession.outputDirectory.appendingPathComponent(restoreFailureFile)
        try? Data(reason.utf8).write(to: url)
        exit(restoreFailedStatus)
    }

    /// A top-level value in an object, so that a bare number or string is valid JSON too.
    private struct Box<T: Codable>: Codable { var value: T }

    /// A value the program keeps for its snapshots.
    private protocol KeptValue: AnyObject {
        /// Whether it may differ from what was last saved.
        var changed: Bool { get }
        /// Takes the value a restore gave as what was last saved.
        func restored(_ value: Any)
        /// Saves it after `block` (or records why it cannot be saved) into `change`.
        func save(block: Int, into change: inout Change)
    }

    private final class Kept<T: Codable>: KeptValue {
        let name: String
        let read: () -> T
        /// The value as last saved, and its file.
        var baseline: T?
        var file: String?
        /// Set when a restored value came back as another type than `read`'s: every commit saves it.
        var unknown = false

        init(name: String, read: @escaping () -> T) {
            self.name = name
            self.read = read
        }

        func restored(_ value: Any) {
            if let value = value as? T { baseline = value } else { unknown = true }
        }

        /// A restored value not yet restored (its global not yet used) has not changed.
        var changed: Bool {
            if unknown { return true }
            guard var before = baseline else { return file == nil }
            var now = read()
            return withUnsafeBytes(of: &now) { a in
                withUnsafeBytes(of: &before) { b in a.count > 0 && memcmp(a.baseAddress!, b.baseAddress!, a.count) != 0 }
            }
        }

        func save(block: Int, into change: inout Change) {
            let value = read()
            (baseline, unknown) = (value, false)
            if let reason = uncarriedState(in: value) {
                change.unsaveable[name] = Unsaveable(type: String(reflecting: T.self), reason: reason)
                return
            }
            // A [Double] as its bytes (a large one is the common large value: 10⁶ Doubles take
            // 8 MB and milliseconds so, about 17 MB and seconds as JSON), anything else as JSON.
            let doubles = T.self == [Double].self ? value as? [Double] : nil
            let name = "\(self.name)@\(block).\(doubles == nil ? "json" : rawDoublesExtension)"
            do {
                try FileManager.default.createDirectory(at: valuesFolder, withIntermediateDirectories: true)
                let data = try doubles.map { $0.withUnsafeBytes { Data($0) } } ?? encoder.encode(Box(value: value))
                try data.write(to: valuesFolder.appendingPathComponent(name), options: .atomic)
                file = name
                change.saved[self.name] = name
            } catch {
                change.unsaveable[self.name] = Unsaveable(type: nil, reason: nil)
            }
        }
    }

    private final class NotCodable: KeptValue {
        let name: String
        let type: String
        init(name: String, type: String) { (self.name, self.type) = (name, type) }
        var changed: Bool { false }
        func restored(_ value: Any) {}
        func save(block: Int, into change: inout Change) { change.unsaveable[name] = Unsaveable(type: type, reason: nil) }
    }
}
