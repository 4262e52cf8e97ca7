#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// The values a notebook's blocks leave behind, kept between runs so that an edit to block k
/// re-runs only blocks k, k+1, … (knitr's cached chunks, for Swift).
///
/// After block k the generated program calls ``save(_:_:)`` for every top-level `let`/`var`
/// declared by blocks 0…k, then ``commit(block:)``: each Codable value goes to
/// `state-K/NAME.json` of the run's folder (Doubles in Swift's shortest round-trip form, NaN and
/// ±infinity as the strings `"NaN"`, `"+Inf"`, `"-Inf"`, so every value comes back bit for bit),
/// and `state-K/index.json` names what was saved and what could not be (a value of a type that is
/// not Codable). A resumed program declares the restored blocks' values as
/// `var x = NotebookState.restore("x") { <the original initializer> }`: the closure is never
/// called, it only gives the value's type.
public enum NotebookState {
    /// What one snapshot holds: the names saved, and those declared but not Codable with their
    /// types (`String(reflecting:)`), so that a resumed program can still declare them for the
    /// type checker when only a restored initializer names them (``unavailable(_:)``).
    public struct Index: Codable, Equatable, Sendable {
        public var saved: [String]
        public var unsaveable: [String]
        public var types: [String: String]?
        /// Why a value was not saved, by name, when its type is Codable yet a snapshot could not
        /// bring it back as it was (``uncarriedState(in:)``).
        public var reasons: [String: String]?
        public init(saved: [String], unsaveable: [String], types: [String: String]? = nil, reasons: [String: String]? = nil) {
            self.saved = saved
            self.unsaveable = unsaveable
            self.types = types
            self.reasons = reasons
        }
    }

    /// The exit status of a program that could not restore a value: the runner then runs the
    /// notebook from its first block.
    public static let restoreFailedStatus: Int32 = 86
    /// The file (in the run's folder) that says why a restore failed.
    public static let restoreFailureFile = "restore-failure.txt"
    /// A snapshot's folder name in the run's folder.
    public static func folderName(block: Int) -> String { "state-\(block)" }
    public static let indexName = "index.json"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending = Index(saved: [], unsaveable: [])
    nonisolated(unsafe) private static var pendingBlock = -1

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

    private static func folder(block: Int) -> URL {
        NotebookSession.outputDirectory.appendingPathComponent(folderName(block: block), isDirectory: true)
    }

    /// Saves a Codable value declared by the blocks so far, after block `block`; one that holds a
    /// class instance or a closure (``uncarriedState(in:)``) is recorded as not saved, with why.
    public static func save<T: Codable>(_ name: String, _ value: T, block: Int) {
        if let reason = uncarriedState(in: value) {
            return unsaveable(name, type: String(reflecting: T.self), block: block, reason: reason)
        }
        let url = folder(block: block).appendingPathComponent("\(name).json")
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(Box(value: value)).write(to: url, options: .atomic)
            lock.withLock { note(block); pending.saved.append(name) }
        } catch {
            lock.withLock { note(block); pending.unsaveable.append(name) }
        }
    }

    /// A value whose type is not Codable: recorded as unsaveable (a later block that uses it
    /// makes the runner run from the top).
    public static func save<T>(_ name: String, _ value: T, block: Int) {
        unsaveable(name, type: String(reflecting: T.self), block: block)
    }

    /// Records a value that is not Codable (of the type named): in a resumed program, one that
    /// stands in for a value an earlier run could not save either.
    public static func unsaveable(_ name: String, type: String, block: Int, reason: String? = nil) {
        lock.withLock {
            note(block)
            pending.unsaveable.append(name)
            pending.types = (pending.types ?? [:]).merging([name: type]) { $1 }
            if let reason { pending.reasons = (pending.reasons ?? [:]).merging([name: reason]) { $1 } }
        }
    }

    /// The stand-in of a value no snapshot holds, which only a restored initializer (never run)
    /// names: declared as `var x: T { NotebookState.unavailable("x") }`, it is never read.
    public static func unavailable<T>(_ name: String) -> T {
        fail("'\(name)' was not restored (its type is not Codable), yet it was read")
    }

    private static func note(_ block: Int) {
        if pendingBlock != block { pending = Index(saved: [], unsaveable: []); pendingBlock = block }
    }

    /// Writes the snapshot's index (last, so a snapshot without one is incomplete).
    public static func commit(block: Int) {
        let index = lock.withLock { () -> Index in note(block); return pending }
        let url = folder(block: block).appendingPathComponent(indexName)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? encoder.encode(index).write(to: url, options: .atomic)
    }

    /// The value `name` had when the snapshot the runner names (`RunManifest.restoreFolder`) was
    /// taken. `type` is never called: it is the original initializer, which gives the type. A value
    /// that cannot be read stops the program with ``restoreFailedStatus``, and the runner runs the
    /// notebook from the top.
    public static func restore<T: Codable>(_ name: String, _ type: () async throws -> T) -> T {
        guard let folder = RunManifest.current?.restoreFolder else { fail("no snapshot to restore '\(name)' from") }
        let url = URL(fileURLWithPath: folder).appendingPathComponent("\(name).json")
        do {
            return try decoder.decode(Box<T>.self, from: Data(contentsOf: url)).value
        } catch {
            fail("cannot restore '\(name)' from \(url.path): \(error)")
        }
    }

    private static func fail(_ reason: String) -> Never {
        let url = NotebookSession.outputDirectory.appendingPathComponent(restoreFailureFile)
        try? Data(reason.utf8).write(to: url)
        exit(restoreFailedStatus)
    }

    /// A top-level value in an object, so that a bare number or string is valid JSON too.
    private struct Box<T: Codable>: Codable { var value: T }
}
