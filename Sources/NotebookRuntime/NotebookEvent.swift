/// One line of `events.jsonl`, the record a notebook program leaves for the runner.
public enum NotebookEvent: Codable, Equatable, Sendable {
    /// Block `block` started.
    case began(block: Int)
    /// Block `block` finished after `seconds` of wall time.
    case ended(block: Int, seconds: Double)
    /// Block `block` emitted the table `name` (written to `tables/NAME.tsv`).
    case table(block: Int, name: String, columns: [String], rows: Int)
    /// The inline expression `id` of the prose (`` `{swift} expr` ``) evaluated to `text`.
    case inline(id: Int, text: String)
    /// A claim stated with ``check(_:_:line:)`` at notebook line `line`, in block `block`: held or not.
    case claim(block: Int, line: Int, text: String, held: Bool)
    /// A finding stated with ``finding(_:paper:ours:_:basis:line:)`` (a verdict, the paper's words) or
    /// ``beyondThePaper(_:ours:basis:line:)`` (no verdict, no paper) at notebook line `line`, in block `block`.
    case finding(block: Int, line: Int, statement: String, paper: String?, ours: String, verdict: Verdict?, basis: String?)
    /// What the kernel says it computes with (its C function `notebook_kernel_provenance`, when it
    /// exports one: this project's says which OpenBLAS kernels), recorded once, before the first block.
    case kernelProvenance(text: String)
}
