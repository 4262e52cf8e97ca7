import Foundation

extension ExhaustiveSearch {
    /// What a Slurm task of a search needs to compute one chunk, as JSON in the run's state folder
    /// (`slurm/plan.json`): the search's parameters, the subsample and folder that lay out its chunks, the
    /// chunks still to compute (task k computes `chunks[k]`), the key the chunks are written under, and
    /// the code it expects: ``algorithmVersion``, and the FNV-1a digest of the worker program's executable
    /// file as the submitting process found it. A worker whose own executable has another digest (the
    /// program was rebuilt or replaced since), or whose code keys the chunks otherwise, refuses the plan
    /// (``Refusal``) rather than write chunks that the submitting run would not compute.
    public struct WorkerPlan: Codable, Sendable {
        public static let format = "exhaustive-search worker plan 1"
        public var format = Self.format
        public var algorithmVersion = ExhaustiveSearch.algorithmVersion
        public var search: ExhaustiveSearch
        public var subsample: Int
        /// The run's folder (its chunks go to a `chunks-…` folder inside).
        public var folder: String
        /// The `codeDigest` of the run, and the chunk key it makes with the search (``ExhaustiveSearch/chunkKey(codeDigest:)``).
        public var codeDigest: String
        public var chunkKey: String
        /// FNV-1a (64 bits, hexadecimal) of the worker program's executable file.
        public var programDigest: String
        public var chunks: [Int]

        /// Why a worker will not compute from a plan (``WorkerPlanRefusal``).
        public typealias Refusal = WorkerPlanRefusal

        public init(search: ExhaustiveSearch, subsample: Int, folder: String, codeDigest: String, chunkKey: String, programDigest: String, chunks: [Int]) {
            self.search = search
            self.subsample = subsample
            self.folder = folder
            self.codeDigest = codeDigest
            self.chunkKey = chunkKey
            self.programDigest = programDigest
            self.chunks = chunks
        }

        /// The plan as JSON (infinities and NaN as the strings "inf", "-inf", "nan"; keys sorted).
        public func encoded() throws -> Data { try WorkerPlanDispatch.encoded(self) }

        /// The plan in `file`, checked against this program: ``Refusal`` when it cannot be read, is of
        /// another format or algorithm version, names another executable digest than `programDigest`
        /// (this program's), or when its search's chunk key, recomputed here, is not the recorded one.
        public static func load(_ file: URL, programDigest: String) throws -> WorkerPlan {
            let data: Data
            do { data = try Data(contentsOf: file) } catch {
                throw Refusal(reason: "\(file.path): cannot read the plan: \(error.localizedDescription)")
            }
            let plan: WorkerPlan
            do { plan = try WorkerPlanDispatch.decoded(WorkerPlan.self, from: data) } catch {
                throw Refusal(reason: "\(file.path): not a worker plan of this program (\(error))")
            }
            guard plan.format == Self.format, plan.algorithmVersion == ExhaustiveSearch.algorithmVersion else {
                throw Refusal(reason: "\(file.path): a plan of \(plan.format), search version \(plan.algorithmVersion); this program computes version \(ExhaustiveSearch.algorithmVersion)")
            }
            guard plan.programDigest == programDigest else {
                throw Refusal(reason: "\(file.path): the plan was made for a worker program with digest \(plan.programDigest), and this program's is \(programDigest) (rebuilt since?); run the search again to make a new plan")
            }
            guard plan.search.chunkKey(codeDigest: plan.codeDigest) == plan.chunkKey else {
                throw Refusal(reason: "\(file.path): the plan's chunk key \(plan.chunkKey) is not the one this program makes of its search (\(plan.search.chunkKey(codeDigest: plan.codeDigest)))")
            }
            return plan
        }

        /// Computes task `task`'s chunk (`chunks[task]`) and writes its file atomically, the bytes a
        /// threads run writes. A chunk already in place and sound is left as it is.
        public func compute(task: Int) throws {
            guard chunks.indices.contains(task) else {
                throw Refusal(reason: "task \(task) is not in the plan (tasks 0…\(chunks.count - 1))")
            }
            let layout = search.chunkLayout(subsample: subsample, folder: URL(fileURLWithPath: folder, isDirectory: true))
            let c = chunks[task]
            guard c < layout.count else { throw Refusal(reason: "chunk \(c) is not in the search (\(layout.count) chunks)") }
            if case .success = search.readChunk(layout.file(c), key: chunkKey, indices: layout.part(c)) { return }
            try ExhaustiveSearch.makeFolder(layout.folder.path)
            _ = try search.computeChunk(c, layout: layout, key: chunkKey)
        }

        /// FNV-1a (64 bits, hexadecimal) of the file at `path` (``WorkerPlanDispatch/digest(ofProgram:)``).
        public static func digest(ofProgram path: String) throws -> String { try WorkerPlanDispatch.digest(ofProgram: path) }

        /// The digest of this process's own executable (``WorkerPlanDispatch/digestOfThisProgram()``).
        public static func digestOfThisProgram() throws -> String { try WorkerPlanDispatch.digestOfThisProgram() }
    }
}
