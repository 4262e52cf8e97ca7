import Foundation

extension WorkExecutor {
    /// An executor as plain settings, in the JSON a notebook program hands over
    /// (`NotebookSession.executorSettings`: the `executor:` of `notebook.yml` or a front matter,
    /// resolved by the runner, with the program itself as the worker). Keys: `kind` (`local` or
    /// `slurm`), `partition`, `account`, `time`, `cpus-per-task`, `array-max`, `sbatch` (more
    /// arguments) and `worker` (the command that computes one unit); an absent key is the
    /// cluster's default, as ``SlurmArray/Options`` has it.
    public struct Settings: Codable, Equatable, Sendable {
        public var kind: String
        public var partition: String?
        public var account: String?
        public var time: String?
        public var cpusPerTask: Int?
        public var arrayMax: Int?
        public var sbatch: [String]?
        public var worker: [String]?

        enum CodingKeys: String, CodingKey {
            case kind, partition, account, time, sbatch, worker
            case cpusPerTask = "cpus-per-task"
            case arrayMax = "array-max"
        }

        /// The settings in `json`; ``SlurmArray/Failure/invalidOptions(_:)`` when it is not such an object.
        public init(json: String) throws {
            do {
                self = try JSONDecoder().decode(Settings.self, from: Data(json.utf8))
            } catch {
                throw SlurmArray.Failure.invalidOptions("not executor settings (\(error)): \(json)")
            }
        }
    }

    /// The executor `settings` name: `local` → ``local`` (a thread per core); `slurm` →
    /// ``slurm(_:)`` with ``SlurmArray/Options/init(settings:)``. Another kind, or `slurm` without a
    /// worker or with a count below 1, is ``SlurmArray/Failure/invalidOptions(_:)``.
    public init(settings: Settings) throws {
        switch settings.kind {
        case "local": self = .local
        case "slurm": self = .slurm(try SlurmArray.Options(settings: settings))
        default: throw SlurmArray.Failure.invalidOptions("unknown executor '\(settings.kind)' (known: local, slurm)")
        }
    }

    /// The executor of a notebook program's settings (JSON, ``Settings``): in a notebook,
    /// `try WorkExecutor(notebookSettings: NotebookSession.executorSettings)`.
    public init(notebookSettings json: String) throws {
        try self.init(settings: Settings(json: json))
    }
}

extension SlurmArray.Options {
    /// The options `settings` give (its `kind` aside), every other option at its default.
    public init(settings: WorkExecutor.Settings) throws {
        guard let worker = settings.worker, !worker.isEmpty else {
            throw SlurmArray.Failure.invalidOptions("the executor settings name no worker command")
        }
        self.init(worker: worker)
        partition = settings.partition
        account = settings.account
        time = settings.time
        if let cpus = settings.cpusPerTask {
            guard cpus >= 1 else { throw SlurmArray.Failure.invalidOptions("cpus-per-task is at least 1, got \(cpus)") }
            cpusPerTask = cpus
        }
        if let most = settings.arrayMax {
            guard most >= 1 else { throw SlurmArray.Failure.invalidOptions("array-max is at least 1, got \(most)") }
            arrayMax = most
        }
        extraArguments = settings.sbatch ?? []
    }
}
