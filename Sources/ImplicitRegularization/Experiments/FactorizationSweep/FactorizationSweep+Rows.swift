/// The rows of Figures 1–2's tables, one plain struct per table: a notebook writes each column from a
/// stored property (camelCase as snake_case, a nested struct's columns prefixed with its name).
extension FactorizationSweep {
    /// One run (table `runs`): how gradient descent ended, then the same run taken to its limit.
    public struct RunRow: Sendable, Codable, Equatable {
        public var setting: String
        public var curve: String
        public var d: Int
        public var seed: Int
        public var reconstructionError: Double
        public var trainingError: Double
        public var nuclearNorm: Double
        public var iterations: Int
        public var status: String
        public var limitReconstructionError: Double
        public var limitTrainingError: Double
        public var limitNuclearNorm: Double
        public var limitTime: Double
        /// The stationarity test that ended the flow, "none" where none did.
        public var limitStationaryBy: String
        public var limitStatus: String

        public init(setting: PaperSetting, point: Point, limit: Limit) {
            self.setting = setting.rawValue
            curve = point.curve.rawValue
            d = point.rank
            seed = Int(point.seed)
            reconstructionError = point.reconstructionError
            trainingError = point.relativeResidual
            nuclearNorm = point.nuclearNorm
            iterations = point.iterations
            status = point.status.rawValue
            limitReconstructionError = limit.reconstructionError
            limitTrainingError = limit.relativeResidual
            limitNuclearNorm = limit.nuclearNorm
            limitTime = limit.time
            limitStationaryBy = limit.stationaryBy?.rawValue ?? "none"
            limitStatus = limit.status.rawValue
        }
    }

    /// One setting's references (table `references`): X_gd and the minimum nuclear norm SDP with its certified gap.
    public struct ReferenceRow: Sendable, Codable, Equatable {
        public var setting: String
        public var xgdError: Double
        public var xgdTrainingError: Double
        public var xgdStatus: String
        public var xgdNuclearNorm: Double
        public var minNuclearNorm: Double
        public var minError: Double
        public var minDualityGap: Double
        public var minStatus: String

        public init(setting: PaperSetting, references r: References) {
            self.setting = setting.rawValue
            xgdError = r.xgdReconstructionError
            xgdTrainingError = r.xgdRelativeResidual
            xgdStatus = r.xgdStatus.rawValue
            xgdNuclearNorm = r.xgdNuclearNorm
            minNuclearNorm = r.minimumNuclearNorm
            minError = r.minimumReconstructionError
            minDualityGap = r.minimumDualityGap
            minStatus = r.minimumStatus.rawValue
        }
    }

    /// One curve at one d, over the seeds (``SeedStatistics``): the errors' and the nuclear norm's mean and
    /// standard deviation, the errors' geometric mean and band, and how many runs are not `.solved`.
    public struct SeedColumns: Sendable, Codable, Equatable {
        public var error: Double
        public var errorSd: Double
        public var training: Double
        public var trainingSd: Double
        public var nuclear: Double
        public var nuclearSd: Double
        public var errorGmean: Double
        public var errorLow: Double
        public var errorHigh: Double
        public var trainingGmean: Double
        public var trainingLow: Double
        public var trainingHigh: Double
        public var unsolved: Int

        /// The reconstruction errors, relative training errors, nuclear norms and statuses of the seeds' runs.
        public init(errors: [Double], trainings: [Double], nuclearNorms: [Double], statuses: [SolverStatus]) {
            let (e, t, v) = (SeedStatistics(errors), SeedStatistics(trainings), SeedStatistics(nuclearNorms))
            (error, errorSd, training, trainingSd, nuclear, nuclearSd) = (e.mean, e.standardDeviation, t.mean, t.standardDeviation, v.mean, v.standardDeviation)
            (errorGmean, errorLow, errorHigh) = (e.geometricMean, e.geometricLow, e.geometricHigh)
            (trainingGmean, trainingLow, trainingHigh) = (t.geometricMean, t.geometricLow, t.geometricHigh)
            unsolved = statuses.filter { $0 != .solved }.count
        }
    }

    /// One d of a setting's panel (table `panel_a` …): for each curve, its runs as gradient descent ended them
    /// and taken to their limit, then the references' lines.
    public struct PanelRow: Sendable, Codable, Equatable {
        public var d: Int
        public var smallInit: SeedColumns
        public var smallInitLimit: SeedColumns
        public var largeInit: SeedColumns
        public var largeInitLimit: SeedColumns
        public var lineSearch: SeedColumns
        public var lineSearchLimit: SeedColumns
        public var svdInit: SeedColumns
        public var svdInitLimit: SeedColumns
        public var xgdError: Double
        public var xgdTraining: Double
        public var xgdNuclear: Double
        public var minNuclear: Double
        public var minError: Double

        /// The row of width `d` from the outcome's runs (every seed of each curve).
        public init(d: Int, of outcome: Outcome) {
            func columns(_ curve: Curve) -> (ended: SeedColumns, limit: SeedColumns) {
                let runs = outcome.runs(curve) { $0 == d }
                return (SeedColumns(errors: runs.map(\.point.reconstructionError), trainings: runs.map(\.point.relativeResidual),
                                    nuclearNorms: runs.map(\.point.nuclearNorm), statuses: runs.map(\.point.status)),
                        SeedColumns(errors: runs.map(\.limit.reconstructionError), trainings: runs.map(\.limit.relativeResidual),
                                    nuclearNorms: runs.map(\.limit.nuclearNorm), statuses: runs.map(\.limit.status)))
            }
            self.d = d
            (smallInit, smallInitLimit) = columns(.smallInitialization)
            (largeInit, largeInitLimit) = columns(.largeInitialization)
            (lineSearch, lineSearchLimit) = columns(.lineSearch)
            (svdInit, svdInitLimit) = columns(.svdInitialization)
            let r = outcome.references
            (xgdError, xgdTraining, xgdNuclear) = (r.xgdReconstructionError, r.xgdRelativeResidual, r.xgdNuclearNorm)
            (minNuclear, minError) = (r.minimumNuclearNorm, r.minimumReconstructionError)
        }
    }
}

extension FactorizationSweep.Outcome {
    /// Table `runs`: every run, in the sweep's order.
    public var runRows: [FactorizationSweep.RunRow] {
        zip(points, limits).map { FactorizationSweep.RunRow(setting: setting, point: $0.0, limit: $0.1) }
    }

    /// Table `panel_<setting>`: one row per width, in the sweep's order of d.
    public var panelRows: [FactorizationSweep.PanelRow] {
        var seen = Set<Int>()
        return points.map(\.rank).filter { seen.insert($0).inserted }.map { FactorizationSweep.PanelRow(d: $0, of: self) }
    }
}
