import Foundation

extension ExhaustiveSearch {
    /// Counts over a run, and for each ᾱ how the Δ fall.
    public struct Summary: Sendable {
        public struct PerInitNorm: Sendable {
            public var initNorm: Double
            /// Feasible instances with |Δ| < 1e-2 (``ExhaustiveSearch/nearMinimum``), and their share of the feasible ones.
            public var within1e2: Int
            public var shareNearMinimum: Double
            public var medianDelta: Double
            public var maxDelta: Double
            /// Flows of feasible instances that did not end `.solved` (a step or time limit, or inaccurate).
            public var unsolved: Int
            /// Feasible instances with Δ < 0, and of those the ones below their certified floor
            /// (``Outcome/floors``: 0 unless the computation is wrong).
            public var negative: Int
            public var belowFloor: Int
            /// The lowest floor of the instances with Δ < 0 (0 when there are none): how far below
            /// the minimum the certificates allow the Δ < 0 to go.
            public var lowestNegativeFloor: Double
        }
        public var instances: Int
        public var feasible: Int
        public var infeasible: Int
        public var undecided: Int
        public var perInitNorm: [PerInitNorm]
        /// Instances computed in this run (the rest were read back from earlier chunks).
        public var computed: Int
        /// The feasible instances' Δ binned by ``histogramEdges``, a count per ᾱ.
        public var histogram: [HistogramBin]
        /// Every instance's outcome, in index order.
        public var outcomes: [Outcome]

        /// One line for a report's log: how many instances, and how the SDP decided them.
        public var log: String {
            "\(instances) instances: \(feasible) with a PSD completion, \(infeasible) without (discarded), \(undecided) undecided"
        }
    }

    /// The summary of `outcomes` (in index order) of a search whose flows are from `initNorms`, `computed` of
    /// them computed in this run: the counts of each verdict; per ᾱ over the feasible instances, the count
    /// with |Δ| < 1e-2, the median `sorted[⌊n/2⌋]` and the largest Δ, the flows not `.solved`, the Δ < 0
    /// and those below their floor, with the lowest floor among them (0 when none); and the histogram of
    /// Δ over ``histogramEdges``.
    public static func summary(of outcomes: [Outcome], initNorms: [Double], computed: Int = 0) -> Summary {
        let feasible = outcomes.filter { $0.verdict == .feasible }
        let histogram = (0..<(histogramEdges.count - 1)).map { bin in
            let (lower, upper) = (histogramEdges[bin], histogramEdges[bin + 1])
            return HistogramBin(
                lower: lower, upper: upper,
                counts: initNorms.indices.map { k in feasible.filter { $0.deltas[k] >= lower && $0.deltas[k] < upper }.count })
        }
        let perInitNorm = initNorms.indices.map { k -> Summary.PerInitNorm in
            let deltas = feasible.map { $0.deltas[k] }.sorted()
            let negative = feasible.filter { $0.deltas[k] < 0 }
            let within = deltas.filter { abs($0) < nearMinimum }.count
            return .init(
                initNorm: initNorms[k], within1e2: within, shareNearMinimum: Double(within) / Double(max(feasible.count, 1)),
                medianDelta: deltas.isEmpty ? .nan : deltas[deltas.count / 2], maxDelta: deltas.last ?? .nan,
                unsolved: feasible.filter { $0.statuses[k] != .solved }.count,
                negative: negative.count, belowFloor: negative.filter { $0.deltas[k] < $0.floors[k] }.count,
                lowestNegativeFloor: negative.map { $0.floors[k] }.min() ?? 0)
        }
        return Summary(
            instances: outcomes.count, feasible: feasible.count,
            infeasible: outcomes.filter { $0.verdict == .infeasible }.count,
            undecided: outcomes.filter { $0.verdict == .undecided }.count,
            perInitNorm: perInitNorm, computed: computed, histogram: histogram, outcomes: outcomes)
    }

    /// One bin of the histogram of Δ: `lower ≤ Δ < upper`, a count per ᾱ (in `initNorms` order).
    public struct HistogramBin: Sendable {
        public var lower: Double
        public var upper: Double
        public var counts: [Int]
    }

