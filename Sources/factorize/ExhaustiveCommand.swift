import ArgumentParser
import DurableFiles
import Foundation
import ImplicitRegularization
import LinearAlgebra

struct ExhaustiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exhaustive",
        abstract: "Figure 4: every 3×3 PSD completion with 4 observed entries on the 10-point grid, flowed from each ᾱ.",
        discussion: """
        Writes DIR/instances.tsv (one row per instance) and DIR/histogram.tsv (Δ counts per bin, a column per ᾱ), \
        keeps finished chunks in DIR/chunks-*/ so an interrupted run resumes, shows progress on stderr, \
        and prints a JSON summary on stdout. Every file is written to a temporary file and renamed into place. \
        Each chunk records its instances, the version of the search that computed it and a checksum: a damaged \
        chunk, or one computed by another version, is reported on stderr and computed again.
        """)

    @Option(help: ArgumentHelp("The ᾱ = ‖U0‖_F values, comma separated.", valueName: "a,b,c"))
    var initNorms: String = "1e-5,1e-3,1"

    @Option(help: "Run every K-th instance only.")
    var subsample: Int = 1

    @Option(help: "Worker threads (default: every core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Output folder.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Where the chunks are computed: local (threads of this process) or slurm (a job array of `factorize worker` tasks; the output folder must be on a file system the nodes share).", valueName: "local|slurm"))
    var executor: String = "local"

    @Option(help: "Slurm: the partition (default: the cluster's).")
    var partition: String?

    @Option(help: "Slurm: the account (default: the user's).")
    var account: String?

    @Option(help: ArgumentHelp("Slurm: a task's wall-time limit, e.g. 30:00 (default: the partition's).", valueName: "time"))
    var time: String?

    @Option(help: "Slurm: CPUs per task.")
    var cpusPerTask: Int = 1

    @Option(help: "Slurm: at most this many tasks at once (default: the cluster's limit).")
    var arrayMax: Int?

    @Option(help: ArgumentHelp("Slurm: one more sbatch argument (repeatable), e.g. --sbatch-arg=--qos=short.", valueName: "arg"))
    var sbatchArg: [String] = []

    /// The executor of `--executor` and the Slurm options: the worker is this program's `worker` subcommand.
    var workExecutor: WorkExecutor {
        get throws {
            switch executor {
            case "local": return .threads(workers)
            case "slurm":
                let program = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
                var options = SlurmArray.Options(worker: [program, "worker"])
                options.partition = partition
                options.account = account
                options.time = time
                options.cpusPerTask = cpusPerTask
                options.arrayMax = arrayMax
                options.extraArguments = sbatchArg
                return .slurm(options)
            default: throw ValidationError("--executor must be local or slurm, got \(executor)")
            }
        }
    }

    /// The ᾱ values of `--init-norms`: positive, finite, distinct.
    var norms: [Double] {
        get throws {
            let norms = initNorms.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !norms.isEmpty, norms.allSatisfy({ $0.map { $0.isFinite && $0 > 0 } ?? false }), Set(norms).count == norms.count else {
                throw ValidationError("--init-norms must be distinct positive numbers separated by commas, got \"\(initNorms)\"")
            }
            return norms.map { $0! }
        }
    }

    func validate() throws {
        _ = try norms
        try OptionCheck.positive(subsample, "--subsample")
        _ = try workExecutor
        try OptionCheck.positive(cpusPerTask, "--cpus-per-task")
        if let arrayMax { try OptionCheck.positive(arrayMax, "--array-max") }
        guard (1...256).contains(workers) else { throw ValidationError("--workers must be an integer in 1…256, got \(workers)") }
        var isDirectory: ObjCBool = false
        guard !out.isEmpty, !FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) || isDirectory.boolValue else {
            throw ValidationError("--out must name a folder, and \(out) is a file")
        }
    }

    func run() throws {
        BLASThreads.set(1)
        let search = ExhaustiveSearch(initNorms: try norms)
        let (summary, seconds) = try timed {
            try search.run(subsample: subsample, folder: URL(fileURLWithPath: out, isDirectory: true), workers: workers, executor: try workExecutor) { done, total in
                StandardError.write("\rexhaustive: \(done)/\(total) chunks")
                if done == total { StandardError.write("\n") }
            }
        }
        let unsolved = summary.perInitNorm.reduce(0) { $0 + $1.unsolved }
        var report = summary.undecided == 0 && unsolved == 0
            ? JSONReport(status: .solved, message: "every instance decided and every flow solved")
            : JSONReport(status: .inaccurate, message: "\(summary.undecided) instances undecided by the SDP, \(unsolved) flows short of their target (see status_* in instances.tsv)")
        report.add("instances", summary.instances)
        report.add("feasible", summary.feasible)
        report.add("discarded_infeasible", summary.infeasible)
        report.add("discarded_undecided", summary.undecided)
        for entry in summary.perInitNorm {
            var part = JSONReport()
            part.add("within_1e-2", entry.within1e2)
            part.add("median_delta", entry.medianDelta)
            part.add("max_delta", entry.maxDelta)
            part.add("unsolved", entry.unsolved)
            report.add("init_norm_\(entry.initNorm)", object: part)
        }
        report.add("computed", summary.computed)
        report.add("seconds", seconds)
        report.print()
    }
}
