import Foundation

extension ExhaustiveSearch {
    /// Counts over a run, and for each ᾱ how the Δ fall.
    public struct Summary: Sendable {
        public struct PerInitNorm: Sendable {
            public var initNorm: Double
            /// Feasible instances with |Δ| < 1e-2.
            public var within1e2: Int
            public var medianDelta: Double
            public var maxDelta: Double
            /// Flows of feasible instances that did not end `.solved` (a step or time limit, or inaccurate).
            public var unsolved: Int
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
    }

    /// One bin of the histogram of Δ: `lower ≤ Δ < upper`, a count per ᾱ (in `initNorms` order).
    public struct HistogramBin: Sendable {
        public var lower: Double
        public var upper: Double
        public var counts: [Int]
    }

    /// The histogram's bin edges for Δ: below 0, then width 0.01 up to 1, then 1 and above.
    public static let histogramEdges: [Double] = [-.infinity] + (0...100).map { Double($0) / 100 } + [.infinity]

    /// Runs `indices` (all 150,000 by default, or every K-th with `subsample`) in chunks of 500
    /// spread over `workers` threads. Each finished chunk is written to `folder/chunks/` at once,
    /// so an interrupted run resumes where it stopped; then `instances.tsv` (one row per
    /// instance) and `histogram.tsv` (counts of Δ per bin, a column per ᾱ) are written.
    public func run(
        subsample: Int = 1, folder: URL, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) throws -> Summary {
        let indices = Array(stride(from: 0, to: Self.instanceCount, by: max(subsample, 1)))
        let chunkSize = 500
        let chunkCount = (indices.count + chunkSize - 1) / chunkSize
        let tag = initNorms.map { "\($0)" }.joined(separator: "_")
        let chunks = folder.appendingPathComponent("chunks-\(tag)", isDirectory: true)
        try FileManager.default.createDirectory(at: chunks, withIntermediateDirectories: true)
        @Sendable func part(_ c: Int) -> ArraySlice<Int> {
            indices[(c * chunkSize)..<min((c + 1) * chunkSize, indices.count)]
        }
        @Sendable func chunkFile(_ c: Int) -> URL {
            let part = part(c)
            return chunks.appendingPathComponent("chunk-\(part.first!)-\(part.last!)-\(part.count).tsv")
        }
        let pending = (0..<chunkCount).filter { !FileManager.default.fileExists(atPath: chunkFile($0).path) }
        let done = Counter(chunkCount - pending.count)
        progress(done.value, chunkCount)
        let failure = Counter(0)
        let workerCount = max(1, min(workers, pending.count))
        _ = ConcurrentWork.map(Array(0..<workerCount)) { worker in
            for c in stride(from: worker, to: pending.count, by: workerCount).map({ pending[$0] }) {
                let rows = part(c).map { row(solve($0)) }.joined()
                do {
                    try Data(rows.utf8).write(to: chunkFile(c), options: .atomic)
                } catch {
                    failure.increment()
                }
                progress(done.increment(), chunkCount)
            }
        }
        if failure.value > 0 { throw CocoaError(.fileWriteUnknown) }

        var outcomes: [Outcome] = []
        for c in 0..<chunkCount {
            let text = try String(contentsOf: chunkFile(c), encoding: .utf8)
            outcomes += text.split(separator: "\n").compactMap { parse(String($0)) }
        }
        let header = ["index", "mask", "values", "verdict", "min_nuclear_norm"]
            + initNorms.flatMap { ["nuclear_norm_\($0)", "delta_\($0)", "status_\($0)", "steps_\($0)"] }
        try Data((header.joined(separator: "\t") + "\n" + outcomes.map(row).joined()).utf8)
            .write(to: folder.appendingPathComponent("instances.tsv"), options: .atomic)

        let feasible = outcomes.filter { $0.verdict == .feasible }
        let histogram = (0..<(Self.histogramEdges.count - 1)).map { bin in
            let (lower, upper) = (Self.histogramEdges[bin], Self.histogramEdges[bin + 1])
            return HistogramBin(
                lower: lower, upper: upper,
                counts: initNorms.indices.map { k in feasible.filter { $0.deltas[k] >= lower && $0.deltas[k] < upper }.count })
        }
        let histogramText = ([["lower", "upper"] + initNorms.map { "count_\($0)" }]
            + histogram.map { ["\($0.lower)", "\($0.upper)"] + $0.counts.map(String.init) })
            .map { $0.joined(separator: "\t") + "\n" }.joined()
        try Data(histogramText.utf8).write(to: folder.appendingPathComponent("histogram.tsv"), options: .atomic)

        let perInitNorm = initNorms.indices.map { k -> Summary.PerInitNorm in
            let deltas = feasible.map { $0.deltas[k] }.sorted()
            return .init(
                initNorm: initNorms[k], within1e2: deltas.filter { abs($0) < 1e-2 }.count,
                medianDelta: deltas.isEmpty ? .nan : deltas[deltas.count / 2], maxDelta: deltas.last ?? .nan,
                unsolved: feasible.filter { $0.statuses[k] != .solved }.count)
        }
        return Summary(
            instances: outcomes.count, feasible: feasible.count,
            infeasible: outcomes.filter { $0.verdict == .infeasible }.count,
            undecided: outcomes.filter { $0.verdict == .undecided }.count,
            perInitNorm: perInitNorm, computed: pending.reduce(0) { $0 + part($1).count }, histogram: histogram)
    }

    private func row(_ outcome: Outcome) -> String {
        let entries = Self.entries(of: outcome.index)
        let mask = entries.map { "\($0.row)\($0.column)" }.joined(separator: ",")
        let values = entries.map { "\($0.value)" }.joined(separator: ",")
        var fields = ["\(outcome.index)", mask, values, outcome.verdict.rawValue, "\(outcome.minimum)"]
        for k in initNorms.indices {
            if outcome.verdict == .feasible {
                fields += ["\(outcome.nuclearNorms[k])", "\(outcome.deltas[k])", outcome.statuses[k].rawValue, "\(outcome.steps[k])"]
            } else {
                fields += ["nan", "nan", "none", "0"]
            }
        }
        return fields.joined(separator: "\t") + "\n"
    }

    private func parse(_ line: String) -> Outcome? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5 + 4 * initNorms.count, let index = Int(fields[0]),
              let verdict = Verdict(rawValue: fields[3]) else { return nil }
        var outcome = Outcome(index: index, verdict: verdict, minimum: Double(fields[4]) ?? .nan,
                              nuclearNorms: [], deltas: [], statuses: [], steps: [])
        for k in initNorms.indices {
            outcome.nuclearNorms.append(Double(fields[5 + 4 * k]) ?? .nan)
            outcome.deltas.append(Double(fields[6 + 4 * k]) ?? .nan)
            outcome.statuses.append(SolverStatus(rawValue: fields[7 + 4 * k]) ?? .inaccurate)
            outcome.steps.append(Int(fields[8 + 4 * k]) ?? 0)
        }
        return outcome
    }
}