    /// The histogram's bin edges for Δ: below 0, then width 0.01 up to 1, then 1 and above.
    public static let histogramEdges: [Double] = [-.infinity] + (0...100).map { Double($0) / 100 } + [.infinity]

    /// The version of the computation a chunk records: bump it whenever what ``solve(_:)`` computes
    /// changes (the SDP, the flow, the rows written), so that chunks computed before are recomputed.
    /// 4: the flows to their limit (`.automatic`, residual 1e-9 and stationarity 1e-6), the
    /// certified floors of Δ, the weighting and GLRL. 5: the decade certificate of stationarity and
    /// the time limit 10¹⁴. 6: the SDP in the problem's own units (its minimum moves at round-off).
    public static let algorithmVersion = 6

    /// Why a run failed (not the input's fault): a folder could not be made, or a file read back is
    /// not what was written (a file that cannot be written throws ``AtomicFile/WriteError``).
    public enum RunError: Error, CustomStringConvertible {
        case createFolder(path: String, reason: String)
        case inconsistent(reason: String)

        public var description: String {
            switch self {
            case let .createFolder(path, reason): "\(path): cannot create the folder: \(reason)"
            case let .inconsistent(reason): "exhaustive search: \(reason)"
            }
        }
    }

    /// What a chunk is keyed by: the algorithm's version, `codeDigest` (e.g. a digest of the
    /// library's sources), the ᾱ values and the flow's options.
    func chunkKey(codeDigest: String) -> String {
        let text = "v\(Self.algorithmVersion)|\(codeDigest)|\(initNorms.map { "\($0)" }.joined(separator: ","))|\(flow)|\(weighting.rawValue)|\(closedFormLinearPhase ? "linear phase" : "integrated")|\(greedy.map { "\($0)" } ?? "no glrl")\(representation == .graded ? "|graded" : "")"
        return String(Self.checksum(Array(text.utf8)), radix: 16)
    }

