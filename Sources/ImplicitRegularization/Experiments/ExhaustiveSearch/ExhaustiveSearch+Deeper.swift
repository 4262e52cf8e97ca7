import Foundation
import LinearAlgebra

extension ExhaustiveSearch {
    /// One instance's flow from an ᾱ below Float64's range: its Δ against the minimum and how it ended.
    public struct DeeperLimit: Sendable, Codable {
        /// log10 ᾱ (−300 for ᾱ = 1e-300).
        public var log10InitNorm: Double
        public var delta: Double
        public var status: SolverStatus
    }

    /// The graded flow (``gradedFlowResult(of:logInitNorm:seed:)``, on this search's weighting and flow
    /// options) of each instance from ᾱ = 10^e for every exponent `e` of `log10InitNorms` — ᾱ as its
    /// logarithm, so 1e-1000 is as easy as 1e-10 — with its Δ = (‖X‖_* − min)/min against the instance's
    /// minimum nuclear norm `minimum[k]` (its ``Outcome/minimum``). The instances go to
    /// `workers` threads (``ConcurrentWork``, each taking the next); the results are in the instances' order.
    public func deeperLimits(
        of indices: [Int], minimum: [Double], log10InitNorms: [Double],
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> [[DeeperLimit]] {
        precondition(indices.count == minimum.count, "one minimum per instance")
        let search = self
        return ConcurrentWork.map(Array(indices.indices), workers: workers) { k -> [DeeperLimit] in
            let index = indices[k]
            let problem = Self.problem(of: index, weighting: search.weighting)
            return log10InitNorms.map { exponent in
                let result = search.gradedFlowResult(of: problem, logInitNorm: exponent * log(10.0), seed: UInt64(index))
                let nuclear = (try? result.x.nuclearNorm()) ?? .nan
                return DeeperLimit(log10InitNorm: exponent, delta: (nuclear - minimum[k]) / minimum[k], status: result.status)
            }
        }
    }
}
