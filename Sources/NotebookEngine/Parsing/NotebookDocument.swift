import NotebookRuntime

/// A parsed notebook: its front matter and its segments in order.
///
/// A notebook is a Markdown file. Fenced ` ```swift ` blocks are its program,
/// ` ```gnuplot ` blocks its figures, the fences of a language a plugged ``BlockEngine`` runs
/// its ``EngineBlock``s; everything else, other fences included, is prose rendered by pandoc
/// (``ProseRenderer``), with `` `{swift} expr` `` values in place.
public struct NotebookDocument: Sendable {
    /// The path as the runner names it in messages and in `#sourceLocation`.
    public var path: String
    /// The file's name without `.md`: names the report, the cache and the table folder.
    public var stem: String
    public var title: String
    /// Declared parameters and their defaults, in front matter order.
    public var parameters: [(name: String, value: ParameterValue)]
    /// The program's time limit in seconds.
    public var timeout: Double?
    /// Files or folders the program reads; their contents are part of the cache key.
    public var inputs: [String]
    public var segments: [Segment]
    /// The front matter's `kernel:` (a package and its products), if it declares one; else the
    /// nearest project file's (``KernelDeclaration``).
    public var kernel: KernelDeclaration? = nil
    /// The front matter's `executor:` (``ExecutorDeclaration``), if it declares one.
    public var executor: ExecutorDeclaration? = nil
    /// The nearest project file's `executor:`, whose keys the front matter's override (set by
    /// ``NotebookRunner/prepare(_:)``).
    public var projectExecutor: ExecutorDeclaration? = nil
    /// The front matter's `verify:`: how closely another render must reproduce its tables.
    public var verification = VerificationTolerances()

    public var swiftBlocks: [SwiftBlock] {
        segments.compactMap { if case .swift(let block) = $0 { return block } else { return nil } }
    }

    public var gnuplotBlocks: [GnuplotBlock] {
        segments.compactMap { if case .gnuplot(let block) = $0 { return block } else { return nil } }
    }
}

/// A piece of a notebook, in file order.
public enum Segment: Sendable {
    case prose(Prose)
    case swift(SwiftBlock)
    case gnuplot(GnuplotBlock)
    /// A block of a plugged engine's language.
    case block(EngineBlock)
}

/// Markdown between executable blocks.
public struct Prose: Sendable {
    /// The 1-based line of its first line.
    public var line: Int
    public var text: String
}

/// A ` ```swift ` block: `index` counts Swift blocks from 0.
public struct SwiftBlock: Sendable {
    public var index: Int
    /// The 1-based line of the opening fence; the code starts on the next line.
    public var fenceLine: Int
    public var code: String
    public var firstCodeLine: Int { fenceLine + 1 }
    public var lastCodeLine: Int { fenceLine + max(code.split(separator: "\n", omittingEmptySubsequences: false).count, 1) }
}

/// A ` ```LANG ` block that a plugged ``BlockEngine`` for `LANG` runs: `index` counts the blocks
/// of its language from 0; `options` are its info string's `key=value` words, which its engine reads.
public struct EngineBlock: Sendable {
    public var language: String
    public var index: Int
    /// The 1-based line of the opening fence; the body starts on the next line.
    public var fenceLine: Int
    public var options: [String: String]
    public var body: String
}

/// A ` ```gnuplot data=A,B figure=NAME caption="…" size=W,H format=png ` block.
public struct GnuplotBlock: Sendable {
    public var index: Int
    public var fenceLine: Int
    public var script: String
    /// The tables handed to gnuplot as datablocks `$A`, `$B`.
    public var data: [String]
    /// The figure's name: `Figures/NAME.svg` and `.png`.
    public var figure: String
    public var caption: String?
    /// Width and height in pixels (CSS pixels in the report: a `png` figure is drawn at twice that).
    public var size: (width: Int, height: Int)
    /// How the figure is kept and shown.
    public var format: Format = .svg

    public enum Format: String, Sendable {
        /// `NAME.svg` (shown in the report) and `NAME.png`.
        case svg
        /// `NAME.png` only, drawn at twice the block's size with its text, lines and points
        /// scaled to match, and shown at the block's size: for dense figures (tens of thousands
        /// of points), whose SVG would be megabytes.
        case png
    }
    public var firstCodeLine: Int { fenceLine + 1 }
}
