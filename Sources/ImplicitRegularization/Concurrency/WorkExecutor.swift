import Foundation

/// Where a computation's independent units run: on threads of this process (the default), or as the
/// tasks of a Slurm job array (``SlurmArray``), each task a separate process that computes one unit and
/// writes its result file atomically into a state folder that the submitting process reads back.
/// A unit's result does not depend on where it ran: the same function of the same inputs, written in
/// the same format, so a Slurm run's result files are byte-identical to a local run's.
public enum WorkExecutor: Sendable {
    /// `workers` threads of this process (at least 1).
    case threads(Int)
    /// A Slurm job array with these options (``SlurmArray/Options``).
    case slurm(SlurmArray.Options)

    /// Threads, one per core this process may use.
    public static var local: WorkExecutor { .threads(ProcessInfo.processInfo.activeProcessorCount) }
}
