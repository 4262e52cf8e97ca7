import Foundation
import ImplicitRegularization
import LinearAlgebra
import XCTest

/// Figure 1's sweep in units (a setting at one width d): a unit computed by a worker from its plan
/// equals, bit for bit, the same unit computed on threads (by one thread or two); a second run reads
/// the finished units back and computes only the damaged or mismatched ones; a worker dispatches on
/// the plan's kind and refuses a plan made for another program, another key or an unknown kind.
final class FactorizationSweepUnitTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    /// Two widths, two seeds, every curve, gradient descent capped at 2,000 iterations (the quick
    /// profile's rule with a smaller cap, so that the three settings' units take seconds).
    static let profile = FigureProfile(
        quick: true, ranks: [1, 3], seeds: [1, 2], stopping: StoppingRule(tolerance: 1e-6, maxIterations: 2_000), exhaustiveSubsample: 101)

    /// A fresh folder under the temporary directory.
    static func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-units-\(name)-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The threads route on two threads into a folder, computed once for the suite.
    static let threadsRun: Result<(summary: FactorizationSweep.FigureSummary, folder: URL), Error> = Result {
        BLASThreads.set(1)
        let threads = try FactorizationSweepUnitTests.folder("threads")
        return (try FactorizationSweep.figure(profile, executor: .threads(2), folder: threads, codeDigest: "test"), threads)
    }

    /// A result's points and limits as JSON with the limits' clocks (seconds, CPU seconds) set to 0:
    /// equal texts are equal numbers bit for bit (each Double written in its shortest exact form).
    static func bits(_ points: [FactorizationSweep.Point], _ limits: [FactorizationSweep.Limit]) throws -> String {
        let timeless = limits.map { limit -> FactorizationSweep.Limit in
            var limit = limit
            (limit.seconds, limit.cpuSeconds) = (0, 0)
            return limit
        }
        struct Both: Encodable { var points: [FactorizationSweep.Point]; var limits: [FactorizationSweep.Limit] }
        return String(decoding: try WorkerPlanDispatch.encoded(Both(points: points, limits: timeless)), as: UTF8.self)
    }

    static func bits(_ summary: FactorizationSweep.FigureSummary) throws -> String {
        try summary.outcomes.map { try bits($0.points, $0.limits) }.joined(separator: "\n")
    }

    static func unit(_ file: URL) throws -> FactorizationSweep.UnitResult {
        try WorkerPlanDispatch.decoded(FactorizationSweep.UnitResult.self, from: Data(contentsOf: file))
    }

    /// The threads route's units (two threads) against the same units computed again: one on the calling
    /// thread by `unit(rank:references:)`, and two by a worker from a plan, as Slurm tasks compute them
    /// (units of two settings and both widths; every unit would only repeat the cost).
    func testAWorkersUnitsEqualTheThreadsRoutesBitForBitWhateverTheThreads() throws {
        let (summary, threadsFolder) = try Self.threadsRun.get()
        XCTAssertEqual(summary.runCount, 3 * 2 * 4 * 2, "3 settings × 2 widths × 4 curves × 2 seeds")
        let references = summary.outcomes.map(\.references)
        // One thread: unit (b), d = 3 again on the calling thread, the same bits as the two-thread run's file.
        let sweepB = try FactorizationSweep.figureSweep(.b, profile: Self.profile)
        let alone = try sweepB.unit(rank: 3, references: references[1])
        let fromThreads = try Self.unit(FactorizationSweep.unitFile(setting: .b, rank: 3, folder: threadsFolder))
        XCTAssertEqual(try Self.bits(alone.points, alone.limits), try Self.bits(fromThreads.points, fromThreads.limits),
                       "unit (b), d = 3 on one thread and among two")

        // The worker route: a plan of two units, each task computed as a Slurm task computes it.
        let workerFolder = try Self.folder("worker")
        var tasks: [FactorizationSweep.WorkerPlan.Task] = []
        for (s, setting, d) in [(0, PaperSetting.a, 1), (2, PaperSetting.c, 3)] {
            let sweep = try FactorizationSweep.figureSweep(setting, profile: Self.profile)
            tasks.append(.init(setting: setting, rank: d, key: sweep.unitKey(rank: d, references: references[s], codeDigest: "test")))
        }
        let plan = FactorizationSweep.WorkerPlan(
            profile: Self.profile, references: references, folder: workerFolder.path, codeDigest: "test", programDigest: "program", tasks: tasks)
        let planFile = workerFolder.appendingPathComponent("plan.json")
        try WorkerPlanDispatch.encoded(plan).write(to: planFile)
        for task in tasks.indices { try WorkerPlanDispatch.compute(planFile: planFile, task: task, programDigest: "program") }
        for task in tasks {
            let threads = try Self.unit(FactorizationSweep.unitFile(setting: task.setting, rank: task.rank, folder: threadsFolder))
            let worker = try Self.unit(FactorizationSweep.unitFile(setting: task.setting, rank: task.rank, folder: workerFolder))
            XCTAssertEqual(worker.key, threads.key)
            XCTAssertEqual(try Self.bits(worker.points, worker.limits), try Self.bits(threads.points, threads.limits),
                           "unit \(task.setting.rawValue), d = \(task.rank): worker and threads")
        }
    }

    func testASecondRunResumesAndRecomputesOnlyDamagedOrMismatchedUnits() throws {
        let (summary, folder) = try Self.threadsRun.get()
        let copy = try Self.folder("resume")
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: folder, to: copy)
        let files = PaperSetting.allCases.flatMap { s in Self.profile.ranks.map { FactorizationSweep.unitFile(setting: s, rank: $0, folder: copy) } }
        func stamps() throws -> [Date] { try files.map { try FileManager.default.attributesOfItem(atPath: $0.path)[.modificationDate] as! Date } }
        let before = try stamps()

        // Nothing to do: every unit read back, no file rewritten.
        let quiet = ProgressLog()
        let again = try FactorizationSweep.figure(Self.profile, folder: copy, codeDigest: "test", progress: quiet.record, notice: quiet.note)
        XCTAssertEqual(try Self.bits(again), try Self.bits(summary))
        XCTAssertEqual(quiet.calls.map(\.done), [42], "the 42 distinct runs all read back")
        XCTAssertEqual(quiet.notes, [])
        XCTAssertEqual(try stamps(), before)

        // A truncated unit, and one keyed for other code: both computed again, the others kept.
        let truncated = files[1], mismatched = files[4]
        let text = try Data(contentsOf: truncated)
        try text.prefix(text.count / 2).write(to: truncated)
        var unit = try Self.unit(mismatched)
        unit.key = "0123"
        try WorkerPlanDispatch.encoded(unit).write(to: mismatched)
        usleep(20_000)
        let log = ProgressLog()
        let repaired = try FactorizationSweep.figure(Self.profile, folder: copy, codeDigest: "test", progress: log.record, notice: log.note)
        XCTAssertEqual(try Self.bits(repaired), try Self.bits(summary), "the recomputed units are the same bits")
        XCTAssertEqual(log.notes.count, 2, log.notes.joined(separator: "\n"))
        XCTAssertTrue(log.notes.contains { $0.contains(truncated.lastPathComponent) && $0.contains("damaged or truncated") }, log.notes.joined(separator: "\n"))
        XCTAssertTrue(log.notes.contains { $0.contains(mismatched.lastPathComponent) && $0.contains("key 0123") }, log.notes.joined(separator: "\n"))
        XCTAssertEqual(log.calls.first?.done, 28, "4 units of 7 distinct runs read back")
        XCTAssertEqual(log.calls.map(\.done).max(), 42)
        let after = try stamps()
        for (k, file) in files.enumerated() {
            if file == truncated || file == mismatched {
                XCTAssertGreaterThan(after[k], before[k], file.lastPathComponent)
            } else {
                XCTAssertEqual(after[k], before[k], file.lastPathComponent)
            }
        }
    }

    func testAWorkerDispatchesOnThePlansKindAndRefusesForeignPlans() throws {
        let folder = try Self.folder("refusal")
        let (summary, _) = try Self.threadsRun.get()
        let references = summary.outcomes.map(\.references)
        let sweep = try FactorizationSweep.figureSweep(.a, profile: Self.profile)
        let key = sweep.unitKey(rank: 1, references: references[0], codeDigest: "test")
        func write(_ plan: FactorizationSweep.WorkerPlan) throws -> URL {
            let file = folder.appendingPathComponent("plan.json")
            try WorkerPlanDispatch.encoded(plan).write(to: file)
            return file
        }
        func refusal(_ file: URL, task: Int = 0, digest: String = "program") -> String {
            do {
                try WorkerPlanDispatch.compute(planFile: file, task: task, programDigest: digest)
                return "computed"
            } catch let refusal as WorkerPlanRefusal {
                return refusal.reason
            } catch {
                return "another error: \(error)"
            }
        }
        let plan = FactorizationSweep.WorkerPlan(
            profile: Self.profile, references: references, folder: folder.path, codeDigest: "test", programDigest: "program",
            tasks: [.init(setting: .a, rank: 1, key: key)])
        XCTAssertTrue(refusal(try write(plan), digest: "rebuilt").contains("digest program, and this program's is rebuilt"))
        XCTAssertTrue(refusal(try write(plan), task: 1).contains("task 1 is not in the plan"))
        var otherKey = plan
        otherKey.tasks[0].key = "feed"
        XCTAssertTrue(refusal(try write(otherKey)).contains("the plan's key feed is not the one this program makes"))
        var otherCode = plan
        otherCode.codeDigest = "other"
        XCTAssertTrue(refusal(try write(otherCode)).contains("is not the one this program makes"), "the key covers the code digest")
        let unknown = folder.appendingPathComponent("unknown.json")
        try Data(#"{"format": "a plan of something else 1"}"#.utf8).write(to: unknown)
        XCTAssertTrue(refusal(unknown).contains("a plan of 'a plan of something else 1', which this program does not compute"))
        try Data("not json".utf8).write(to: unknown)
        XCTAssertTrue(refusal(unknown).contains("not a worker plan"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: FactorizationSweep.unitFile(setting: .a, rank: 1, folder: folder).path), "no refused plan wrote a unit")
        XCTAssertEqual(refusal(try write(plan)), "computed")
        XCTAssertTrue(FileManager.default.fileExists(atPath: FactorizationSweep.unitFile(setting: .a, rank: 1, folder: folder).path))

        // The same entry computes an exhaustive search's chunk from its plan: the bytes a threads run writes
        // (every 3,000th instance: 50 instances, one chunk; the key read from the threads run's chunk, "# key KEY").
        let search = ExhaustiveSearch()
        let threadsSearch = folder.appendingPathComponent("search-threads"), workerSearch = folder.appendingPathComponent("search-worker")
        _ = try search.run(subsample: 3_000, folder: threadsSearch, workers: 1, codeDigest: "test", notice: { _ in })
        let chunks = "chunks-1e-05_0.001_1.0/chunk-0-147000-50.tsv"
        let chunk = try Data(contentsOf: threadsSearch.appendingPathComponent(chunks))
        let chunkKey = String(String(decoding: chunk, as: UTF8.self).split(separator: "\n")[1].dropFirst("# key ".count))
        let exhaustive = ExhaustiveSearch.WorkerPlan(
            search: search, subsample: 3_000, folder: workerSearch.path, codeDigest: "test", chunkKey: chunkKey, programDigest: "program", chunks: [0])
        let exhaustiveFile = folder.appendingPathComponent("exhaustive.json")
        try exhaustive.encoded().write(to: exhaustiveFile)
        XCTAssertEqual(refusal(exhaustiveFile), "computed")
        XCTAssertEqual(try Data(contentsOf: workerSearch.appendingPathComponent(chunks)), chunk)
    }

    /// Whether a run's bits depend on the runs that share its batch (``BatchedGradientDescent`` shares
    /// the products over the batch): four small-init runs each alone, the four as one batch, and the four
    /// in a batch of twelve with line-search and large-init runs of other widths, some stopping early
    /// (as the round-robin shares mixed them). The counts of differing bits are printed (they depend on
    /// the OpenBLAS kernel); asserted: the iterates agree to round-off amplified by 2,000 iterations, a
    /// difference below 1e-9 of ‖U‖_F.
    func testABatchChangesARunOnlyAtRoundOff() throws {
        let problem = try PaperSetting.c.problem(.sensing, seed: 0)
        func run(_ d: Int, _ seed: UInt64, norm: Double = 1e-4, _ policy: StepPolicy = .fixed(1e-3)) -> BatchedGradientDescent.Run {
            BatchedGradientDescent.Run(initialFactor: FactorInitialization.gaussian(dimension: problem.dimension, rank: d, norm: norm, seed: seed), policy: policy)
        }
        let runs = [run(1, 1), run(3, 1), run(3, 2), run(10, 1)]
        let others = [run(2, 1, .exactLineSearch(maxStep: 0.1)), run(50, 1, norm: 1), run(50, 2, .exactLineSearch(maxStep: 0.1)), run(5, 3, norm: 1),
                      run(20, 1), run(1, 2, .exactLineSearch(maxStep: 0.1)), run(8, 1, norm: 1), run(40, 1)]
        let batch = BatchedGradientDescent(problem: problem, stopping: StoppingRule(tolerance: 1e-6, maxIterations: 2_000))
        let alone = runs.map { batch.run([$0])[0].factor!.elements }
        let scales = runs.map { batch.run([$0])[0].factor!.frobeniusNorm }
        for (name, results) in [("a batch of 4", batch.run(runs)), ("a batch of 12", Array(batch.run(others.prefix(4) + runs + others.suffix(4))[4..<8]))] {
            var differing = 0, largest = 0.0
            for (k, result) in results.enumerated() {
                let b = result.factor!.elements
                differing += zip(alone[k], b).filter { $0.bitPattern != $1.bitPattern }.count
                largest = max(largest, zip(alone[k], b).map { abs($0 - $1) / scales[k] }.max()!)
            }
            print("alone against \(name): \(differing) of \(alone.map(\.count).reduce(0, +)) entries of U differ in their bits; largest difference \(largest) of ‖U‖_F")
            XCTAssertLessThan(largest, 1e-9, name)
        }
    }
}

/// The progress calls and notices of a figure run.
private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(done: Int, total: Int)] = []
    private var noted: [String] = []
    var calls: [(done: Int, total: Int)] { lock.withLock { recorded } }
    var notes: [String] { lock.withLock { noted } }
    var record: @Sendable (Int, Int) -> Void { { done, total in self.lock.withLock { self.recorded.append((done, total)) } } }
    var note: @Sendable (String) -> Void { { text in self.lock.withLock { self.noted.append(text) } } }
}
