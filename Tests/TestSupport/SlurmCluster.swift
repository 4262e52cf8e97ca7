import Foundation

/// The Slurm cluster the tests run on: `make slurm-up`'s one-machine cluster (its configuration in
/// the project's `.slurm/etc/slurm.conf`), or whatever `SLURM_CONF` or `/etc/slurm/slurm.conf` names.
/// Tests that need it skip, saying why (``unavailable``), when `sinfo` is missing or shows no idle node.
public enum SlurmCluster {
    /// The project's folder (three levels above this file).
    public static let projectFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `SLURM_CONF` for the clients: the environment's, else the local cluster's file when it exists.
    public static var clientEnvironment: [String: String] {
        if ProcessInfo.processInfo.environment["SLURM_CONF"] != nil { return [:] }
        let local = projectFolder.appendingPathComponent(".slurm/etc/slurm.conf").path
        return FileManager.default.fileExists(atPath: local) ? ["SLURM_CONF": local] : [:]
    }

    /// This process's environment with ``clientEnvironment`` over it.
    public static var environment: [String: String] { ProcessInfo.processInfo.environment.merging(clientEnvironment) { $1 } }

    /// Runs a Slurm client (found through /usr/bin/env): its standard output and error, and its status.
    public static func client(_ arguments: [String]) -> (status: Int32, output: String) {
        guard let run = try? ProcessRun(URL(fileURLWithPath: "/usr/bin/env"), arguments, environment: environment, timeout: 30) else {
            return (-1, "")
        }
        return (run.exited ? run.status : -1, run.stdout + run.stderr)
    }

    /// Why the cluster cannot run the tests (nil when `sinfo` shows an idle or partly used node): asked
    /// once per test run, since `sinfo` waits about 9 s for a controller that does not answer.
    public static let unavailable: String? = {
        let (status, output) = client(["sinfo", "--noheader", "--format=%t"])
        guard status == 0 else {
            return "no Slurm cluster answers (sinfo: \(output.isEmpty ? "not found" : output.trimmingCharacters(in: .whitespacesAndNewlines))); `make slurm-up` starts one"
        }
        let states = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard states.contains(where: { $0 == "idle" || $0 == "mix" }) else {
            return "the Slurm cluster has no idle node (sinfo: \(states.joined(separator: ", "))); `make slurm-up` starts one"
        }
        return nil
    }()

    /// Why `sacct` cannot list jobs (nil when it can): accounting storage is off, or slurmdbd does not answer.
    public static var accountingUnavailable: String? {
        let (status, output) = client(["sacct", "--noheader", "--starttime=now-1minute", "--format=JobID"])
        return status == 0 ? nil : "sacct cannot list jobs: \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// The lines `JOB_K|STATE` that `sacct -j JOB` lists for the array job `arrayJob` (Slurm 22.05's sacct
    /// has no --array: it lists an array's tasks apart already), asked every 0.5 s for up to 30 s until
    /// `tasks` lines all read COMPLETED: records reach slurmdbd a moment after the tasks end.
    public static func accountedTasks(ofArray arrayJob: String, tasks: Int) -> Set<String> {
        var listed = ""
        for _ in 0..<60 {
            let (status, output) = client(["sacct", "-j", arrayJob, "--allocations", "--noheader", "--parsable2", "--format=JobID,State"])
            listed = status == 0 ? output : "sacct failed (\(status)): \(output)"
            let rows = output.split(separator: "\n")
            if status == 0, rows.count == tasks, rows.allSatisfy({ $0.hasSuffix("|COMPLETED") }) { break }
            usleep(500_000)
        }
        return Set(listed.split(separator: "\n").map(String.init))
    }

    /// The array job id (`ArrayJobId=`) of the first of `jobs`, lines of `scontrol show job --oneliner`.
    public static func arrayJobId(_ jobs: [Substring]) -> String? {
        jobs.first.flatMap { $0.split(separator: " ").first { $0.hasPrefix("ArrayJobId=") } }.map { String($0.dropFirst("ArrayJobId=".count)) }
    }
}
