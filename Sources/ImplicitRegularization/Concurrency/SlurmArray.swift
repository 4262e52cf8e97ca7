import Foundation

/// Independent units of work as the tasks of one Slurm job array: task `k` runs `worker k` (the
/// ``Options/worker`` command with the task's index appended by the batch script), computes unit `k`
/// and writes that unit's result file; ``run(units:isFinished:unitName:progress:)`` submits
/// `sbatch --parsable --array=LIST%MAX`, polls `squeue` until every unit is finished, and
/// resubmits a unit whose task ended without its result (failed, cancelled, timed out, its node
/// lost) up to ``Options/maxResubmissions`` times, then throws ``Failure/unitFailed(unit:attempts:state:standardError:tail:)``
/// naming the unit and its standard-error file. On an error, a ``Options/timeout`` or SIGINT,
/// SIGTERM or SIGHUP while it waits, it `scancel`s every job it submitted: nothing is left queued.
///
/// The batch script, the tasks' standard output and error (`unit-K-job-J.out`/`.err`) are written to
/// `folder/slurm/`; `folder` must be on a file system the compute nodes share with the submitting
/// process. The clients (`sbatch`, `squeue`, `scancel`, `scontrol`) are found on `PATH` and find their
/// cluster as they do for a user (`SLURM_CONF` or `/etc/slurm/slurm.conf`); the tasks inherit the
/// submitting process's environment (`sbatch`'s default `--export=ALL`).
public struct SlurmArray: Sendable {
    /// What a user sets for a cluster.
    public struct Options: Sendable, Codable, Equatable {
        /// The program and its arguments that computes one unit; the batch script appends the task's
        /// index (`$SLURM_ARRAY_TASK_ID`), e.g. `["/path/factorize", "worker", "plan.json", "--task"]`.
        public var worker: [String] = []
        /// `--partition` (nil: the cluster's default partition).
        public var partition: String? = nil
        /// `--account` (nil: the user's default account).
        public var account: String? = nil
        /// `--time`, a task's wall-time limit in Slurm's format (`MM`, `HH:MM:SS`, `D-HH`; nil: the partition's).
        public var time: String? = nil
        /// `--cpus-per-task`.
        public var cpusPerTask = 1
        /// At most this many tasks of the array run at once (`--array=…%MAX`; nil: as many as the cluster allows).
        public var arrayMax: Int? = nil
        /// `--job-name`.
        public var jobName = "implicit-regularization"
        /// More `sbatch` arguments, passed as they are (e.g. `--qos=short`, `--mem=1G`, `--constraint=…`).
        public var extraArguments: [String] = []
        /// Shell lines the batch script runs before the worker (e.g. `module load openblas`).
        public var setup: [String] = []
        /// How often a unit whose task ended without its result is submitted again before the run fails.
        public var maxResubmissions = 2
        /// Seconds between two looks at the queue.
        public var pollInterval = 2.0
        /// Seconds a unit may be missing from the queue without its result before it counts as failed:
        /// on a network file system the file a task wrote on another node may show up here late.
        public var resultGrace = 10.0
        /// Seconds the whole run may take (nil: no limit); past it, the jobs are cancelled and the run fails.
        public var timeout: Double? = nil
        /// Environment variables for the Slurm clients this process runs (e.g. `SLURM_CONF`), over its own.
        public var clientEnvironment: [String: String] = [:]

        public init(worker: [String] = []) { self.worker = worker }
    }

    /// Why a Slurm run failed.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// A Slurm client could not be run or refused (its command line and what it said).
        case client(command: String, message: String)
        /// A unit ended without its result `attempts` times.
        case unitFailed(unit: String, attempts: Int, state: String, standardError: String, tail: String)
        /// The run took longer than ``Options/timeout``.
        case timedOut(seconds: Double, unfinished: Int)
        /// SIGINT, SIGTERM or SIGHUP arrived while the run waited (its number).
        case interrupted(signal: Int32)
        /// The options cannot make a job (e.g. no worker command).
        case invalidOptions(String)

        public var description: String {
            switch self {
            case let .client(command, message): "slurm: \(command) failed: \(message)"
            case let .unitFailed(unit, attempts, state, standardError, tail):
                "slurm: \(unit) ended without its result \(attempts) times (last state \(state)); its standard error is \(standardError)"
                    + (tail.isEmpty ? "" : ", ending: \(tail)")
            case let .timedOut(seconds, unfinished): "slurm: the run exceeded its time limit of \(seconds) s with \(unfinished) units unfinished; its jobs were cancelled"
            case let .interrupted(signal): "slurm: interrupted by signal \(signal); the array's jobs were cancelled"
            case let .invalidOptions(reason): "slurm: \(reason)"
            }
        }
    }

    /// What a finished run did.
    public struct Report: Sendable {
        /// The job ids of every submission, the first one first.
        public var jobs: [String]
        /// Units submitted again after their task ended without a result (a unit per resubmission).
        public var resubmitted: [Int]
        /// Seconds from the first submission to the last result.
        public var seconds: Double
    }

    public var options: Options
    /// The state folder: the script and the tasks' output go to `folder/slurm/`.
    public var folder: URL

    public init(options: Options, folder: URL) {
        self.options = options
        self.folder = folder
    }

    /// The folder of the batch script and the tasks' standard output and error.
    public var slurmFolder: URL { folder.appendingPathComponent("slurm", isDirectory: true) }

    /// The batch script: `set -e`, the ``Options/setup`` lines, then `exec` the worker with the
    /// task's index as its last argument. Every word is quoted for the shell.
    public func batchScript() -> String {
        var lines = ["#!/bin/sh", "# A task of a Slurm job array: computes unit $SLURM_ARRAY_TASK_ID (SlurmArray).", "set -e"]
        lines += options.setup
        lines.append("exec " + options.worker.map(Self.shellQuoted).joined(separator: " ") + " \"$SLURM_ARRAY_TASK_ID\"")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `sbatch`'s arguments for the units `units` (the array's indices), the script last.
    public func sbatchArguments(units: [Int], script: URL) -> [String] {
        var arguments = ["--parsable", "--job-name=\(options.jobName)", "--array=\(Self.arrayList(units))\(options.arrayMax.map { "%\($0)" } ?? "")"]
        arguments.append("--output=\(slurmFolder.path)/unit-%a-job-%A.out")
        arguments.append("--error=\(slurmFolder.path)/unit-%a-job-%A.err")
        if let partition = options.partition { arguments.append("--partition=\(partition)") }
        if let account = options.account { arguments.append("--account=\(account)") }
        if let time = options.time { arguments.append("--time=\(time)") }
        arguments.append("--cpus-per-task=\(options.cpusPerTask)")
        arguments += options.extraArguments
        arguments.append(script.path)
        return arguments
    }

    /// Indices as Slurm's array list: sorted, runs of consecutive indices as `a-b` (`0-3,7,9-10`).
    public static func arrayList(_ indices: [Int]) -> String {
        let sorted = Array(Set(indices)).sorted()
        var parts: [String] = []
        var k = 0
        while k < sorted.count {
            var end = k
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == k ? "\(sorted[k])" : "\(sorted[k])-\(sorted[end])")
            k = end + 1
        }
        return parts.joined(separator: ",")
    }

    /// A word for `/bin/sh`: itself when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
        if !word.isEmpty, word.unicodeScalars.allSatisfy(safe.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The standard-error file of unit `unit` in job `job`.
    public func standardErrorFile(unit: Int, job: String) -> URL {
        slurmFolder.appendingPathComponent("unit-\(unit)-job-\(job).err")
    }
}
