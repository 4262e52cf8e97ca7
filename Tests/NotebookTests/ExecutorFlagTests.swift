import Foundation
import NotebookEngine
import NotebookRuntime
import XCTest

/// `notebook run --partition P --account A --time T --cpus-per-task N --array-max N --sbatch ARG`: each
/// flag overrides the same key of the front matter's and notebook.yml's `executor:`, is validated by
/// the same code as that key (``ExecutorDeclaration/set(_:_:)``), and without a Slurm executor is refused.
final class ExecutorFlagTests: XCTestCase {
    /// The shared validation: the values each key takes, and the reason it gives for the others.
    func testEachKeyIsValidatedByOneImplementation() {
        var keys = ExecutorDeclaration()
        XCTAssertNil(keys.set("partition", ["short"]))
        XCTAssertNil(keys.set("account", ["group-7"]))
        XCTAssertNil(keys.set("time", ["2-12:00"]))
        XCTAssertNil(keys.set("cpus-per-task", ["2"]))
        XCTAssertNil(keys.set("array-max", ["64"]))
        XCTAssertNil(keys.set("sbatch", ["--qos=short", "--mem=2G"]))
        XCTAssertEqual(keys, {
            var expected = ExecutorDeclaration()
            (expected.partition, expected.account, expected.time, expected.cpusPerTask, expected.arrayMax, expected.sbatch) =
                ("short", "group-7", "2-12:00", 2, 64, ["--qos=short", "--mem=2G"])
            return expected
        }())
        XCTAssertTrue(keys.setsSlurmKeys)
        XCTAssertFalse(ExecutorDeclaration(kind: "slurm").setsSlurmKeys)
        var bad = ExecutorDeclaration()
        XCTAssertEqual(bad.set("time", ["soon"]), " is a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\")")
        XCTAssertEqual(bad.set("cpus-per-task", ["0"]), " is a whole number, at least 1")
        XCTAssertEqual(bad.set("array-max", ["two"]), " is a whole number, at least 1")
        XCTAssertEqual(bad.set("partition", [""]), " is a partition's name")
        XCTAssertEqual(bad.set("account", ["a\nb"]), " is an account's name")
        XCTAssertEqual(bad.set("sbatch", ["qos=short"]), " is a list of sbatch options, each starting with '-' (--qos=short)")
        XCTAssertEqual(bad.set("sbatch", ["--array=0-3"]), ": '--array=0-3' is set by the executor itself (its array, output and error files)")
        XCTAssertEqual(bad.set("kind", ["pbs"]), " is local or slurm")
        XCTAssertEqual(bad, ExecutorDeclaration(), "a refused value sets nothing")
    }

    /// The command line's keys over the front matter's over notebook.yml's, key by key; its sbatch list replaces theirs.
    func testTheFlagsOverrideTheDeclaredKeys() {
        var project = ExecutorDeclaration(kind: "slurm")
        (project.partition, project.account, project.sbatch) = ("short", "group-7", ["--qos=low"])
        var front = ExecutorDeclaration()
        (front.time, front.arrayMax) = ("1:00:00", 4)
        var flags = ExecutorDeclaration()
        (flags.partition, flags.arrayMax, flags.sbatch) = ("long", 16, ["--mem=2G"])
        XCTAssertEqual(
            ExecutorDeclaration.resolve(commandLine: nil, commandLineKeys: flags, frontMatter: front, projectFile: project, environment: nil),
            RunManifest.Executor(kind: "slurm", partition: "long", account: "group-7", time: "1:00:00", arrayMax: 16, sbatch: ["--mem=2G"]))
        XCTAssertEqual(
            ExecutorDeclaration.resolve(commandLine: "slurm", commandLineKeys: flags, frontMatter: nil, projectFile: nil, environment: nil),
            RunManifest.Executor(kind: "slurm", partition: "long", arrayMax: 16, sbatch: ["--mem=2G"]))
    }

    /// Through `notebook run`: the flags reach the program's executor settings; a bad value, or a flag with a
    /// local executor, is one line and exit 2, before anything runs.
    func testTheFlagsReachTheProgramOrAreRefusedInOneLine() throws {
        let scratch = try NotebookProcess()
        defer { scratch.remove() }
        try scratch.write("notebook.yml", "executor:\n  partition: short\n  time: \"10:00\"\n")
        try scratch.write("Notebooks/executor.md", """
            ---
            title: Executor
            ---
            ```swift
            print("executor " + NotebookSession.executorConfiguration.json)
            ```

            """)
        let run = try scratch.run([
            "run", "Notebooks/executor.md", "--executor", "slurm", "--partition", "long", "--account", "group-7", "--time", "2-0",
            "--cpus-per-task", "2", "--array-max", "8", "--sbatch", "--qos=short", "--sbatch=--mem=2G"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let section = scratch.section(try scratch.read("out/executor.html"), block: 1)
        let line = section.split(separator: "\n").first { $0.contains("executor {") }.map(String.init) ?? section
        XCTAssertEqual(line.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "&quot;", with: "\""),
                       #"executor {"account":"group-7","array-max":8,"cpus-per-task":2,"kind":"slurm","partition":"long","sbatch":["--qos=short","--mem=2G"],"time":"2-0"}"#)

        let local = try scratch.run(["run", "Notebooks/executor.md", "--partition", "long"])
        XCTAssertEqual(local.status, 2, local.stderr)
        XCTAssertEqual(local.stderr, "notebook: Notebooks/executor.md: --partition needs --executor slurm or executor: slurm (this notebook's executor is local)\n")
        let explicitLocal = try scratch.run(["run", "Notebooks/executor.md", "--executor", "local", "--array-max", "2"])
        XCTAssertEqual(explicitLocal.status, 2, explicitLocal.stderr)
        XCTAssertEqual(explicitLocal.stderr, "notebook: --array-max needs --executor slurm or executor: slurm (see notebook --help)\n")
        let badTime = try scratch.run(["run", "Notebooks/executor.md", "--executor", "slurm", "--time", "soon"])
        XCTAssertEqual(badTime.status, 2, badTime.stderr)
        XCTAssertEqual(badTime.stderr, "notebook: --time is a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\") (see notebook --help)\n")
        let reserved = try scratch.run(["run", "Notebooks/executor.md", "--executor", "slurm", "--sbatch", "--output=x"])
        XCTAssertEqual(reserved.status, 2, reserved.stderr)
        XCTAssertEqual(reserved.stderr, "notebook: --sbatch: '--output=x' is set by the executor itself (its array, output and error files) (see notebook --help)\n")
    }
}
