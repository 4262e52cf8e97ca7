/// One line of `events.jsonl`, the record a notebook program leaves for the runner.
public enum NotebookEvent: Codable, Equatable, Sendable {
    /// Block `block` started.
    case began(block: Int)
    /// Block `block` finished after `seconds` of wall time.
    case ended(block: Int, seconds: Double)
    /// Block `block` emitted the table `name` (written to `tables/NAME.tsv`).
    case table(block: Int, name: String, columns: [String], rows: Int)
}
