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

    /// Reads the data in `folder` and fits it as the profile says: gradient descent from the profile's
    /// first seed for at most ``FigureProfile/movieLensIterations``, X_gd and, where
    /// ``FigureProfile/movieLensMinimum``, the minimum nuclear norm completion to its certified gap (1e-4).
    /// `descentProgress(iteration)` every 100 iterations, `minimumProgress(iteration)` after each
    /// outer iteration. A missing or malformed data set is ``missingData``; other errors are thrown.
    public static func run(
        folder: URL, profile: FigureProfile,
        descentProgress: ((Int) -> Void)? = nil, minimumProgress: ((Int) -> Void)? = nil
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
        comparison.descent = try data.gradientDescentFit(settings) { iteration, _ in descentProgress?(iteration) }
        comparison.zeroFilled = try data.zeroFilledFit()
        if profile.movieLensMinimum {
            comparison.minimum = try data.minimumNuclearNormFit { iteration, _, _, _ in minimumProgress?(iteration) }
        }
        return comparison
    }

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
