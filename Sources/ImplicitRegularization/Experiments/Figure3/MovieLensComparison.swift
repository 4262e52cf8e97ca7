import Foundation

/// Figure 3 (iv): the minimum nuclear norm completion, gradient descent and X_gd on MovieLens-100k
/// (``MovieLens/Fit``), beside the paper's table. Where the data is missing (its licence forbids
/// redistribution), the table has the paper's numbers only and ``missingData`` says how to get it.
///
/// The paper's numbers reproduce when within ``close`` (1%) of ours: the paper prints four digits,
/// and our loss scaling, which it does not give, may move gradient descent's.
public struct MovieLensComparison: Sendable, Codable {
    /// A test error and a nuclear norm of the paper's table (iv).
    public struct PaperNumbers: Sendable, Codable {
        public var testError: Double
        public var nuclearNorm: Double
    }

    /// One row of the table: the solution, ours and the paper's numbers, iterations and status.
    public struct Row: Sendable, Codable {
        public var solution: String
        public var testError: Double
        public var nuclearNorm: Double
        public var paper: PaperNumbers
        public var iterations: Int
        public var status: String
    }

    /// The paper's minimum nuclear norm solution: test error 0.2880, nuclear norm 8391.
    public static let paperMinimum = PaperNumbers(testError: 0.2880, nuclearNorm: 8391.0)
    /// The paper's gradient descent (`‖U0‖_F = 1e-3`, η = 1e-2): 0.2631, 8876.
    public static let paperDescent = PaperNumbers(testError: 0.2631, nuclearNorm: 8876.0)
    /// The paper's X_gd: 1.000, 20912.
    public static let paperZeroFilled = PaperNumbers(testError: 1.000, nuclearNorm: 20912.0)
    /// A number reproduces the paper's within this relative difference.
    public static let close = 1e-2

    /// Whether `ours` is within ``close`` of `paper`, relatively: `|ours/paper − 1| ≤ 1%`.
    public static func reproduces(_ ours: Double, _ paper: Double) -> Bool { abs(ours / paper - 1) <= close }

    /// The solutions; nil where the data is missing or the method did not run.
    public var zeroFilled: MovieLens.Fit?
    public var descent: MovieLens.Fit?
    public var minimum: MovieLens.Fit?
    /// Why there is no data (the load error), nil when it was read.
    public var missingData: String?
    /// The ratings fitted and tested.
    public var trainingRatings = 0, testRatings = 0

    /// A comparison with no solutions yet (no data read).
    public init() {}

    /// Reads the data in `folder` and fits it as the profile says: gradient descent from the profile's
    /// first seed for at most ``FigureProfile/movieLensIterations``, X_gd and, where
    /// ``FigureProfile/movieLensMinimum``, the minimum nuclear norm completion to its certified gap (1e-4).
    /// `descentProgress(iteration, cap)` every 100 iterations and `(cap, cap)` at the end;
    /// `minimumProgress(iteration, limit)` after each outer iteration and `(limit, limit)` at the end.
    /// A missing or malformed data set is ``missingData``; other errors are thrown.
    public static func run(
        folder: URL, profile: FigureProfile,
        descentProgress: ((_ done: Int, _ total: Int) -> Void)? = nil, minimumProgress: ((_ done: Int, _ total: Int) -> Void)? = nil
    ) throws -> MovieLensComparison {
        var comparison = MovieLensComparison()
        let data: MovieLens
        do {
            data = try MovieLens.load(from: folder)
        } catch let error as MovieLens.LoadError {
            comparison.missingData = error.description
            return comparison
        }
        (comparison.trainingRatings, comparison.testRatings) = (data.training.count, data.test.count)
        var settings = MovieLens.DescentSettings()
        settings.seed = profile.seeds[0]
        settings.stopping.maxIterations = profile.movieLensIterations
        let cap = settings.stopping.maxIterations
        comparison.descent = try data.gradientDescentFit(settings) { iteration, _ in descentProgress?(min(iteration, cap), cap) }
        descentProgress?(cap, cap)
        comparison.zeroFilled = try data.zeroFilledFit()
        if profile.movieLensMinimum {
            let options = MinimumNuclearNormCompletion.Options()
            let limit = options.maxIterations
            comparison.minimum = try data.minimumNuclearNormFit(options) { iteration, _, _, _ in minimumProgress?(min(iteration, limit), limit) }
            minimumProgress?(limit, limit)
        }
        return comparison
    }

