import Foundation

extension ExhaustiveSearch {
    /// "Near the minimal nuclear norm": |Δ| < 1e-2, one bin of the histogram (the paper's bins are of
    /// about that width on its −0.2…0.2 axis). ``Summary/PerInitNorm/within1e2`` counts these.
    public static let nearMinimum = 1e-2
    /// The least change of Δ we call numerical error, whatever the integrator's tolerance moves: 1e-4,
    /// a hundredth of ``nearMinimum``, and a hundred times the flows' stationarity tolerance 1e-6.
    public static let numericalErrorAllowance = 1e-4
    /// How far below the minimum a flow that fits (`.solved`) may end, as its certificate allows
    /// (``Outcome/floors``): Δ ≥ −1e-7, a hundred times the flows' relative residual tolerance 1e-9.
    public static let certifiedNegativeAllowance = 1e-7

    /// One bin of Figure 4's histogram as drawn: its centre and width on the Δ axis, whether it is an
    /// open-ended bin, and its count per ᾱ (a column `count_ᾱ` each). The open bins are drawn apart:
    /// Δ < 0 centred at −0.14, Δ ≥ 1 at 1.14, each 0.06 wide.
    public struct HistogramRow: Codable, Sendable {
        public var delta: Double
        public var width: Double
        public var outer: Bool
        public var initNorms: [Double]
        public var counts: [Int]

        struct Column: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Column.self)
            try container.encode(delta, forKey: Column(stringValue: "delta"))
            try container.encode(width, forKey: Column(stringValue: "width"))
            try container.encode(outer, forKey: Column(stringValue: "outer"))
            for (initNorm, count) in zip(initNorms, counts) { try container.encode(count, forKey: Column(stringValue: "count_\(initNorm)")) }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.container(keyedBy: Column.self)
            delta = try container.decode(Double.self, forKey: Column(stringValue: "delta"))
            width = try container.decode(Double.self, forKey: Column(stringValue: "width"))
            outer = try container.decode(Bool.self, forKey: Column(stringValue: "outer"))
            let columns = container.allKeys.filter { $0.stringValue.hasPrefix("count_") }
            initNorms = columns.map { Double($0.stringValue.dropFirst("count_".count)) ?? .nan }
            counts = try columns.map { try container.decode(Int.self, forKey: $0) }
        }

        init(bin: HistogramBin, initNorms: [Double]) {
            outer = !bin.lower.isFinite || !bin.upper.isFinite
            delta = !bin.lower.isFinite ? -0.14 : !bin.upper.isFinite ? 1.14 : (bin.lower + bin.upper) / 2
            width = outer ? 0.06 : bin.upper - bin.lower
            self.initNorms = initNorms
            counts = bin.counts
        }
    }

    /// Per ᾱ: how the feasible instances' Δ fall (``Summary/PerInitNorm``), with the share near the minimum.
    public struct StatisticsRow: Codable, Sendable {
        public var initNorm: Double
        public var feasible: Int
        public var within: Int
        public var shareWithin: Double
        public var medianDelta: Double
        public var maxDelta: Double
        public var unsolved: Int
        public var negative: Int
        public var belowFloor: Int

        enum CodingKeys: String, CodingKey {
            case initNorm = "init_norm", feasible, within = "within_1e-2", shareWithin = "share_within_1e-2", medianDelta = "median_delta"
            case maxDelta = "max_delta", unsolved, negative, belowFloor = "below_floor"
        }
    }

    /// A flow that did not reach its limit: its instance, the instance's values (``valuesText(of:)``),
    /// its ᾱ, its status and its Δ as it stopped.
    public struct StoppedFlow: Codable, Sendable {
        public var index: Int
        public var values: String
        public var initNorm: Double
        public var status: String
        public var delta: Double

        enum CodingKeys: String, CodingKey { case index, values, initNorm = "init_norm", status, delta }

        public init(index: Int, initNorm: Double, status: SolverStatus, delta: Double) {
            (self.index, self.values, self.initNorm, self.status, self.delta) = (index, ExhaustiveSearch.valuesText(of: index), initNorm, status.rawValue, delta)
        }
    }
}

