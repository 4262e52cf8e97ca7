import Foundation
import NotebookRuntime

/// The snapshot of a program's values after a block: the lines of its snapshot log
/// (`snapshots.jsonl`, one ``NotebookState/Change`` per block) through that block, replayed, a
/// later line's word on a name replacing an earlier one's.
struct StateSnapshot: Equatable {
    /// The values it holds, by name: their files in the run's `values/`.
    var files: [String: String] = [:]
    /// The values declared so far that it does not hold.
    var unsaveable: [String: NotebookState.Unsaveable] = [:]
    /// Every file the lines through the block name: a run resumed at the next block keeps them
    /// and the lines, so that it can be resumed from at any earlier block too.
    var namedFiles: Set<String> = []
    /// The lines through the block, as written (each with its line break).
    var lines = Data()

    /// The snapshot after `block` from `log`, or nil when the log has no line for that block (the
    /// program stopped before its commit). A line that does not decode (cut short by a crash while
    /// it was written) ends the log.
    init?(log: Data, through block: Int) {
        var reached = false
        let decoder = JSONDecoder()
        for line in log.split(separator: 0x0A) {
            guard let change = try? decoder.decode(NotebookState.Change.self, from: Data(line)), change.block <= block else { break }
            for (name, file) in change.saved {
                files[name] = file
                unsaveable[name] = nil
                namedFiles.insert(file)
            }
            for (name, why) in change.unsaveable {
                unsaveable[name] = why
                files[name] = nil
            }
            lines.append(contentsOf: line)
            lines.append(0x0A)
            reached = change.block == block
        }
        if !reached { return nil }
    }
}