    /// X_gd's test error and nuclear norm both reproduce the paper's (false without data).
    public var zeroFilledReproduces: Bool {
        zeroFilled.map { Self.reproduces($0.nuclearNorm, Self.paperZeroFilled.nuclearNorm) && Self.reproduces($0.testError, Self.paperZeroFilled.testError) } ?? false
    }
    /// Our certified minimum's upper bound (a feasible point's nuclear norm) reproduces the paper's minimum.
    public var minimumReproduces: Bool { minimum.map { Self.reproduces($0.nuclearNorm, Self.paperMinimum.nuclearNorm) } ?? false }
    /// Gradient descent's nuclear norm reproduces the paper's.
    public var descentNuclearNormReproduces: Bool { descent.map { Self.reproduces($0.nuclearNorm, Self.paperDescent.nuclearNorm) } ?? false }
    /// Gradient descent's test error reproduces the paper's.
    public var descentTestErrorReproduces: Bool { descent.map { Self.reproduces($0.testError, Self.paperDescent.testError) } ?? false }
    /// Gradient descent is biased toward low nuclear norm: below half X_gd's.
    public var descentIsBiased: Bool {
        guard let descent, let zeroFilled else { return false }
        return descent.nuclearNorm < zeroFilled.nuclearNorm / 2
    }
    /// Gradient descent and the minimum rank in the paper's order by test error (gradient descent
    /// lower, as in the paper's 0.2631 against 0.2880).
    public var testErrorRankingAsThePaper: Bool {
        guard let descent, let minimum else { return false }
        return (Self.paperDescent.testError < Self.paperMinimum.testError) == (descent.testError < minimum.testError)
    }
    /// Whether the descent has fit the data and the minimum is bounded on both sides, as the findings
    /// on them need.
    public var descentAndMinimumCompared: Bool { descent?.status == .solved && minimum?.lowerBound != nil && zeroFilled != nil }

    /// Gradient descent's nuclear norm over our minimum's upper bound, less 1; nil where either is missing.
    public var descentAboveMinimum: Double? { descent.flatMap { gd in minimum.map { gd.nuclearNorm / $0.nuclearNorm - 1 } } }
    /// The paper's minimum over our certified upper bound, less 1: how far the paper's "minimum" is above ours.
    public var paperMinimumAboveOurs: Double? { minimum.map { Self.paperMinimum.nuclearNorm / $0.nuclearNorm - 1 } }
    /// The paper's gradient descent over its minimum, less 1 (5.8%).
    public static var paperDescentAboveMinimum: Double { paperDescent.nuclearNorm / paperMinimum.nuclearNorm - 1 }
    /// Gradient descent's status for the prose: its raw value, or "not run".
    public var descentStatus: String { descent?.status.rawValue ?? "not run" }
    /// The minimum's status for the prose: its raw value, or "not run".
    public var minimumStatus: String { minimum?.status.rawValue ?? "not run" }

    /// The table (iv): the minimum nuclear norm, gradient descent and X_gd, each beside the paper's
    /// numbers (NaN where ours were not computed; the status says why: "not run", "no data").
    public var rows: [Row] {
        let status = missingData == nil ? "not run" : "no data"
        let minimumRow = minimum.map {
            Row(solution: "minimum nuclear norm (a feasible point; certified lower bound \(String(format: "%.1f", $0.lowerBound ?? .nan)))",
                testError: $0.testError, nuclearNorm: $0.nuclearNorm, paper: Self.paperMinimum, iterations: $0.iterations, status: $0.status.rawValue)
        } ?? Row(solution: missingData == nil ? "minimum nuclear norm (not run in the quick profile)" : "minimum nuclear norm",
                 testError: .nan, nuclearNorm: .nan, paper: Self.paperMinimum, iterations: 0, status: status)
        return [minimumRow,
                Self.row("gradient descent, ‖U0‖ = 1e-3, η = 1e-2", descent, paper: Self.paperDescent, missing: status),
                Self.row("X_gd (zero-filled)", zeroFilled, paper: Self.paperZeroFilled, missing: status)]
    }

    private static func row(_ solution: String, _ fit: MovieLens.Fit?, paper: PaperNumbers, missing: String) -> Row {
        Row(solution: solution, testError: fit?.testError ?? .nan, nuclearNorm: fit?.nuclearNorm ?? .nan, paper: paper,
            iterations: fit?.iterations ?? 0, status: fit?.status.rawValue ?? missing)
    }

    /// What the block prints: the data, the loss scale and where each method stopped.
    public var log: String {
        guard missingData == nil, let descent else {
            return "MovieLens-100k is not here, so this table has the paper's numbers only.\n\(missingData ?? "")"
        }
        var lines = ["\(trainingRatings) training and \(testRatings) test ratings; loss scale c = \(String(format: "%.3f", descent.lossScale ?? .nan)); "
            + "GD stopped after \(descent.iterations) iterations (\(descent.status.rawValue)) at training error \(String(format: "%.4f", descent.trainingError))"]
        if let minimum, let lower = minimum.lowerBound, let gap = minimum.relativeGap {
            lines.append("minimum nuclear norm after \(minimum.iterations) outer iterations (\(minimum.innerIterations ?? 0) L-BFGS steps, rank \(minimum.rank ?? 0)): "
                + "\(String(format: "%.2f", lower)) ≤ min ≤ \(String(format: "%.2f", minimum.nuclearNorm)) (certified relative gap \(String(format: "%.1e", gap))): "
                + "\(minimum.status.rawValue), \(minimum.message)")
        }
        return lines.joined(separator: "\n")
    }
}