    /// `mkdir -p path`, with the system's reason when it fails.
    static func makeFolder(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw RunError.createFolder(path: path, reason: String(cString: strerror(errno)).lowercased())
            }
        }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw RunError.createFolder(path: path, reason: "not a directory")
        }
    }

    /// FNV-1a, 64 bits.
    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// Runs `indices` (all 150,000 by default, or every K-th with `subsample`) in chunks of 500
    /// on `executor`: `workers` threads of this process by default, or the tasks of a Slurm job array
    /// (``WorkExecutor/slurm(_:)``: each task a ``WorkerPlan`` worker computing one chunk in its own
    /// process, the same function writing the same bytes). Each finished chunk is written to `folder/chunks-…/` at once
    /// (a temporary file renamed into place), so an interrupted run resumes where it stopped; then
    /// `instances.tsv` (one row per instance) and `histogram.tsv` (counts of Δ per bin, a column
    /// per ᾱ) are written, also atomically. The run holds the folder's ``FolderLock`` throughout: a
    /// second run on the same folder throws ``FolderLock/Busy`` at once.
    ///
    /// A chunk records its key (``algorithmVersion``, `codeDigest`, the ᾱ and the flow's options),
    /// its instances (first, last, count) and ends with a line holding its row count and checksum.
    /// A chunk that is truncated, emptied, edited or keyed otherwise is reported through `notice`
    /// (stderr by default) and computed again.
    public func run(
        subsample: Int = 1, folder: URL, workers: Int = ProcessInfo.processInfo.activeProcessorCount, codeDigest: String = "",
        executor: WorkExecutor? = nil,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in },
        notice: @escaping @Sendable (String) -> Void = { StandardError.write($0 + "\n") }
    ) throws -> Summary {
        // One run per folder: a second one would compute (and append) the same chunks again.
        try Self.makeFolder(folder.path)
        let lock = try FolderLock(folder: folder)
        defer { withExtendedLifetime(lock) {} }
        let layout = chunkLayout(subsample: subsample, folder: folder)
        let indices = layout.indices
        let chunkCount = layout.count
        try Self.makeFolder(layout.folder.path)
        AtomicFile.removeAbandonedTemporaries(in: layout.folder)
        let key = chunkKey(codeDigest: codeDigest)
        var finished: [Int: [Outcome]] = [:]
        var pending: [Int] = []
        for c in 0..<chunkCount {
            let file = layout.file(c)
            guard FileManager.default.fileExists(atPath: file.path) else {
                pending.append(c)
                continue
            }
            switch readChunk(file, key: key, indices: layout.part(c)) {
            case let .success(outcomes): finished[c] = outcomes
            case let .failure(damage):
                notice("exhaustive: \(file.path): \(damage.reason); computing it again")
                pending.append(c)
            }
        }
        switch executor ?? .threads(workers) {
        case let .threads(workers):
            for (c, outcomes) in try computeOnThreads(pending, layout: layout, key: key, workers: workers, alreadyDone: chunkCount - pending.count, progress: progress) {
                finished[c] = outcomes
            }
        case let .slurm(options):
            for (c, outcomes) in try computeOnSlurm(
                pending, layout: layout, key: key, codeDigest: codeDigest, subsample: subsample, folder: folder, options: options,
                alreadyDone: chunkCount - pending.count, progress: progress) {
                finished[c] = outcomes
            }
        }
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(indices.count)
        for c in 0..<chunkCount {
            guard let chunk = finished[c] else { throw RunError.inconsistent(reason: "chunk \(c) has no outcomes") }
            outcomes += chunk
        }
        guard outcomes.map(\.index) == indices else {
            throw RunError.inconsistent(reason: "\(outcomes.count) outcomes for \(indices.count) instances")
        }
        let header = ["index", "mask", "values", "verdict", "min_nuclear_norm"]
            + initNorms.flatMap { ["nuclear_norm_\($0)", "delta_\($0)", "status_\($0)", "steps_\($0)", "floor_\($0)"] }
            + (greedy == nil ? [] : ["glrl_nuclear_norm", "glrl_delta", "glrl_status", "glrl_rank", "glrl_floor"])
        try AtomicFile.write(
            header.joined(separator: "\t") + "\n" + outcomes.map(row).joined(), to: folder.appendingPathComponent("instances.tsv"))

        let summary = Self.summary(of: outcomes, initNorms: initNorms, computed: pending.reduce(0) { $0 + layout.part($1).count })
        let histogramText = ([["lower", "upper"] + initNorms.map { "count_\($0)" }]
            + summary.histogram.map { ["\($0.lower)", "\($0.upper)"] + $0.counts.map(String.init) })
            .map { $0.joined(separator: "\t") + "\n" }.joined()
        try AtomicFile.write(histogramText, to: folder.appendingPathComponent("histogram.tsv"))
        return summary
    }

    struct ChunkDamage: Error {
        var reason: String
    }

    private static let chunkMagic = "# exhaustive-search chunk"

    /// A chunk: a header with its key and instances, one row per instance, and an end line with
    /// the row count and the rows' checksum.
    func chunkText(_ outcomes: [Outcome], key: String, indices: ArraySlice<Int>) -> String {
        let rows = outcomes.map(row).joined()
        return "\(Self.chunkMagic)\n# key \(key)\n# instances \(indices.first!) \(indices.last!) \(indices.count)\n"
            + rows + "# end \(outcomes.count) \(String(Self.checksum(Array(rows.utf8)), radix: 16))\n"
    }

    /// The outcomes of a chunk file, or why it cannot be trusted.
    func readChunk(_ file: URL, key: String, indices: ArraySlice<Int>) -> Result<[Outcome], ChunkDamage> {
        guard let data = try? Data(contentsOf: file) else { return .failure(.init(reason: "cannot be read")) }
        if data.isEmpty { return .failure(.init(reason: "is empty")) }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(.init(reason: "is not UTF-8 text")) }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.last == "" else { return .failure(.init(reason: "is truncated (no final newline)")) }
        lines.removeLast()
        guard lines.count >= 4, lines[0] == Self.chunkMagic else {
            return .failure(.init(reason: "is not a chunk of this version of the search (no header)"))
        }
        guard lines[1] == "# key \(key)" else {
            return .failure(.init(reason: "was computed by another version of the search or other options (\(lines[1].dropFirst(2)), expected key \(key))"))
        }
        guard lines[2] == "# instances \(indices.first!) \(indices.last!) \(indices.count)" else {
            return .failure(.init(reason: "holds other instances (\(lines[2].dropFirst(2)))"))
        }
        let rows = lines[3..<(lines.count - 1)]
        let rowsText = rows.map { $0 + "\n" }.joined()
        guard lines.last! == "# end \(indices.count) \(String(Self.checksum(Array(rowsText.utf8)), radix: 16))" else {
            if !lines.last!.hasPrefix("# end ") { return .failure(.init(reason: "is truncated (no end line)")) }
            return .failure(.init(reason: "is damaged: \(rows.count) rows or their checksum do not match its end line (\(lines.last!.dropFirst(2)))"))
        }
        var outcomes: [Outcome] = []
        for (line, index) in zip(rows, indices) {
            guard let outcome = parse(String(line)), outcome.index == index else {
                return .failure(.init(reason: "is damaged: a row for instance \(index) does not parse"))
            }
            outcomes.append(outcome)
        }
        guard outcomes.count == indices.count else { return .failure(.init(reason: "has \(outcomes.count) rows, not \(indices.count)")) }
        return .success(outcomes)
    }

    private func row(_ outcome: Outcome) -> String {
        let entries = Self.entries(of: outcome.index)
        let mask = entries.map { "\($0.row)\($0.column)" }.joined(separator: ",")
        let values = entries.map { "\($0.value)" }.joined(separator: ",")
        var fields = ["\(outcome.index)", mask, values, outcome.verdict.rawValue, "\(outcome.minimum)"]
        for k in initNorms.indices {
            if outcome.verdict == .feasible {
                fields += ["\(outcome.nuclearNorms[k])", "\(outcome.deltas[k])", outcome.statuses[k].rawValue, "\(outcome.steps[k])", "\(outcome.floors[k])"]
            } else {
                fields += ["nan", "nan", "none", "0", "nan"]
            }
        }
        if greedy != nil {
            if let g = outcome.greedy {
                fields += ["\(g.nuclearNorm)", "\(g.delta)", g.status.rawValue, "\(g.rank)", "\(g.floor)"]
            } else {
                fields += ["nan", "nan", "none", "0", "nan"]
            }
        }
        return fields.joined(separator: "\t") + "\n"
    }

    private func parse(_ line: String) -> Outcome? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        let width = 5
        guard fields.count == 5 + width * initNorms.count + (greedy == nil ? 0 : 5), let index = Int(fields[0]),
              let verdict = Verdict(rawValue: fields[3]) else { return nil }
        var outcome = Outcome(index: index, verdict: verdict, minimum: Double(fields[4]) ?? .nan,
                              nuclearNorms: [], deltas: [], statuses: [], steps: [])
        for k in initNorms.indices {
            let base = 5 + width * k
            outcome.nuclearNorms.append(Double(fields[base]) ?? .nan)
            outcome.deltas.append(Double(fields[base + 1]) ?? .nan)
            // A feasible instance's flows carry their status; the others "none".
            guard let status = SolverStatus(rawValue: fields[base + 2]) ?? (verdict == .feasible ? nil : .inaccurate) else { return nil }
            outcome.statuses.append(status)
            outcome.steps.append(Int(fields[base + 3]) ?? 0)
            outcome.floors.append(Double(fields[base + 4]) ?? .nan)
        }
        if greedy != nil, verdict == .feasible {
            let base = 5 + width * initNorms.count
            guard let status = SolverStatus(rawValue: fields[base + 2]), let rank = Int(fields[base + 3]) else { return nil }
            outcome.greedy = GreedyOutcome(
                nuclearNorm: Double(fields[base]) ?? .nan, delta: Double(fields[base + 1]) ?? .nan, status: status, rank: rank,
                floor: Double(fields[base + 4]) ?? .nan)
        }
        return outcome
    }
}
