import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

final class GradedGradientFlowTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    func testMeasureExplore() throws {
        guard ProcessInfo.processInfo.environment["GRADED_EXPLORE"] != nil else { throw XCTSkip("exploration") }
        var search = ExhaustiveSearch(initNorms: [1e-100], greedy: GreedyLowRankLearning.Options())
        search.flow.maxTime = 1e9
        search.representation = .graded
        for index in [9559, 14045, 85559, 10248, 126313, 15426, 38556, 85147, 10015] {
            let start = Date()
            let outcome = search.solve(index)
            let problem = ExhaustiveSearch.problem(of: index)
            let graded = search.gradedFlowResult(of: problem, logInitNorm: log(1e-100), seed: UInt64(index))
            print("instance \(index): graded Δ \(outcome.deltas[0]) \(outcome.statuses[0]) steps \(outcome.steps[0]); GLRL \(outcome.greedy!.delta) \(outcome.greedy!.status); \(Date().timeIntervalSince(start)) s")
            print("   \(graded.message) evals \(graded.evaluations) jac \(graded.jacobians) rejected \(graded.rejectedSteps)")
        }
    }

    func testMeasureSpeedAndSample() throws {
        guard let cache = ProcessInfo.processInfo.environment["GRADED_CACHE"] else { throw XCTSkip("measurement") }
        func cpu() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + 1e-9 * Double(spec.tv_nsec)
        }
        let rows = try String(contentsOfFile: cache, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let feasible = rows.filter { $0.count > 12 && $0[3] == "feasible" }
        var dense = ExhaustiveSearch(initNorms: [1e-100])
        dense.flow.maxTime = 1e9
        var graded = dense
        graded.representation = .graded
        let mode = ProcessInfo.processInfo.environment["GRADED_MODE"] ?? "speed"
        var out = ""
        if mode == "speed" {
            let first = Int(ProcessInfo.processInfo.environment["GRADED_FIRST"] ?? "0")!
            var (sdp, denseTime, gradedTime, glrlTime) = (0.0, 0.0, 0.0, 0.0)
            for row in feasible[first..<(first + 200)] {
                let index = Int(row[0])!
                let problem = ExhaustiveSearch.problem(of: index)
                var t0 = cpu()
                _ = ExhaustiveSearch(initNorms: []).solve(index)
                sdp += cpu() - t0
                t0 = cpu()
                let d = dense.flowResult(of: problem, initNorm: 1e-100, seed: UInt64(index))
                denseTime += cpu() - t0
                t0 = cpu()
                let g = graded.flowResult(of: problem, initNorm: 1e-100, seed: UInt64(index))
                gradedTime += cpu() - t0
                t0 = cpu()
                _ = GreedyLowRankLearning(problem: problem, options: GreedyLowRankLearning.Options()).run()
                glrlTime += cpu() - t0
                out += "\(index)\t\(d.status)\t\(d.steps)\t\(g.status)\t\(g.steps)\n"
            }
            print("speed over 200 feasible from #\(first) (index \(feasible[first][0])): SDP \(sdp) s, dense flow \(denseTime) s, graded flow \(gradedTime) s, GLRL \(glrlTime) s")
        } else {
            let stride = Int(ProcessInfo.processInfo.environment["GRADED_STRIDE"] ?? "62")!
            for row in Swift.stride(from: 0, to: feasible.count, by: stride).map({ feasible[$0] }) {
                let index = Int(row[0])!
                let minimum = Double(row[4])!
                let t0 = cpu()
                let g = graded.gradedFlowResult(of: ExhaustiveSearch.problem(of: index), logInitNorm: log(1e-100), seed: UInt64(index))
                let time = cpu() - t0
                let delta = ((try? g.x.nuclearNorm()) ?? .nan - minimum) / minimum
                out += "\(index)\t\(row[6])\t\(row[7])\t\(delta)\t\(g.status.rawValue)\t\(row[11])\t\(row[12])\t\(g.steps)\t\(time)\n"
            }
        }
        try out.write(toFile: "/tmp/graded-\(mode).tsv", atomically: true, encoding: .utf8)
    }
}
