import Foundation
import ImplicitRegularization
import NotebookEngine
import NotebookRuntime
import XCTest

/// `executor:` in a front matter and in `notebook.yml` (``ExecutorDeclaration``): read, refused at its
/// line when wrong, resolved key by key (`--executor` > front matter > `notebook.yml` >
/// `NOTEBOOK_EXECUTOR` > local), handed to the program in its manifest, turned into the library's
/// executor in one call, and kept out of every cache key. No Slurm is needed.
final class ExecutorConfigurationTests: XCTestCase {
    func testAFrontMatterExecutorIsReadAsAKindOrAMapping() throws {
        let full = try NotebookParser().parse("""
            ---
            title: t
            executor:
              kind: slurm
              partition: short
              account: group-7
              time: "1-02:00:00"
              cpus-per-task: 2
              array-max: 8
              sbatch: [--qos=normal, --mem=2G]
            ---

            """, path: "n.md")
        var expected = ExecutorDeclaration(kind: "slurm")
        (expected.partition, expected.account, expected.time) = ("short", "group-7", "1-02:00:00")
        (expected.cpusPerTask, expected.arrayMax, expected.sbatch) = (2, 8, ["--qos=normal", "--mem=2G"])
        XCTAssertEqual(full.executor, expected)
        XCTAssertEqual(try NotebookParser().parse("---\nexecutor: local\n---\n", path: "n.md").executor, ExecutorDeclaration(kind: "local"))
        var timeOnly = ExecutorDeclaration()
        timeOnly.time = "30"
        XCTAssertEqual(try NotebookParser().parse("---\nexecutor: {time: 30}\n---\n", path: "n.md").executor, timeOnly)
        XCTAssertNil(try NotebookParser().parse("---\ntitle: t\n---\n", path: "n.md").executor)
    }

