import Foundation

extension ExhaustiveSearch {
    /// The instance of mask `mask` (0…14, an index into ``masks``) whose observed entries take the grid
    /// values `grid[digits[k]]`, in the mask's order: `index = 10⁴·mask + Σ_k digits[k]·10^k`, the
    /// inverse of ``entries(of:)``.
    public static func index(mask: Int, digits: [Int]) -> Int {
        precondition(masks.indices.contains(mask), "a mask is 0…\(masks.count - 1)")
        precondition(digits.count == masks[mask].count && digits.allSatisfy { grid.indices.contains($0) }, "one grid digit 0…9 per observed entry")
        return 10_000 * mask + digits.reversed().reduce(0) { 10 * $0 + $1 }
    }

    /// The instance the reports follow over ᾱ: `X₀₀ = X₁₁ = 1`, `X₀₁ = X₀₂ = 1/9` (mask 0, grid digits
    /// 9, 5, 5, 9), index 9559. Its minimum nuclear norm is `2 + 1/81` in closed form (the completion
    /// `X₁₂ = 1/81`, `X₂₂ = 1/81` has rank 2 with trace 2 + 1/81), and the flow's limit as ᾱ → 0 is above it.
    public static let followedInstance = index(mask: 0, digits: [9, 5, 5, 9])

    /// Instance `index`'s observed entries as text, `X00=1 X01=0.111 X02=0.111 X11=1`: each value to
    /// three significant digits (`%.3g`; the grid has no 0, and every value is within [1/9, 1] in magnitude).
    public static func valuesText(of index: Int) -> String {
        entries(of: index).map { "X\($0.row)\($0.column)=\(String(format: "%.3g", $0.value))" }.joined(separator: " ")
    }

    /// The number of chunks of a run on every `subsample`-th instance: its ``ChunkLayout``'s count
    /// (``ChunkLayout/chunkSize`` instances each).
    public func chunkCount(subsample: Int) -> Int {
        chunkLayout(subsample: subsample, folder: URL(fileURLWithPath: "/", isDirectory: true)).count
    }

    /// The folder of a run named `name` in a notebook's state folder `stateFolder`:
    /// `NAME-quick-DIGEST` or `NAME-full-DIGEST`, keyed by the profile and by `codeDigest` (the kernel's
    /// digest), so that a changed library starts afresh; the chunk key inside keys the search's options.
    public static func runFolder(_ name: String, in stateFolder: URL, profile: FigureProfile, codeDigest: String) -> URL {
        stateFolder.appendingPathComponent("\(name)-\(profile.quick ? "quick" : "full")-\(codeDigest)", isDirectory: true)
    }

    /// The name of Figure 4's run (ᾱ = 1e-5, 1e-3, 1): its folder is `exhaustive-…` in the state folder
    /// of the notebook that runs Figure 4, where any notebook that reads Figure 4's flows back finds its chunks.
    public static let figure4RunName = "exhaustive"

    /// The run named `name` (its folder ``runFolder(_:in:profile:codeDigest:)`` in `stateFolder`) on
    /// `profile`'s subsample: ``run(subsample:folder:workers:codeDigest:executor:progress:notice:)``, resumed from
    /// the chunks already there.
    public func run(
        named name: String, in stateFolder: URL, profile: FigureProfile, codeDigest: String, executor: WorkExecutor? = nil,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> Summary {
        try run(subsample: profile.exhaustiveSubsample, folder: Self.runFolder(name, in: stateFolder, profile: profile, codeDigest: codeDigest),
                codeDigest: codeDigest, executor: executor, progress: progress)
    }
}
