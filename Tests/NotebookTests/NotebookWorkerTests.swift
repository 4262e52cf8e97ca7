import Foundation
import TestSupport
import XCTest

/// A notebook program started as a job array's worker (`PROGRAM --notebook-worker PLAN --task N`,
/// NotebookSession+Worker.swift) hands the task to its kernel before any block runs, and says so in one
/// line with exit 2 when its kernel has no worker (here: the runtime alone) or its arguments are wrong.
final class NotebookWorkerTests: XCTestCase {
    func testAProgramStartedAsWorkerRunsNoBlockAndNamesWhatIsMissing() throws {
        let process = try NotebookProcess()
        defer { process.remove() }
        let copy = process.folder.appendingPathComponent("program-copy")
        let marker = process.folder.appendingPathComponent("block-ran")
        // The block keeps a copy of its own program (the run removes its scratch folder) and leaves a marker.
        let notebook = """
            ---
            title: A worker
            ---
            # A worker

            ```swift
            FileManager.default.createFile(atPath: "\(marker.path)", contents: Data("ran".utf8))
            if !FileManager.default.fileExists(atPath: "\(copy.path)") {
                try FileManager.default.copyItem(atPath: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path, toPath: "\(copy.path)")
            }
            print("ran")
            ```
            """
        try notebook.write(to: process.folder.appendingPathComponent("Notebooks/worker.md"), atomically: true, encoding: .utf8)
        let rendered = try process.run(["run", "Notebooks/worker.md"])
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker.path), "the block ran in the notebook run")
        try FileManager.default.removeItem(at: marker)

        func worker(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
            let program = Process()
            program.executableURL = copy
            program.arguments = arguments
            program.currentDirectoryURL = process.folder
            let errors = Pipe()
            program.standardError = errors
            program.standardOutput = FileHandle.nullDevice
            try program.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            program.waitUntilExit()
            return (program.terminationStatus, text)
        }
        let noWorker = try worker(["--notebook-worker", "plan.json", "--task", "0"])
        XCTAssertEqual(noWorker.status, 2, noWorker.stderr)
        XCTAssertEqual(noWorker.stderr, "notebook worker: this notebook's kernel has no worker (no notebook_kernel_worker function)\n")
        let badArguments = try worker(["--notebook-worker", "plan.json"])
        XCTAssertEqual(badArguments.status, 2, badArguments.stderr)
        XCTAssertEqual(badArguments.stderr, "notebook worker: expected --notebook-worker PLAN --task N, got plan.json\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "no block ran in the worker")
    }

    /// figure4.md's quick profile, with `executor: {kind: slurm, array-max: 1}` in its front matter and
    /// nothing on the command line: its search is submitted as a job array throttled to one task at a time
    /// (`--array=0-2%1`: the controller records ArrayTaskThrottle=1), and its tables equal, byte for byte,
    /// those of a local run of the same notebook. The kernel is this project's (built once in its
    /// `.build/notebook-kernel`). With accounting (slurmdbd), `sacct -j JOB` then lists the three
    /// tasks COMPLETED. Needs the local cluster (`make slurm-up`); skipped, saying why, without it.
    func testAFrontMatterExecutorSubmitsFigure4sSearchThrottled() throws {
        if let reason = SlurmCluster.unavailable { throw XCTSkip(reason) }
        let process = try NotebookProcess()
        defer { process.remove() }
        try Self.useTheProjectAsKernel(process)
        let jobName = "notebook-test-throttle-\(getpid())"
        let project = SlurmCluster.projectFolder
        let figure4 = try String(contentsOf: project.appendingPathComponent("Notebooks/figure4.md"), encoding: .utf8)
        XCTAssertTrue(figure4.hasPrefix("---\ntitle:"))
        if let bibliography = try? Data(contentsOf: project.appendingPathComponent("Notebooks/references.bib")) {
            try process.write("Notebooks/references.bib", bibliography)
        }
        // The local run's front matter says `executor: local` on the line where the Slurm run's names Slurm:
        // the tables record the line of each check and finding.
        try process.write("Notebooks/figure4.md", figure4.replacingOccurrences(of: "---\ntitle:", with: "---\nexecutor: local\ntitle:"))
        let local = try process.run(exactly: ["run", "Notebooks/figure4.md", "--param", "quick=true", "--out", "out-local", "--cache", "cache-local"],
                                    environment: SlurmCluster.clientEnvironment)
        XCTAssertEqual(local.status, 0, local.stderr)
        try process.write("Notebooks/figure4.md", figure4.replacingOccurrences(
            of: "---\ntitle:", with: "---\nexecutor: {kind: slurm, array-max: 1, sbatch: [--job-name=\(jobName)]}\ntitle:"))
        let slurm = try process.run(exactly: ["run", "Notebooks/figure4.md", "--param", "quick=true", "--out", "out-slurm", "--cache", "cache-slurm"],
                                    environment: SlurmCluster.clientEnvironment)
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        // The array the run submitted, as the controller keeps it (MinJobAge: 300 s after it ended).
        let (status, jobs) = SlurmCluster.client(["scontrol", "show", "job", "--oneliner"])
        XCTAssertEqual(status, 0, jobs)
        let mine = jobs.split(separator: "\n").filter { $0.contains("JobName=\(jobName) ") }
        XCTAssertEqual(mine.count, 3, "the quick profile's 3 chunks, one task each: \(mine)")
        for task in mine {
            XCTAssertTrue(task.contains("ArrayTaskThrottle=1 "), String(task))
            XCTAssertTrue(task.contains("JobState=COMPLETED "), String(task))
        }
        let tables = try FileManager.default.contentsOfDirectory(atPath: process.folder.appendingPathComponent("out-local/data/figure4").path)
            .filter { $0.hasSuffix(".tsv") }
        XCTAssertGreaterThanOrEqual(tables.count, 3, "histogram, statistics, flows_not_stationary: \(tables)")
        for table in tables {
            XCTAssertEqual(try process.data("out-slurm/data/figure4/\(table)"), try process.data("out-local/data/figure4/\(table)"), table)
        }

        // Accounting (slurmdbd, `make slurm-up`): `sacct -j JOB` lists every task of the array (JOB_K) COMPLETED.
        if let reason = SlurmCluster.accountingUnavailable { throw XCTSkip("the array ran; \(reason)") }
        let arrayJob = try XCTUnwrap(SlurmCluster.arrayJobId(mine))
        XCTAssertEqual(SlurmCluster.accountedTasks(ofArray: arrayJob, tasks: 3), Set((0..<3).map { "\(arrayJob)_\($0)|COMPLETED" }))
    }

    /// Figure 1's sweep (`FactorizationSweep.figure`, as figure1.md calls it) on a small profile — two
    /// widths, one seed, gradient descent capped at 2,000 iterations, so that the test takes a minute
    /// rather than figure1.md's quick profile's six — with `--executor slurm` on the command line (and
    /// `--sbatch --job-name=…`): its six units (three settings × two widths) are the tasks of a job array
    /// whose workers are the notebook's own program, and its tables equal, byte for byte, those of a local
    /// run (`--executor local`); `sacct -j JOB` lists the six tasks COMPLETED. Needs the local cluster.
    func testFigure1sSweepThroughSlurmGivesTheLocalRunsTables() throws {
        if let reason = SlurmCluster.unavailable { throw XCTSkip(reason) }
        let process = try NotebookProcess()
        defer { process.remove() }
        try Self.useTheProjectAsKernel(process)
        try process.write("Notebooks/figure1.md", """
            # Figure 1's sweep, small

            ```swift
            let profile = FigureProfile(quick: true, ranks: [1, 2], seeds: [1], stopping: StoppingRule(tolerance: 1e-6, maxIterations: 2_000), exhaustiveSubsample: 101)
            let executor = try WorkExecutor(notebookSettings: NotebookSession.executorSettings)
            let figure = try FactorizationSweep.figure(profile, in: NotebookSession.cacheFolder, codeDigest: NotebookSession.library, executor: executor)
            for outcome in figure.outcomes { Table("panel_\\(outcome.setting.rawValue)", rows: outcome.panelRows).emit() }
            Table("references", rows: figure.referenceRows).emit()
            Table("runs", rows: figure.runRows).emit()
            ```

            """)
        let jobName = "notebook-test-figure1-\(getpid())"
        let started = Date()
        let local = try process.run(exactly: ["run", "Notebooks/figure1.md", "--out", "out-local", "--cache", "cache-local", "--executor", "local"],
                                    environment: SlurmCluster.clientEnvironment)
        XCTAssertEqual(local.status, 0, local.stderr)
        let localSeconds = Date().timeIntervalSince(started)
        let slurm = try process.run(exactly: [
            "run", "Notebooks/figure1.md", "--out", "out-slurm", "--cache", "cache-slurm", "--executor", "slurm",
            "--sbatch", "--job-name=\(jobName)"], environment: SlurmCluster.clientEnvironment)
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        print("figure 1's sweep, small: local \(Int(localSeconds)) s, through Slurm \(Int(Date().timeIntervalSince(started) - localSeconds)) s")
        let tables = try FileManager.default.contentsOfDirectory(atPath: process.folder.appendingPathComponent("out-local/data/figure1").path)
            .filter { $0.hasSuffix(".tsv") }
        XCTAssertGreaterThanOrEqual(tables.count, 5, "three panels, references, runs: \(tables)")
        for table in tables {
            XCTAssertEqual(try process.data("out-slurm/data/figure1/\(table)"), try process.data("out-local/data/figure1/\(table)"), table)
        }
        let (status, jobs) = SlurmCluster.client(["scontrol", "show", "job", "--oneliner"])
        XCTAssertEqual(status, 0, jobs)
        let mine = jobs.split(separator: "\n").filter { $0.contains("JobName=\(jobName) ") }
        XCTAssertEqual(mine.count, 6, "the six units, one task each: \(mine)")
        if let reason = SlurmCluster.accountingUnavailable { throw XCTSkip("the array ran; \(reason)") }
        let arrayJob = try XCTUnwrap(SlurmCluster.arrayJobId(mine))
        XCTAssertEqual(SlurmCluster.accountedTasks(ofArray: arrayJob, tasks: 6), Set((0..<6).map { "\(arrayJob)_\($0)|COMPLETED" }))
    }

    /// A `notebook.yml` in `process`'s folder naming this project's package as the kernel (built once in
    /// its `.build/notebook-kernel`), with `OPENBLAS_CORETYPE` in its key.
    static func useTheProjectAsKernel(_ process: NotebookProcess) throws {
        try process.write("notebook.yml", """
            kernel:
              package: \(SlurmCluster.projectFolder.path)
              products: [ImplicitRegularization, LinearAlgebra]
              environment: [OPENBLAS_CORETYPE]

            """)
    }
}