    /// Every mistake: one message naming the file, the line of the key and the key.
    func testAMistakenExecutorIsRefusedAtItsLine() {
        let cases: [(yaml: String, message: String)] = [
            ("executor: cloud", "n.md:3: error: front matter: executor is local or slurm, or a mapping of kind, partition, account, time, cpus-per-task, array-max, sbatch; got 'cloud'"),
            ("executor: [slurm]", "n.md:3: error: front matter: executor is local or slurm, or a mapping of kind, partition, account, time, cpus-per-task, array-max, sbatch"),
            ("executor:\n  kind: slurm\n  partitoin: short", "n.md:5: error: front matter: unknown key 'executor.partitoin' (known: kind, partition, account, time, cpus-per-task, array-max, sbatch)"),
            ("executor:\n  kind: pbs", "n.md:4: error: front matter: executor.kind is local or slurm"),
            ("executor:\n  array-max: 0", "n.md:4: error: front matter: executor.array-max is a whole number, at least 1"),
            ("executor:\n  cpus-per-task: two", "n.md:4: error: front matter: executor.cpus-per-task is a whole number, at least 1"),
            ("executor:\n  cpus-per-task: \"2\"", "n.md:4: error: front matter: executor.cpus-per-task is a whole number, at least 1"),
            ("executor:\n  time: 10 minutes", "n.md:4: error: front matter: executor.time is a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\")"),
            ("executor:\n  partition: \"\"", "n.md:4: error: front matter: executor.partition is a partition's name"),
            ("executor:\n  sbatch: [qos=normal]", "n.md:4: error: front matter: executor.sbatch is a list of sbatch options, each starting with '-' (--qos=short)"),
            ("executor:\n  sbatch: [--mem=1G, --array=0-9]", "n.md:4: error: front matter: executor.sbatch: '--array=0-9' is set by the executor itself (its array, output and error files)"),
            ("executor:\n  sbatch: -o/tmp/x", "n.md:4: error: front matter: executor.sbatch: '-o/tmp/x' is set by the executor itself (its array, output and error files)"),
        ]
        for (yaml, message) in cases {
            XCTAssertThrowsError(try NotebookParser().parse("---\ntitle: t\n\(yaml)\n---\n", path: "n.md"), yaml) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
        // Slurm's own time formats are accepted.
        for time in ["5", "10:00", "01:30:00", "2-0", "2-12:00", "2-12:00:00", "UNLIMITED"] {
            XCTAssertEqual(try NotebookParser().parse("---\nexecutor: {time: \"\(time)\"}\n---\n", path: "n.md").executor?.time, time)
        }
    }

    /// The kind: `--executor`, else the front matter's, else notebook.yml's, else NOTEBOOK_EXECUTOR, else
    /// local; the other keys: the front matter's over notebook.yml's, one by one.
    func testTheExecutorIsResolvedKeyByKey() {
        var project = ExecutorDeclaration(kind: "slurm")
        (project.partition, project.account, project.time, project.sbatch) = ("short", "group-7", "10:00", ["--qos=low"])
        var front = ExecutorDeclaration()
        (front.time, front.arrayMax) = ("1:00:00", 4)
        func resolve(_ commandLine: String?, _ front: ExecutorDeclaration?, _ project: ExecutorDeclaration?, _ environment: String?) -> RunManifest.Executor {
            ExecutorDeclaration.resolve(commandLine: commandLine, frontMatter: front, projectFile: project, environment: environment)
        }
        XCTAssertEqual(resolve(nil, nil, nil, nil), .local)
        XCTAssertEqual(resolve(nil, nil, nil, ""), .local)
        XCTAssertEqual(resolve(nil, nil, nil, "slurm"), RunManifest.Executor(kind: "slurm"))
        XCTAssertEqual(resolve(nil, front, project, "local"), RunManifest.Executor(
            kind: "slurm", partition: "short", account: "group-7", time: "1:00:00", arrayMax: 4, sbatch: ["--qos=low"]))
        XCTAssertEqual(resolve("local", front, project, "slurm").kind, "local")
        XCTAssertEqual(resolve(nil, ExecutorDeclaration(kind: "local"), project, "slurm").kind, "local", "the front matter's kind over notebook.yml's")
        XCTAssertEqual(resolve(nil, front, nil, "slurm"), RunManifest.Executor(kind: "slurm", time: "1:00:00", arrayMax: 4))
        XCTAssertEqual(resolve(nil, front, ExecutorDeclaration(), nil).kind, "local", "no kind anywhere: local")
    }

    /// The hand-over: the runtime's settings as JSON, with a worker, become the library's full
    /// `SlurmArray.Options` in one call; `local` is a thread per core; a wrong kind or count is refused.
    func testTheSettingsBecomeTheLibrarysExecutorInOneCall() throws {
        var settings = RunManifest.Executor(
            kind: "slurm", partition: "short", account: "group-7", time: "10:00", cpusPerTask: 2, arrayMax: 1, sbatch: ["--qos=low", "--mem=1G"])
        settings.worker = ["/shared/program", "--notebook-worker"]
        guard case let .slurm(options) = try WorkExecutor(notebookSettings: settings.json) else { return XCTFail("not slurm: \(settings.json)") }
        var expected = SlurmArray.Options(worker: ["/shared/program", "--notebook-worker"])
        (expected.partition, expected.account, expected.time, expected.cpusPerTask, expected.arrayMax) = ("short", "group-7", "10:00", 2, 1)
        expected.extraArguments = ["--qos=low", "--mem=1G"]
        XCTAssertEqual(options, expected)
        XCTAssertTrue(SlurmArray(options: options, folder: URL(fileURLWithPath: "/r")).sbatchArguments(units: [0, 1, 2], script: URL(fileURLWithPath: "/r/a.sh"))
            .contains("--array=0-2%1"))
        // Nothing set: the cluster's defaults, as SlurmArray.Options has them.
        var bare = RunManifest.Executor(kind: "slurm")
        bare.worker = ["/p"]
        guard case let .slurm(defaults) = try WorkExecutor(notebookSettings: bare.json) else { return XCTFail(bare.json) }
        XCTAssertEqual(defaults, SlurmArray.Options(worker: ["/p"]))
        guard case let .threads(workers) = try WorkExecutor(notebookSettings: RunManifest.Executor.local.json) else { return XCTFail("not threads") }
        XCTAssertEqual(workers, ProcessInfo.processInfo.activeProcessorCount)
        for bad in [#"{"kind":"pbs","sbatch":[]}"#, #"{"kind":"slurm","sbatch":[]}"#, #"{"kind":"slurm","array-max":0,"worker":["/p"],"sbatch":[]}"#, "not json"] {
            XCTAssertThrowsError(try WorkExecutor(notebookSettings: bad), bad) { error in
                guard case .invalidOptions? = error as? SlurmArray.Failure else { return XCTFail("\(error)") }
            }
        }
    }

    /// Through `notebook run`: notebook.yml's executor, the front matter's keys over it, `--executor` and
    /// NOTEBOOK_EXECUTOR reach the program (it prints what it was handed); the executor is in no key, so
    /// another executor is served the cached run; a mistake in notebook.yml or NOTEBOOK_EXECUTOR is one line, exit 2.
    func testTheExecutorReachesTheProgramAndNotTheKey() throws {
        let scratch = try NotebookProcess()
        defer { scratch.remove() }
        try scratch.write("notebook.yml", "executor:\n  partition: short\n  time: \"10:00\"\n")
        let notebook = """
            ---
            title: Executor
            FRONT
            ---
            ```swift
            print("executor " + NotebookSession.executorConfiguration.json)
            ```

            """
        func write(front: String) throws {
            try scratch.write("Notebooks/executor.md", notebook.replacingOccurrences(of: "FRONT", with: front))
        }
        func printed() throws -> String {
            let section = scratch.section(try scratch.read("out/executor.html"), block: 1)
            let line = section.split(separator: "\n").first { $0.contains("executor {") }.map(String.init) ?? section
            return line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "&quot;", with: "\"")
        }
        try write(front: "timeout: 60")
        let fromEnvironment = try scratch.run(["run", "Notebooks/executor.md"], environment: ["NOTEBOOK_EXECUTOR": "slurm"])
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.stderr)
        XCTAssertEqual(try printed(), #"executor {"kind":"slurm","partition":"short","sbatch":[],"time":"10:00"}"#)

        // Another executor: the same key, the cached run.
        let other = try scratch.run(["run", "Notebooks/executor.md", "--executor", "local"])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertTrue(other.stderr.contains("unchanged: nothing ran"), other.stderr)

        // The front matter's keys over notebook.yml's, its kind over NOTEBOOK_EXECUTOR; --executor over all.
        try write(front: "executor: {kind: local, time: \"5\", array-max: 1}")
        let front = try scratch.run(["run", "Notebooks/executor.md", "--force"], environment: ["NOTEBOOK_EXECUTOR": "slurm"])
        XCTAssertEqual(front.status, 0, front.stderr)
        XCTAssertEqual(try printed(), #"executor {"array-max":1,"kind":"local","partition":"short","sbatch":[],"time":"5"}"#)
        let commandLine = try scratch.run(["run", "Notebooks/executor.md", "--force", "--executor", "slurm"])
        XCTAssertEqual(commandLine.status, 0, commandLine.stderr)
        XCTAssertEqual(try printed(), #"executor {"array-max":1,"kind":"slurm","partition":"short","sbatch":[],"time":"5"}"#)

        // Mistakes: one line each, exit 2, nothing run.
        try scratch.write("notebook.yml", "executor:\n  partition: short\n  time: soon\n")
        let badProject = try scratch.run(["run", "Notebooks/executor.md"])
        XCTAssertEqual(badProject.status, 2, badProject.stderr)
        XCTAssertEqual(badProject.stderr, "notebook.yml:3: error: executor.time is a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\")\n")
        try scratch.write("notebook.yml", "executor: slurm\nkernels: {}\n")
        let unknownKey = try scratch.run(["run", "Notebooks/executor.md"])
        XCTAssertEqual(unknownKey.status, 2, unknownKey.stderr)
        XCTAssertEqual(unknownKey.stderr, "notebook.yml:2: error: unknown key 'kernels' (known: kernel, executor)\n")
        try scratch.write("notebook.yml", "executor: slurm\n")
        let badEnvironment = try scratch.run(["run", "Notebooks/executor.md"], environment: ["NOTEBOOK_EXECUTOR": "cloud"])
        XCTAssertEqual(badEnvironment.status, 2, badEnvironment.stderr)
        XCTAssertEqual(badEnvironment.stderr, "notebook: NOTEBOOK_EXECUTOR=cloud: unknown executor (known: local, slurm)\n")
    }
}
