import Foundation
import ImplicitRegularization
import LinearAlgebra
import TestSupport
import XCTest

/// The Slurm executor (``SlurmArray``, ``WorkExecutor/slurm(_:)``) and its worker (`factorize worker`).
/// The batch script, `sbatch`'s arguments and the worker's refusals are tested without Slurm; the runs
/// need a cluster that answers (`make slurm-up`: one node `localhost` on 127.0.0.1) and are skipped,
/// saying so, when `sinfo` is missing or shows no idle node. The cluster is found through `SLURM_CONF`,
/// else the project's `.slurm/etc/slurm.conf` when `make slurm-up` wrote one, else Slurm's default.
final class SlurmExecutorTests: XCTestCase {
    override func setUp() { BLASThreads.set(1) }

    static var clientEnvironment: [String: String] { SlurmCluster.clientEnvironment }

    static func slurm(_ arguments: [String]) -> (status: Int32, output: String) { SlurmCluster.client(arguments) }

    /// Skips, saying why, unless a cluster answers with an idle node.
    func requireCluster() throws {
        if let reason = SlurmCluster.unavailable { throw XCTSkip(reason) }
    }

    /// A fresh folder for one test.
    func scratch(_ name: String) -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-executor-\(getpid())-\(name)", isDirectory: true)
        try? FileManager.default.removeItem(at: folder)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    /// Options for the local cluster: the built `factorize`'s worker, quick polling.
    func options(jobName: String) -> SlurmArray.Options {
        var options = SlurmArray.Options(worker: [FactorizeEndToEndTests.tool.path, "worker"])
        options.jobName = jobName
        options.pollInterval = 0.3
        options.resultGrace = 1
        options.timeout = 600
        options.clientEnvironment = Self.clientEnvironment
        return options
    }

