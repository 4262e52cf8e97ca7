import Foundation

extension FactorizationSweep {
    /// What a Slurm task of Figure 1's sweep needs to compute one unit, as JSON in the run's folder
    /// (`slurm/plan.json`): the profile, each setting's references (computed once by the submitting
    /// process, so that every task continues from the same X_gd and measures against the same minimum),
    /// the run's folder, the units still to compute (task k computes `tasks[k]`, with the key its file is
    /// written under), and the FNV-1a digest of the worker program's executable. A worker refuses
    /// (``WorkerPlanRefusal``) a plan made for another executable, or whose key its own code does not
    /// reproduce from the plan's inputs.
    public struct WorkerPlan: Codable, Sendable {
        public static let format = "factorization-sweep worker plan 1"
        /// One task: unit (`setting`, `rank`) and the key of its file.
        public struct Task: Codable, Sendable, Equatable {
            public var setting: PaperSetting
            public var rank: Int
            public var key: String
            public init(setting: PaperSetting, rank: Int, key: String) { (self.setting, self.rank, self.key) = (setting, rank, key) }
        }

        public var format = Self.format
        public var profile: FigureProfile
        /// The references of ``PaperSetting/allCases``, in that order.
        public var references: [References]
        /// The run's folder (the units go to its `units/` folder).
        public var folder: String
        public var codeDigest: String
        /// FNV-1a (64 bits, hexadecimal) of the worker program's executable file.
        public var programDigest: String
        public var tasks: [Task]

        public init(profile: FigureProfile, references: [References], folder: String, codeDigest: String, programDigest: String, tasks: [Task]) {
            (self.profile, self.references, self.folder, self.codeDigest, self.programDigest, self.tasks) =
                (profile, references, folder, codeDigest, programDigest, tasks)
        }

        /// The plan in `file`, checked against this program: ``WorkerPlanRefusal`` when it cannot be read,
        /// is of another format, names another executable digest than `programDigest` (this program's),
        /// or lacks a setting's references.
        public static func load(_ file: URL, programDigest: String) throws -> WorkerPlan {
            let data: Data
            do { data = try Data(contentsOf: file) } catch {
                throw WorkerPlanRefusal(reason: "\(file.path): cannot read the plan: \(error.localizedDescription)")
            }
            let plan: WorkerPlan
            do { plan = try WorkerPlanDispatch.decoded(WorkerPlan.self, from: data) } catch {
                throw WorkerPlanRefusal(reason: "\(file.path): not a sweep plan of this program (\(error))")
            }
            guard plan.format == Self.format else {
                throw WorkerPlanRefusal(reason: "\(file.path): a plan of \(plan.format); this program computes \(Self.format)")
            }
            guard plan.programDigest == programDigest else {
                throw WorkerPlanRefusal(reason: "\(file.path): the plan was made for a worker program with digest \(plan.programDigest), and this program's is \(programDigest) (rebuilt since?); run the figure again to make a new plan")
            }
            guard plan.references.count == PaperSetting.allCases.count else {
                throw WorkerPlanRefusal(reason: "\(file.path): the plan holds \(plan.references.count) settings' references, not \(PaperSetting.allCases.count)")
            }
            return plan
        }

        /// Computes task `task`'s unit and writes its file atomically, the bytes a threads run writes;
        /// refuses (``WorkerPlanRefusal``) when this program keys the unit otherwise than the plan. A unit
        /// already in place and sound is left as it is.
        public func compute(task: Int) throws {
            guard tasks.indices.contains(task) else {
                throw WorkerPlanRefusal(reason: "task \(task) is not in the plan (tasks 0…\(tasks.count - 1))")
            }
            let unit = tasks[task]
            let s = PaperSetting.allCases.firstIndex(of: unit.setting)!
            let sweep = try FactorizationSweep.figureSweep(unit.setting, profile: profile)
            let key = sweep.unitKey(rank: unit.rank, references: references[s], codeDigest: codeDigest)
            guard key == unit.key else {
                throw WorkerPlanRefusal(reason: "unit \(unit.setting.rawValue), d = \(unit.rank): the plan's key \(unit.key) is not the one this program makes of its inputs (\(key))")
            }
            let file = FactorizationSweep.unitFile(setting: unit.setting, rank: unit.rank, folder: URL(fileURLWithPath: folder, isDirectory: true))
            let count = sweep.curves.count * profile.seeds.count
            if case .success = FactorizationSweep.readUnit(file, setting: unit.setting, rank: unit.rank, key: key, count: count) { return }
            let (points, limits) = try sweep.unit(rank: unit.rank, references: references[s])
            try FactorizationSweep.writeUnit(UnitResult(key: key, setting: unit.setting, rank: unit.rank, points: points, limits: limits), to: file)
        }
    }
}
