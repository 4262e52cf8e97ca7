import Foundation

/// What the runner tells a notebook's program about its run: one JSON file, named on the
/// program's command line (`program --run-manifest PATH`), written by the runner before the
/// program starts and only read by it.
///
/// It replaces the environment variables the two once shared: a program started by hand,
/// without it, still runs (outputs to the current folder, the parameters' defaults unknown,
/// the kernel "unversioned"), as any program would.
public struct RunManifest: Codable, Equatable, Sendable {
    /// The run's own outputs: `block-K.txt`, `events.jsonl`, `tables/`.
    public var outputFolder: String
    /// The report folder's `data/`, holding `NOTEBOOK/NAME.tsv` for every notebook rendered.
    public var dataFolder: String
    /// Where the notebook keeps state of its own between runs (resume chunks, say): a folder
    /// inside the `--cache` the user chose, one per notebook, which `notebook clean` removes.
    public var cacheFolder: String
    /// The parameters of this run (defaults, overridden by `--param`).
    public var parameters: [String: ParameterValue]
    /// A digest of the kernel (the package's library code by meaning, the runtime and the
    /// compiler): keys the caches a notebook keeps itself.
    public var kernel: String
    /// The folder of value files a resumed program restores its earlier blocks' values from
    /// (``NotebookState/restore(_:file:_:)``: the run's own `values/`, where the runner linked the
    /// earlier run's files); nil when the program runs from its first block.
    public var restoreFolder: String?
    /// Where the notebook's independent units run (``Executor``), as the runner resolved it from
    /// `notebook run --executor`, the front matter's and `notebook.yml`'s `executor:` and
    /// `NOTEBOOK_EXECUTOR`; nil from a runner that resolves none (the program then reads the environment).
    public var executor: Executor?

    public init(
        outputFolder: String, dataFolder: String, cacheFolder: String, parameters: [String: ParameterValue], kernel: String,
        restoreFolder: String? = nil, executor: Executor? = nil
    ) {
        self.outputFolder = outputFolder
        self.dataFolder = dataFolder
        self.cacheFolder = cacheFolder
        self.parameters = parameters
        self.kernel = kernel
        self.restoreFolder = restoreFolder
        self.executor = executor
    }

    /// Where a notebook's independent units run, and what a Slurm job array of them asks for: the
    /// `executor:` of a front matter or `notebook.yml`, resolved. Its JSON keys are the YAML's
    /// (`kind`, `partition`, `account`, `time`, `cpus-per-task`, `array-max`, `sbatch`) plus `worker`:
    /// the kernel's library reads this JSON (``NotebookSession/executorSettings``) without knowing
    /// this type. An absent setting is the cluster's default (sbatch's own `SBATCH_*` variables apply).
    /// It says where work runs, never what it computes: it is no part of any cache key.
    public struct Executor: Codable, Equatable, Sendable {
        /// `local` (threads of the notebook's program) or `slurm` (the tasks of a Slurm job array).
        public var kind: String
        /// `sbatch --partition`.
        public var partition: String?
        /// `sbatch --account`.
        public var account: String?
        /// `sbatch --time`: a task's wall-time limit in Slurm's format (`MM`, `HH:MM:SS`, `D-HH`, …).
        public var time: String?
        /// `sbatch --cpus-per-task` (at least 1).
        public var cpusPerTask: Int?
        /// At most this many tasks at once: `sbatch --array=…%N` (at least 1).
        public var arrayMax: Int?
        /// More `sbatch` arguments, as they are (`--qos=short`, `--mem=2G`).
        public var sbatch: [String]
        /// The command that computes one unit (this program as a worker): set by the program
        /// (``NotebookSession/executorSettings``), never by the runner.
        public var worker: [String]?

        public init(
            kind: String, partition: String? = nil, account: String? = nil, time: String? = nil, cpusPerTask: Int? = nil,
            arrayMax: Int? = nil, sbatch: [String] = [], worker: [String]? = nil
        ) {
            self.kind = kind
            self.partition = partition
            self.account = account
            self.time = time
            self.cpusPerTask = cpusPerTask
            self.arrayMax = arrayMax
            self.sbatch = sbatch
            self.worker = worker
        }

        /// Threads of the program, nothing else set.
        public static let local = Executor(kind: "local")

        enum CodingKeys: String, CodingKey {
            case kind, partition, account, time, sbatch, worker
            case cpusPerTask = "cpus-per-task"
            case arrayMax = "array-max"
        }

        /// The settings as one line of JSON, keys sorted.
        public var json: String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(self)) ?? Data("{\"kind\":\"local\"}".utf8), as: UTF8.self)
        }
    }

    /// The command-line option that names the manifest.
    public static let option = "--run-manifest"
    /// The manifest's name in the run's folder.
    public static let fileName = "run.json"

    /// The manifest named by `arguments` (`--run-manifest PATH`), or nil when none is given.
    /// A manifest named but unreadable stops the program: it would otherwise run with the
    /// wrong parameters and write where no runner looks.
    public static func named(by arguments: [String]) -> RunManifest? {
        guard let position = arguments.firstIndex(of: option) else { return nil }
        guard position + 1 < arguments.count else { fatalError("\(option) needs a file") }
        let path = arguments[position + 1]
        do {
            return try JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("cannot read the run manifest \(path): \(error)")
        }
    }

    /// The manifest of this process (from `CommandLine.arguments`), read once.
    public static let current: RunManifest? = named(by: CommandLine.arguments)
}