    /// Every file of a run's result (its chunks, instances.tsv, histogram.tsv) by its path inside the folder.
    func results(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)!
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".tsv") else { continue }
            files[path] = try Data(contentsOf: folder.appendingPathComponent(path))
        }
        return files
    }

    /// Every task of the job `jobName` leaves the queue within 10 s (a cancelled running task passes
    /// through COMPLETING while slurmd ends it; on the local cluster it took well under a second).
    func assertQueueEmpties(_ jobName: String, file: StaticString = #filePath, line: UInt = #line) {
        var queued = ""
        for _ in 0..<100 {
            let (status, output) = Self.slurm(["squeue", "--noheader", "--array", "--name=\(jobName)", "--format=%F_%K %T"])
            XCTAssertEqual(status, 0, output, file: file, line: line)
            queued = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if queued.isEmpty { return }
            usleep(100_000)
        }
        XCTFail("tasks of the run still queued after 10 s: \(queued)", file: file, line: line)
    }

    // MARK: - Without Slurm

    /// The batch script and `sbatch`'s arguments, word for word, for options that set everything.
    func testBatchScriptAndSbatchArguments() {
        var options = SlurmArray.Options(worker: ["/opt/my tools/factorize", "worker", "/shared/run/slurm/plan.json", "--task"])
        options.partition = "short"
        options.account = "group-7"
        options.time = "30:00"
        options.cpusPerTask = 2
        options.arrayMax = 16
        options.jobName = "figure4"
        options.extraArguments = ["--qos=normal", "--mem=2G"]
        options.setup = ["module load openblas"]
        let array = SlurmArray(options: options, folder: URL(fileURLWithPath: "/shared/run", isDirectory: true))
        XCTAssertEqual(array.batchScript(), """
            #!/bin/sh
            # A task of a Slurm job array: computes unit $SLURM_ARRAY_TASK_ID (SlurmArray).
            set -e
            module load openblas
            exec '/opt/my tools/factorize' worker /shared/run/slurm/plan.json --task "$SLURM_ARRAY_TASK_ID"

            """)
        XCTAssertEqual(
            array.sbatchArguments(units: [7, 0, 1, 2, 3, 9, 10], script: URL(fileURLWithPath: "/shared/run/slurm/array.sh")),
            ["--parsable", "--job-name=figure4", "--array=0-3,7,9-10%16",
             "--output=/shared/run/slurm/unit-%a-job-%A.out", "--error=/shared/run/slurm/unit-%a-job-%A.err",
             "--partition=short", "--account=group-7", "--time=30:00", "--cpus-per-task=2", "--qos=normal", "--mem=2G",
             "/shared/run/slurm/array.sh"])
        // The defaults: no partition, account or time (the cluster's), no throttle.
        let plain = SlurmArray(options: .init(worker: ["w"]), folder: URL(fileURLWithPath: "/r", isDirectory: true))
        XCTAssertEqual(
            plain.sbatchArguments(units: [4], script: URL(fileURLWithPath: "/r/slurm/array.sh")),
            ["--parsable", "--job-name=implicit-regularization", "--array=4", "--output=/r/slurm/unit-%a-job-%A.out",
             "--error=/r/slurm/unit-%a-job-%A.err", "--cpus-per-task=1", "/r/slurm/array.sh"])
        XCTAssertEqual(SlurmArray.arrayList([5, 5, 6, 1]), "1,5-6")
        XCTAssertEqual(array.standardErrorFile(unit: 3, job: "812").path, "/shared/run/slurm/unit-3-job-812.err")
        // A quote inside a word survives the shell.
        let quoted = SlurmArray(options: .init(worker: ["/bin/echo", "it's"]), folder: URL(fileURLWithPath: "/r")).batchScript()
        XCTAssertTrue(quoted.contains("exec /bin/echo 'it'\\''s' \"$SLURM_ARRAY_TASK_ID\""), quoted)
    }

    /// The worker computes a plan's chunk into the bytes a threads run writes, and refuses, with one
    /// line on stderr and exit 2, a plan made for another executable or keyed otherwise (writing nothing).
    func testWorkerComputesItsChunkAndRefusesAForeignPlan() throws {
        let search = ExhaustiveSearch()
        let local = scratch("worker-local"), remote = scratch("worker-plan")
        // Every 3,000th instance: 50 instances, one chunk.
        _ = try search.run(subsample: 3000, folder: local, workers: 1, codeDigest: "test", notice: { _ in })
        let tool = FactorizeEndToEndTests.tool
        // The key the threads run wrote its chunk under (its second line, "# key KEY").
        let chunk = try XCTUnwrap(try results(local).first { $0.key.contains("/chunk-") }?.value)
        let key = String(String(decoding: chunk, as: UTF8.self).split(separator: "\n")[1].dropFirst("# key ".count))
        func plan(_ change: (inout ExhaustiveSearch.WorkerPlan) -> Void) throws -> URL {
            var plan = ExhaustiveSearch.WorkerPlan(
                search: search, subsample: 3000, folder: remote.path, codeDigest: "test", chunkKey: key,
                programDigest: try ExhaustiveSearch.WorkerPlan.digest(ofProgram: tool.path), chunks: [0])
            change(&plan)
            try FileManager.default.createDirectory(at: remote, withIntermediateDirectories: true)
            let file = remote.appendingPathComponent("plan-\(UInt32.random(in: 0...UInt32.max)).json")
            try plan.encoded().write(to: file)
            return file
        }
        let chunkFolder = "chunks-1e-05_0.001_1.0"
        for (name, change) in [
            ("another executable", { (plan: inout ExhaustiveSearch.WorkerPlan) in plan.programDigest = "0123456789abcdef" }),
            ("another key", { (plan: inout ExhaustiveSearch.WorkerPlan) in plan.chunkKey = "feedface" }),
            ("another version", { (plan: inout ExhaustiveSearch.WorkerPlan) in plan.algorithmVersion -= 1 }),
        ] {
            let refused = try ProcessRun(tool, ["worker", try plan(change).path, "--task", "0"])
            XCTAssertEqual(refused.status, 2, "\(name): \(refused.stderr)")
            XCTAssertEqual(refused.stderr.filter { $0 == "\n" }.count, 1, "\(name): one line: \(refused.stderr)")
            XCTAssertTrue(refused.stderr.hasPrefix("factorize: "), refused.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: remote.appendingPathComponent(chunkFolder).path), "\(name): nothing written")
        }
        let outside = try ProcessRun(tool, ["worker", try plan { _ in }.path, "--task", "1"])
        XCTAssertEqual(outside.status, 2, outside.stderr)
        XCTAssertTrue(outside.stderr.contains("task 1 is not in the plan"), outside.stderr)

        let worked = try ProcessRun(tool, ["worker", try plan { _ in }.path, "--task", "0"])
        XCTAssertEqual(worked.status, 0, worked.stderr)
        let expected = try results(local).filter { $0.key.hasPrefix(chunkFolder) }
        XCTAssertEqual(expected.count, 1)
        XCTAssertEqual(try results(remote), expected, "the worker's chunk is the threads run's, byte for byte")
    }

    // MARK: - With a cluster

    /// Figure 4's quick profile (every 101st instance: 1,486 instances, 3 chunks) as a job array gives the
    /// threads run's chunk files, instances.tsv and histogram.tsv byte for byte; a second run resumes
    /// from the finished chunks and submits nothing.
    func testSearchThroughSlurmEqualsThreadsRun() throws {
        try requireCluster()
        let search = ExhaustiveSearch()
        let subsample = FigureProfile.quick.exhaustiveSubsample
        let local = scratch("quick-local"), remote = scratch("quick-slurm")
        let threads = try search.run(subsample: subsample, folder: local, workers: 2, codeDigest: "test", notice: { _ in })
        let seen = SeenProgress()
        let slurm = try search.run(
            subsample: subsample, folder: remote, codeDigest: "test", executor: .slurm(options(jobName: "slurm-test-equal-\(getpid())")),
            progress: { done, total in seen.record(done, total) }, notice: { _ in })
        XCTAssertEqual(slurm.instances, 1486)
        XCTAssertEqual(slurm.computed, 1486)
        XCTAssertEqual(slurm.feasible, threads.feasible)
        let expected = try results(local)
        XCTAssertEqual(expected.count, 5, "3 chunks, instances.tsv, histogram.tsv")
        XCTAssertEqual(try results(remote), expected)
        XCTAssertEqual(seen.last?.0, 3)
        XCTAssertEqual(seen.last?.1, 3)

        let again = try search.run(
            subsample: subsample, folder: remote, codeDigest: "test", executor: .slurm(options(jobName: "slurm-test-resume-\(getpid())")),
            notice: { XCTFail("a finished chunk was not trusted: \($0)") })
        XCTAssertEqual(again.computed, 0)
        XCTAssertEqual(try results(remote), expected)
    }

    /// A running task cancelled by `scancel JOB_TASK` is submitted again and the run still ends with the
    /// threads run's files. The batch script sleeps 4 s before the worker starts (``SlurmArray/Options/setup``),
    /// and the task is cancelled within about 0.3 s of being seen running (polls every 0.1 s), so it is
    /// cancelled before its worker can write anything: its chunk file is checked absent after the cancel.
    func testCancelledTaskIsResubmitted() throws {
        try requireCluster()
        let search = ExhaustiveSearch()
        let subsample = FigureProfile.quick.exhaustiveSubsample
        let local = scratch("cancel-local"), remote = scratch("cancel-slurm")
        _ = try search.run(subsample: subsample, folder: local, workers: 2, codeDigest: "test", notice: { _ in })
        let jobName = "slurm-test-cancel-\(getpid())"
        var options = options(jobName: jobName)
        options.setup = ["sleep 4"]
        options.arrayMax = 1
        let executor = WorkExecutor.slurm(options)
        let outcome = RunOutcome()
        let runner = Thread {
            outcome.finish(Result {
                try search.run(subsample: subsample, folder: remote, codeDigest: "test", executor: executor, notice: { _ in })
            })
        }
        runner.start()
        // The first task seen running: JOBID_TASK.
        var cancelled: String?
        let deadline = Date().addingTimeInterval(120)
        while cancelled == nil, Date() < deadline, !outcome.isDone {
            let (_, output) = Self.slurm(["squeue", "--noheader", "--array", "--name=\(jobName)", "--states=RUNNING", "--format=%F_%K"])
            if let task = output.split(separator: "\n").first.map(String.init), task.contains("_") {
                XCTAssertEqual(Self.slurm(["scancel", task]).status, 0)
                cancelled = task
            } else {
                usleep(100_000)
            }
        }
        let task = try XCTUnwrap(cancelled, "no task of the array was seen running")
        let unit = try XCTUnwrap(Int(task.split(separator: "_")[1]))
        let summary = try outcome.wait().get()
        XCTAssertEqual(summary.instances, 1486)
        XCTAssertEqual(try results(remote), try results(local), "the full result, byte for byte, after the cancelled task")
        // The cancelled task's standard error says so; its unit ran again in a second job.
        let logs = try FileManager.default.contentsOfDirectory(atPath: remote.appendingPathComponent("slurm").path)
        let jobs = Set(logs.filter { $0.hasPrefix("unit-\(unit)-job-") && $0.hasSuffix(".err") })
        XCTAssertEqual(jobs.count, 2, "unit \(unit) ran in two jobs: \(logs.sorted())")
        let cancelledLog = try String(contentsOf: remote.appendingPathComponent("slurm/unit-\(unit)-job-\(task.split(separator: "_")[0]).err"), encoding: .utf8)
        XCTAssertTrue(cancelledLog.contains("CANCELLED"), cancelledLog)
    }

    /// A unit whose worker always fails is tried 1 + maxResubmissions times, then the run throws an error
    /// naming the unit and its standard-error file (whose last line it quotes), and leaves nothing queued.
    func testFailingUnitIsReportedByName() throws {
        try requireCluster()
        let folder = scratch("failing")
        let jobName = "slurm-test-fail-\(getpid())"
        var options = options(jobName: jobName)
        options.worker = ["/bin/sh", "-c", "echo \"unit $0 cannot be computed\" >&2; exit 3"]
        options.maxResubmissions = 1
        let array = SlurmArray(options: options, folder: folder)
        XCTAssertThrowsError(try array.run(units: 2, isFinished: { _ in false }, unitName: { "unit \($0) of the test" })) { error in
            guard case let .unitFailed(unit, attempts, state, standardError, tail)? = error as? SlurmArray.Failure else {
                return XCTFail("\(error)")
            }
            XCTAssertTrue(unit.hasSuffix("of the test"), unit)
            XCTAssertEqual(attempts, 2)
            XCTAssertTrue(state.hasPrefix("FAILED") || state == "unknown", state)
            XCTAssertTrue(standardError.hasPrefix(folder.appendingPathComponent("slurm/unit-").path), standardError)
            XCTAssertTrue(tail.contains("cannot be computed"), tail)
            XCTAssertTrue("\(error)".contains(standardError))
        }
        assertQueueEmpties(jobName)
    }

    /// A run past its ``SlurmArray/Options/timeout`` (2 s, against tasks that sleep 60 s) throws
    /// ``SlurmArray/Failure/timedOut(seconds:unfinished:)`` and leaves nothing queued or running.
    func testTimeoutCancelsTheArray() throws {
        try requireCluster()
        let folder = scratch("timeout")
        let jobName = "slurm-test-timeout-\(getpid())"
        var options = options(jobName: jobName)
        options.worker = ["/bin/sh", "-c", "sleep 60"]
        options.timeout = 2
        let started = Date()
        XCTAssertThrowsError(try SlurmArray(options: options, folder: folder).run(units: 3, isFinished: { _ in false })) { error in
            XCTAssertEqual(error as? SlurmArray.Failure, .timedOut(seconds: 2, unfinished: 3))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the run ends at its limit, not with its tasks")
        assertQueueEmpties(jobName)
    }

    /// `sbatch` refusing the job (a partition the cluster does not have) is an error with sbatch's own words.
    func testRefusedSubmissionSaysWhy() throws {
        try requireCluster()
        var options = options(jobName: "slurm-test-refused-\(getpid())")
        options.partition = "no-such-partition"
        XCTAssertThrowsError(try SlurmArray(options: options, folder: scratch("refused")).run(units: 1, isFinished: { _ in false })) { error in
            guard case let .client(command, message)? = error as? SlurmArray.Failure else { return XCTFail("\(error)") }
            XCTAssertTrue(command.hasPrefix("sbatch "), command)
            XCTAssertTrue(message.lowercased().contains("partition"), message)
        }
    }
}

/// The progress a run reported, as the callback saw it last.
private final class SeenProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (Int, Int)?
    func record(_ done: Int, _ total: Int) { lock.withLock { value = (done, total) } }
    var last: (Int, Int)? { lock.withLock { value } }
}

/// A run on another thread: its result once it ends.
private final class RunOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<ExhaustiveSearch.Summary, Error>?
    func finish(_ result: Result<ExhaustiveSearch.Summary, Error>) {
        lock.withLock { self.result = result }
        done.signal()
    }
    var isDone: Bool { lock.withLock { result != nil } }
    func wait() -> Result<ExhaustiveSearch.Summary, Error> {
        done.wait()
        return lock.withLock { result! }
    }
}
