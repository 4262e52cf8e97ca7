// LOCAL STUB (not to be committed)
import Foundation
extension FactorizationSweep {
    public struct Limit: Sendable, Codable {
        public var reconstructionError: Double
        public var relativeResidual: Double
        public var nuclearNorm: Double
        public var time: Double
        public var stationaryBy: String
        public var status: SolverStatus
        public var seconds: Double
    }
    public func limits(of points: [Point], references: References, progress: (Int) -> Void = { _ in }) throws -> [Limit] {
        points.enumerated().map { k, p in progress(k); return Limit(reconstructionError: p.reconstructionError, relativeResidual: p.relativeResidual, nuclearNorm: p.nuclearNorm, time: 0, stationaryBy: "none", status: p.status, seconds: 0) }
    }
}