extension ExhaustiveSearch.Summary {
    /// The histogram as Figure 4 draws it, a row per bin of ``ExhaustiveSearch/histogramEdges``.
    public var histogramRows: [ExhaustiveSearch.HistogramRow] {
        histogram.map { ExhaustiveSearch.HistogramRow(bin: $0, initNorms: perInitNorm.map(\.initNorm)) }
    }

    /// A row per ᾱ.
    public var statisticsRows: [ExhaustiveSearch.StatisticsRow] {
        perInitNorm.map {
            .init(initNorm: $0.initNorm, feasible: feasible, within: $0.within1e2, shareWithin: $0.shareNearMinimum, medianDelta: $0.medianDelta,
                  maxDelta: $0.maxDelta, unsolved: $0.unsolved, negative: $0.negative, belowFloor: $0.belowFloor)
        }
    }

    /// The flows of feasible instances that did not end `.solved`, instance by instance, then by ᾱ.
    public var flowsNotStationary: [ExhaustiveSearch.StoppedFlow] {
        outcomes.filter { $0.verdict == .feasible }.flatMap { outcome in
            perInitNorm.indices.filter { outcome.statuses[$0] != .solved }.map {
                .init(index: outcome.index, initNorm: perInitNorm[$0].initNorm, status: outcome.statuses[$0], delta: outcome.deltas[$0])
            }
        }
    }

    /// The lowest certified floor (``ExhaustiveSearch/Outcome/floors``) among the flows that fit
    /// (`.solved`) with Δ < 0, or 0 when there are none: how far below the minimum their certificates
    /// allow those Δ to be.
    public var lowestSolvedNegativeFloor: Double {
        outcomes.filter { $0.verdict == .feasible }.reduce(0.0) { lowest, outcome in
            perInitNorm.indices.filter { outcome.statuses[$0] == .solved && outcome.deltas[$0] < 0 }.map { outcome.floors[$0] }.reduce(lowest, min)
        }
    }

    /// Whether every flow of every feasible instance reached its limit (`.solved`).
    public var everyFlowSolved: Bool { outcomes.allSatisfy { $0.verdict != .feasible || $0.statuses.allSatisfy { $0 == .solved } } }

    /// Whether no flow's Δ lies below its certified floor.
    public var noDeltaBelowFloor: Bool { perInitNorm.allSatisfy { $0.belowFloor == 0 } }
}

extension ExhaustiveSearch {
    /// One flow of one instance: its ᾱ, Δ and status.
    public struct FlowRow: Codable, Sendable {
        public var initNorm: Double
        public var delta: Double
        public var status: String

        enum CodingKeys: String, CodingKey { case initNorm = "init_norm", delta, status }
    }

    /// The dense flows of one instance from several ᾱ (this search's options with `initNorms`).
    public struct InstanceFlows: Sendable {
        public var index: Int
        public var initNorms: [Double]
        public var outcome: Outcome

        /// A row per ᾱ.
        public var rows: [FlowRow] { initNorms.indices.map { FlowRow(initNorm: initNorms[$0], delta: outcome.deltas[$0], status: outcome.statuses[$0].rawValue) } }

        /// Whether Δ grows strictly at each smaller ᾱ (in the order of `initNorms`, largest first).
        public var deltaGrowsAsInitNormShrinks: Bool { zip(outcome.deltas, outcome.deltas.dropFirst()).allSatisfy { $0 < $1 } }

        /// For a report: "Δ = D₁, D₂, … at ᾱ = A₁, A₂, …", each Δ written by `format(x, 3)` and each ᾱ by
        /// `format(x, 1)` (`format(x, digits)` writes x to that many significant digits).
        public func deltasText(_ format: (Double, Int) -> String) -> String {
            "Δ = \(outcome.deltas.map { format($0, 3) }.joined(separator: ", ")) at ᾱ = \(initNorms.map { format($0, 1) }.joined(separator: ", "))"
        }
    }

    /// Instance `index`'s flows from each of `initNorms` with this search's options.
    public func flows(of index: Int, initNorms: [Double]) -> InstanceFlows {
        var search = self
        search.initNorms = initNorms
        return InstanceFlows(index: index, initNorms: initNorms, outcome: search.solve(index))
    }
}
