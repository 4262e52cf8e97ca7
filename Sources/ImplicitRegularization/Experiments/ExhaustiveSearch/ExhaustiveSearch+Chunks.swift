import Foundation

extension ExhaustiveSearch {
    /// The chunks of a run: its instances (every `subsample`-th index) cut into chunks of
    /// ``chunkSize`` in order, and the folder their files go to, named by the ᾱ and the search's options.
    struct ChunkLayout: Sendable {
        static let chunkSize = 500
        var indices: [Int]
        var folder: URL

        var count: Int { (indices.count + Self.chunkSize - 1) / Self.chunkSize }

        /// Chunk `c`'s instances.
        func part(_ c: Int) -> ArraySlice<Int> {
            indices[(c * Self.chunkSize)..<min((c + 1) * Self.chunkSize, indices.count)]
        }

        /// Chunk `c`'s file: `chunk-FIRST-LAST-COUNT.tsv`.
        func file(_ c: Int) -> URL {
            let part = part(c)
            return folder.appendingPathComponent("chunk-\(part.first!)-\(part.last!)-\(part.count).tsv")
        }
    }

    /// The chunks of a run on every `subsample`-th instance into `folder`.
    func chunkLayout(subsample: Int, folder: URL) -> ChunkLayout {
        let tag = initNorms.map { "\($0)" }.joined(separator: "_") + (weighting == .entry ? "" : "-\(weighting.rawValue)") + (greedy == nil ? "" : "-glrl") + (representation == .graded ? "-graded" : "")
        return ChunkLayout(
            indices: Array(stride(from: 0, to: Self.instanceCount, by: max(subsample, 1))),
            folder: folder.appendingPathComponent("chunks-\(tag)", isDirectory: true))
    }

    /// Computes chunk `c` and writes its file atomically: its outcomes.
    func computeChunk(_ c: Int, layout: ChunkLayout, key: String) throws -> [Outcome] {
        let outcomes = layout.part(c).map { solve($0) }
        try AtomicFile.write(chunkText(outcomes, key: key, indices: layout.part(c)), to: layout.file(c))
        return outcomes
    }

    /// The chunks `pending` on `workers` threads, each written as soon as it is computed; `progress`
    /// hears the count of finished chunks (from `alreadyDone`) of `layout.count`.
    func computeOnThreads(
        _ pending: [Int], layout: ChunkLayout, key: String, workers: Int, alreadyDone: Int,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> [(Int, [Outcome])] {
        let chunkCount = layout.count
        let done = Counter(alreadyDone)
        progress(done.value, chunkCount)
        let failures = FirstError()
        let computed = ConcurrentWork.map(pending, workers: workers) { c -> (Int, [Outcome]) in
            let outcomes = layout.part(c).map { solve($0) }
            do {
                try AtomicFile.write(chunkText(outcomes, key: key, indices: layout.part(c)), to: layout.file(c))
            } catch {
                failures.record(error)
            }
            progress(done.increment(), chunkCount)
            return (c, outcomes)
        }
        if let error = failures.first { throw error }
        return computed
    }

    /// The chunks `pending` as the tasks of a Slurm job array: a ``WorkerPlan`` in `folder/slurm/plan.json`
    /// (task k computes chunk `pending[k]`), then ``SlurmArray/run(units:isFinished:unitName:progress:)``
    /// with a unit finished when its chunk file reads back sound under `key`.
    func computeOnSlurm(
        _ pending: [Int], layout: ChunkLayout, key: String, codeDigest: String, subsample: Int, folder: URL,
        options: SlurmArray.Options, alreadyDone: Int, progress: @escaping @Sendable (Int, Int) -> Void
    ) throws -> [(Int, [Outcome])] {
        let chunkCount = layout.count
        progress(alreadyDone, chunkCount)
        guard !pending.isEmpty else { return [] }
        guard let program = options.worker.first else { throw SlurmArray.Failure.invalidOptions("no worker program") }
        let array = SlurmArray(options: options, folder: folder)
        try Self.makeFolder(array.slurmFolder.path)
        let planFile = array.slurmFolder.appendingPathComponent("plan.json")
        let plan = WorkerPlan(
            search: self, subsample: subsample, folder: folder.path, codeDigest: codeDigest, chunkKey: key,
            programDigest: try WorkerPlan.digest(ofProgram: program), chunks: pending)
        try AtomicFile.write(Array(try plan.encoded()), to: planFile)
        var withPlan = options
        withPlan.worker += [planFile.path, "--task"]
        var results: [Int: [Outcome]] = [:]
        _ = try SlurmArray(options: withPlan, folder: folder).run(
            units: pending.count,
            isFinished: { k in
                let c = pending[k]
                guard results[c] == nil else { return true }
                guard FileManager.default.fileExists(atPath: layout.file(c).path),
                      case let .success(outcomes) = readChunk(layout.file(c), key: key, indices: layout.part(c)) else { return false }
                results[c] = outcomes
                return true
            },
            unitName: { k in "chunk \(pending[k]) (\(layout.file(pending[k]).lastPathComponent))" },
            progress: { progress(alreadyDone + $0, chunkCount) })
        return pending.map { ($0, results[$0]!) }
    }
}
