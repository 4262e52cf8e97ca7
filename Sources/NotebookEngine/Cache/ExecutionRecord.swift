import Foundation
import NotebookRuntime

/// What running a notebook's program produced, as the cache keeps it and the report shows it.
public struct ExecutionRecord: Codable, Sendable {
    /// The cache key: the Swift blocks, parameters, library sources, inputs and toolchain.
    public var key: String
    public var blocks: [BlockResult]
    public var tables: [TableRecord]
    public var compileSeconds: Double
    public var runSeconds: Double
    /// The commit the results were computed at (with "+changes" when the tree was dirty).
    public var commit: String
    public var toolchain: String
    public var finished: Date
    /// The prose's inline values, by ``InlineExpression/id`` (nil in records from before them).
    public var inlines: [Int: String]?
    /// The checks of our numerics the blocks made (``NotebookRuntime/check(_:_:line:)``), in order.
    public var claims: [ClaimRecord]?
    /// The findings the blocks stated (the paper's statements with their verdicts, and those
    /// beyond the paper), in order (nil in records from before them).
    public var findings: [FindingRecord]?
    /// Each Swift block's key (``NotebookRunner``'s per-block keys): a later run whose first k keys
    /// are these resumes at block k from this run's snapshot after block k−1 (its `snapshots.jsonl`
    /// through that block, and the `values/` files it names; nil in records from before them).
    public var blockKeys: [String]?
    /// How many of the first blocks were restored from an earlier run rather than run (nil: none).
    public var restoredBlocks: Int?
    /// Why every block ran although an earlier run shared the first blocks' keys: a value or a
    /// static a snapshot cannot carry, a snapshot that did not restore (nil: resumed, forced, or no earlier run).
    public var fullRunReason: String?
    /// What the kernel said it computes with (its `notebook_kernel_provenance()`: here, the OpenBLAS
    /// kernels and how they were chosen); nil when it says nothing.
    public var kernelProvenance: String?

    public var succeeded: Bool { blocks.allSatisfy { $0.status == .succeeded } }
    /// Whether every check held (a finding's verdict, whatever it is, never fails a run).
    public var claimsHeld: Bool { (claims ?? []).allSatisfy(\.held) }
}

/// One of the paper's statements set beside what a block measured, with its verdict
/// (``NotebookRuntime/finding(_:paper:ours:_:basis:line:)``), or a finding beyond the paper
/// (``NotebookRuntime/beyondThePaper(_:ours:basis:line:)``: no `paper`, no `verdict`).
public struct FindingRecord: Codable, Sendable, Equatable {
    public var block: Int
    public var line: Int
    public var statement: String
    /// What the paper says, quoted, with its section (nil beyond the paper).
    public var paper: String?
    /// What we measured.
    public var ours: String
    /// Nil for a finding beyond the paper.
    public var verdict: Verdict?
    /// Where the verdict's threshold comes from.
    public var basis: String?

    public init(block: Int, line: Int, statement: String, paper: String?, ours: String, verdict: Verdict?, basis: String?) {
        (self.block, self.line, self.statement, self.paper, self.ours, self.verdict, self.basis)
            = (block, line, statement, paper, ours, verdict, basis)
    }

    /// Whether it is a finding the paper does not state.
    public var isBeyondThePaper: Bool { verdict == nil }
}

/// A check of our numerics a block made (``NotebookRuntime/check(_:_:line:)``), and whether it held.
public struct ClaimRecord: Codable, Sendable, Equatable {
    public var block: Int
    public var line: Int
    public var text: String
    public var held: Bool
}

/// One Swift block's result.
public struct BlockResult: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case succeeded, failed, timedOut = "timed out", notRun = "not run"
    }
    public var status: Status
    /// What the block printed on standard output.
    public var output: String
    public var seconds: Double?
    public var diagnostic: Diagnostic?
    /// The size of everything the block printed, when more than ``output`` holds (it is cut at
    /// ``NotebookProgram/outputShown`` bytes; the whole is `block-K.txt` in the run's folder).
    public var outputBytes: Int?

    /// What the block wrote on standard error (nil: nothing), cut like ``output``: the report
    /// shows it folded apart, open when the block failed or timed out.
    public var errors: String? = nil
    /// The size of its whole standard error, when more than ``errors`` holds (the whole is
    /// `block-K.stderr.txt` in the run's folder).
    public var errorBytes: Int? = nil

    public var outputIsCut: Bool { (outputBytes ?? 0) > output.utf8.count }
    public var errorsAreCut: Bool { (errorBytes ?? 0) > (errors ?? "").utf8.count }
    /// Whether its standard error is the diagnosis (shown open): the block failed or timed out.
    public var errorsShownOpen: Bool { status == .failed || status == .timedOut }

    public static let notRun = BlockResult(status: .notRun, output: "", seconds: nil, diagnostic: nil, outputBytes: nil)
}

/// An error placed at a notebook line, with the tool's full text behind it.
public struct Diagnostic: Codable, Sendable, Equatable {
    public var line: Int?
    public var message: String
    public var detail: String
}

/// A table a block emitted; its TSV is `tables/NAME.tsv` in the record's folder.
public struct TableRecord: Codable, Sendable, Equatable {
    public var name: String
    public var block: Int
    public var columns: [String]
    public var rows: Int
}

/// One gnuplot block's result.
public struct FigureResult: Sendable {
    public enum Status: Sendable, Equatable { case rendered, cached, failed, notRun }
    public var status: Status
    /// The SVG the report shows (a `format=svg` block).
    public var svg: String?
    /// The PNG the report shows (a `format=png` block, which has no SVG).
    public var png: Data? = nil
    public var diagnostic: Diagnostic?
    public var seconds: Double

    /// Whether there is a figure to show (this run's, or the last good one).
    public var hasImage: Bool { svg != nil || png != nil }
}
