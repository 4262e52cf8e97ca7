/// The three settings of Figures 1–3 (SPEC, "planted low rank", "decaying spectrum",
/// "measurement counts"): n = 50, r = 2, and
///
/// - (a) X* of rank 2, m = 3nr = 300;
/// - (b) X* with a decaying spectrum (`‖X*‖_* = √2 ‖X*‖_F`), m = 300;
/// - (c) X* of rank 2, m = nr/4 = 25: too few observations to recover X*.
///
/// Each is observed by Gaussian sensing (Figures 1, 2 and 3 i) or by entries (Figure 3 ii, iii).
public enum PaperSetting: String, CaseIterable, Sendable, Codable {
    case a, b, c

    /// How X* is observed.
    public enum Observations: String, CaseIterable, Sendable, Codable {
        case sensing
        case uniformCompletion = "uniform-completion"
        case powerLawCompletion = "power-law-completion"
    }

    public static let dimension = 50
    public static let rank = 2

    /// m.
    public var measurementCount: Int {
        switch self {
        case .a, .b: 3 * Self.dimension * Self.rank
        case .c: Self.dimension * Self.rank / 4
        }
    }

    public var spectrum: PlantedSensing.Spectrum { self == .b ? .decaying : .lowRank }

    /// The paper's caption of the setting.
    public var title: String {
        switch self {
        case .a: "(a) low rank, m = 3nr"
        case .b: "(b) low nuclear norm, m = 3nr"
        case .c: "(c) low rank, m = nr/4"
        }
    }

    /// The planted problem of this setting, X* and the observations both drawn from `seed`.
    public func problem(_ observations: Observations = .sensing, seed: UInt64 = 0) throws -> MeasurementProblem {
        let n = Self.dimension, r = Self.rank, m = measurementCount
        switch observations {
        case .sensing:
            return try PlantedSensing.generate(dimension: n, rank: r, measurements: m, spectrum: spectrum, seed: seed)
        case .uniformCompletion:
            return try PlantedCompletion.generate(
                dimension: n, rank: r, observations: m, spectrum: spectrum, sampling: .uniform, seed: seed)
        case .powerLawCompletion:
            return try PlantedCompletion.generate(
                dimension: n, rank: r, observations: m, spectrum: spectrum, sampling: .powerLaw, seed: seed)
        }
    }
}
