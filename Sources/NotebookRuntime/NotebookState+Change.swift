import Foundation

/// The lines of the snapshot log a program writes (`snapshots.jsonl`: one ``Change`` a line, one
/// line per block).
extension NotebookState {
    /// What block `block` left to the snapshots: the values it saved (new ones, and `var`s it
    /// changed), by name, with their files in `values/`, and those it could not save.
    public struct Change: Codable, Equatable, Sendable {
        public var block: Int
        public var saved: [String: String]
        public var unsaveable: [String: Unsaveable]

        public init(block: Int, saved: [String: String], unsaveable: [String: Unsaveable]) {
            (self.block, self.saved, self.unsaveable) = (block, saved, unsaveable)
        }
    }

    /// A value a snapshot does not hold: its type (`String(reflecting:)`; nil when it is Codable
    /// but did not encode), so that a resumed program can still declare it for the type checker
    /// when only a restored initializer names it (``unavailable(_:)``), and why, when its type is
    /// Codable yet a snapshot could not bring it back as it was (``uncarriedState(in:)``).
    public struct Unsaveable: Codable, Equatable, Sendable {
        public var type: String?
        public var reason: String?

        public init(type: String?, reason: String?) { (self.type, self.reason) = (type, reason) }
    }
}
