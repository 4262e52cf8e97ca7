import LinearAlgebra

/// A problem `min_X ½‖A(X) − y‖²` over symmetric PSD X (equation (1)), or its factorised form
/// `min_U ½‖A(UUᵀ) − y‖²` (equation (2)): the measurements, the observations, and what a problem
/// file may add (the planted X*, a gradient-flow setting).
public struct MeasurementProblem: Sendable {
    /// Where the problem came from: Gaussian sensing or entry observations (completion).
    public enum Kind: String, Sendable { case sensing, completion }

    /// The gradient-flow setting a problem file may carry: `U0` and the horizon `T`.
    public struct FlowSetting: Sendable {
        public var initialFactor: Matrix
        public var horizon: Double
        public init(initialFactor: Matrix, horizon: Double) {
            self.initialFactor = initialFactor
            self.horizon = horizon
        }
    }

    public var name: String?
    public var kind: Kind
    public var measurements: SymmetricMeasurements
    /// y: the observations, one per measurement.
    public var observations: [Double]
    /// X*, when the problem was planted.
    public var planted: Matrix?
    public var flow: FlowSetting?
    /// The observed entries of a completion problem (nil for sensing).
    public var entries: ObservedEntries?

    /// n.
    public var dimension: Int { measurements.dimension }
    /// m.
    public var count: Int { measurements.count }

    public init(
        name: String? = nil, kind: Kind = .sensing, measurements: SymmetricMeasurements, observations: [Double],
        planted: Matrix? = nil, flow: FlowSetting? = nil, entries: ObservedEntries? = nil
    ) {
        precondition(observations.count == measurements.count, "one observation per measurement")
        self.name = name
        self.kind = kind
        self.measurements = measurements
        self.observations = observations
        self.planted = planted
        self.flow = flow
        self.entries = entries
    }

    /// The symmetric completion problem observing the n × n `entries`: y = their values.
    public init(name: String? = nil, completion entries: ObservedEntries) {
        self.init(
            name: name, kind: .completion, measurements: SymmetricMeasurements(observing: entries),
            observations: entries.values, entries: entries)
    }

    /// The symmetric completion problem observing `entries` of an n × n matrix, in this order.
    public init(name: String? = nil, dimension n: Int, completionEntries entries: [ObservedEntries.Entry]) {
        self.init(name: name, completion: ObservedEntries(rows: n, columns: n, entries: entries))
    }

    /// The relative reconstruction error `‖X − X*‖_F / ‖X*‖_F`, when X* is known.
    public func reconstructionError(_ x: Matrix) -> Double? {
        guard let planted else { return nil }
        return (x - planted).frobeniusNorm / planted.frobeniusNorm
    }

    /// The relative training error `‖A(X) − y‖ / ‖y‖`.
    public func relativeResidual(_ x: Matrix) -> Double {
        let r = Vector.difference(measurements.apply(x), observations)
        return Vector.norm(r) / Vector.norm(observations)
    }
}
