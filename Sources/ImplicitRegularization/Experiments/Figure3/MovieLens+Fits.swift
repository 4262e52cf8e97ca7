import Foundation
import LinearAlgebra

/// The three solutions of Figure 3 (iv), each measured as the paper's table does: its nuclear
/// norm `‖X‖_*`, its test error `‖P_test(X) − y_test‖ / ‖y_test‖` and its training error
/// `‖P_Ω(X) − y‖ / ‖y‖` (`factorize movielens` prints one, the notebook all three).
///
/// - ``zeroFilledFit()``: X_gd, projected gradient descent from 0 on X, which for completion is the
///   zero-filled training matrix `P_Ω(Y)` after one step (closed form, always `.solved`);
/// - ``gradientDescentFit(_:progress:)``: ``AsymmetricGradientDescent`` on `X = UVᵀ` from
///   `‖(U0, V0)‖_F = α`, to the relative training error or the iteration cap of its stopping rule;
/// - ``minimumNuclearNormFit(_:progress:)``: ``MinimumNuclearNormCompletion``, a feasible point whose
///   nuclear norm is within the options' certified relative gap (1e-4) of a dual lower bound.
extension MovieLens {
    /// One solution's numbers, its status and message, and the seconds it took.
    public struct Fit: Sendable, Codable, SolverResult {
        public var nuclearNorm: Double
        public var testError: Double
        public var trainingError: Double
        /// Gradient descent's iterations, the minimum's outer (multiplier) iterations; 0 for X_gd.
        public var iterations: Int
        public var status: SolverStatus
        public var message: String
        public var seconds: Double
        /// The minimum's certified lower bound, relative gap `(upper − lower)/upper`, L-BFGS steps
        /// and factor rank; nil for the other solutions.
        public var lowerBound: Double? = nil
        public var relativeGap: Double? = nil
        public var innerIterations: Int? = nil
        public var rank: Int? = nil
        /// Gradient descent's loss scale c; nil for the other solutions.
        public var lossScale: Double? = nil
    }

    /// Gradient descent's settings: the paper's η = 1e-2, `‖(U0, V0)‖_F = 1e-3`, d = 943, until the
    /// relative training error is 1e-2 (at most 20,000 iterations), with the loss scale c of
    /// ``AsymmetricGradientDescent/defaultLossScale(for:)`` unless one is given.
    public struct DescentSettings: Sendable {
        public var step = 1e-2
        public var initialNorm = 1e-3
        public var rank = MovieLens.users
        public var seed: UInt64 = 0
        public var lossScale: Double? = nil
        public var stopping = StoppingRule(tolerance: 1e-2, maxIterations: 20_000)
        public init() {}
    }

    /// X_gd, the zero-filled training matrix.
    public func zeroFilledFit() throws -> Fit {
        let clock = ContinuousClock(), start = clock.now
        let x = zeroFilledTraining
        return Fit(
            nuclearNorm: try x.nuclearNorm(), testError: testError(x), trainingError: trainingError(x), iterations: 0,
            status: .solved, message: "X_gd from 0 is the zero-filled training matrix after one step (closed form)",
            seconds: Self.seconds(since: start, clock))
    }

    /// Gradient descent on `X = UVᵀ`; `progress(iteration, relativeResidual)` every 100 iterations.
    public func gradientDescentFit(_ settings: DescentSettings, progress: ((Int, Double) -> Void)? = nil) throws -> Fit {
        let clock = ContinuousClock(), start = clock.now
        let entries = training
        let scale = try settings.lossScale ?? AsymmetricGradientDescent.defaultLossScale(for: entries)
        let (u0, v0) = AsymmetricGradientDescent.initialFactors(
            rows: Self.users, columns: Self.movies, rank: settings.rank, norm: settings.initialNorm, seed: settings.seed)
        let result = AsymmetricGradientDescent(entries: entries, step: settings.step, lossScale: scale, stopping: settings.stopping)
            .run(u0: u0, v0: v0, progress: progress)
        return Fit(
            nuclearNorm: try result.x.nuclearNorm(), testError: testError(u: result.u, v: result.v),
            trainingError: result.relativeResidual, iterations: result.iterations, status: result.status,
            message: result.message, seconds: Self.seconds(since: start, clock), lossScale: scale)
    }

    /// The minimum nuclear norm completion of the training ratings; `progress(iteration, upper,
    /// lower, innerIterations)` after each outer iteration.
    public func minimumNuclearNormFit(
        _ options: MinimumNuclearNormCompletion.Options = .init(), progress: ((Int, Double, Double, Int) -> Void)? = nil
    ) throws -> Fit {
        let clock = ContinuousClock(), start = clock.now
        let solution = try MinimumNuclearNormCompletion(entries: training, options: options).solve(progress: progress)
        return Fit(
            nuclearNorm: solution.nuclearNorm, testError: testError(solution.x), trainingError: trainingError(solution.x),
            iterations: solution.iterations, status: solution.status, message: solution.message,
            seconds: Self.seconds(since: start, clock), lowerBound: solution.lowerBound, relativeGap: solution.relativeGap,
            innerIterations: solution.innerIterations, rank: solution.rank)
    }

    private static func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        let elapsed = (clock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}
