import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension SlurmArray {
    /// Computes units `0..<units` as one job array and returns when `isFinished(k)` holds for every k
    /// (the unit's result file is in place and sound). `isFinished` is asked of each unit until it
    /// holds, once per look at the queue; `progress(finished)` hears the count of finished units.
    /// Units finished before the call are not submitted.
    ///
    /// A unit is counted failed when its task has left the queue and, ``Options/resultGrace`` seconds
    /// later, its result is still missing; it is then submitted again (a new array of the failed units)
    /// until it has failed ``Options/maxResubmissions`` + 1 times, when the run cancels its jobs and
    /// throws ``Failure/unitFailed(unit:attempts:state:standardError:tail:)`` with `unitName(k)`.
    public func run(
        units: Int, isFinished: (Int) -> Bool, unitName: (Int) -> String = { "unit \($0)" },
        progress: (Int) -> Void = { _ in }
    ) throws -> Report {
        guard !options.worker.isEmpty else { throw Failure.invalidOptions("no worker command to run") }
        guard options.cpusPerTask >= 1, options.arrayMax.map({ $0 >= 1 }) ?? true, options.maxResubmissions >= 0 else {
            throw Failure.invalidOptions("cpus-per-task and array-max must be positive, max-resubmissions non-negative")
        }
        try ExhaustiveSearch.makeFolder(slurmFolder.path)
        let script = slurmFolder.appendingPathComponent("array.sh")
        try AtomicFile.write(batchScript(), to: script)

        let start = Date()
        var finished = Set((0..<units).filter(isFinished))
        progress(finished.count)
        var failures: [Int: Int] = [:]
        var active: [Int: String] = [:]  // unit → the job id of its current task
        var goneSince: [Int: Date] = [:]
        var jobs: [String] = []
        var resubmitted: [Int] = []
        var queueFailingSince: Date?

        func submit(_ batch: [Int]) throws {
            let job = try self.submit(units: batch, script: script)
            jobs.append(job)
            for unit in batch { active[unit] = job }
        }

        let watch = SignalWatch(signals: [SIGINT, SIGTERM, SIGHUP])
        defer { watch.stop() }
        do {
            let first = (0..<units).filter { !finished.contains($0) }
            if !first.isEmpty { try submit(first) }
            while !active.isEmpty {
                if let signal = watch.caught { throw Failure.interrupted(signal: signal) }
                if let timeout = options.timeout, Date().timeIntervalSince(start) > timeout {
                    throw Failure.timedOut(seconds: timeout, unfinished: units - finished.count)
                }
                let queued: Set<String>
                do {
                    queued = try queuedTasks()
                    queueFailingSince = nil
                } catch {
                    // squeue may fail while the controller is busy: a minute of failures ends the run.
                    let since = queueFailingSince ?? Date()
                    queueFailingSince = since
                    if Date().timeIntervalSince(since) > 60 { throw error }
                    try pause(watch)
                    continue
                }
                var again: [Int] = []
                for (unit, job) in active.sorted(by: { $0.key < $1.key }) {
                    if isFinished(unit) {
                        finished.insert(unit)
                        active[unit] = nil
                        goneSince[unit] = nil
                        progress(finished.count)
                        continue
                    }
                    guard !queued.contains("\(job)_\(unit)") else { continue }
                    let since = goneSince[unit] ?? Date()
                    goneSince[unit] = since
                    guard Date().timeIntervalSince(since) >= options.resultGrace else { continue }
                    goneSince[unit] = nil
                    failures[unit, default: 0] += 1
                    if failures[unit]! > options.maxResubmissions {
                        let stderrFile = standardErrorFile(unit: unit, job: job)
                        throw Failure.unitFailed(
                            unit: unitName(unit), attempts: failures[unit]!, state: taskState(job: job, unit: unit),
                            standardError: stderrFile.path, tail: Self.lastLines(of: stderrFile))
                    }
                    again.append(unit)
                }
                if !again.isEmpty {
                    let word = again.count == 1 ? "unit" : "units"
                    StandardError.write("slurm: \(word) \(Self.arrayList(again)) ended without a result; submitting again\n")
                    resubmitted += again
                    try submit(again)
                }
                if !active.isEmpty { try pause(watch) }
            }
        } catch {
            cancel(jobs: jobs)
            if case let .interrupted(signal)? = error as? Failure {
                StandardError.write("slurm: signal \(signal): cancelled job\(jobs.count == 1 ? "" : "s") \(jobs.joined(separator: ", "))\n")
                watch.stop()
                watch.raiseAsBefore(signal)
            }
            throw error
        }
        return Report(jobs: jobs, resubmitted: resubmitted, seconds: Date().timeIntervalSince(start))
    }

    /// Sleeps one poll interval, in tenths of a second, returning early when a signal arrives.
    private func pause(_ watch: SignalWatch) throws {
        var left = options.pollInterval
        while left > 0, watch.caught == nil {
            usleep(UInt32(min(left, 0.1) * 1e6))
            left -= 0.1
        }
    }

    /// `sbatch --parsable …`: the new job's id.
    func submit(units: [Int], script: URL) throws -> String {
        let output = try client("sbatch", sbatchArguments(units: units, script: script))
        // --parsable prints "jobid" or "jobid;cluster".
        guard let id = output.split(separator: "\n").last?.split(separator: ";").first.map(String.init),
              !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw Failure.client(command: "sbatch", message: "no job id in its output \"\(output)\"")
        }
        return id
    }

    /// The array tasks of this user still in the queue (pending, running, suspended, completing), as `JOB_TASK`.
    func queuedTasks() throws -> Set<String> {
        let output = try client("squeue", ["--noheader", "--array", "--user=\(getuid())", "--format=%F_%K"])
        return Set(output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// The state `scontrol` gives the task (e.g. `FAILED`, `CANCELLED`), or `unknown` once Slurm has forgotten it.
    func taskState(job: String, unit: Int) -> String {
        guard let output = try? client("scontrol", ["--oneliner", "show", "job", "\(job)_\(unit)"]),
              let field = output.split(separator: " ").first(where: { $0.hasPrefix("JobState=") }) else { return "unknown" }
        let reason = output.split(separator: " ").first(where: { $0.hasPrefix("ExitCode=") }).map { ", exit code \($0.dropFirst(9))" } ?? ""
        return String(field.dropFirst(9)) + reason
    }

    /// `scancel` of every job in `jobs` (their tasks queued or running); best effort.
    func cancel(jobs: [String]) {
        guard !jobs.isEmpty else { return }
        _ = try? client("scancel", jobs)
    }

    /// The last three non-empty lines of a file, joined by " | " (empty when it cannot be read).
    static func lastLines(of file: URL) -> String {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return "" }
        return text.split(whereSeparator: \.isNewline).suffix(3).joined(separator: " | ")
    }

    /// Runs a Slurm client found on PATH with ``Options/clientEnvironment`` over this process's
    /// environment; its standard output, or ``Failure/client(command:message:)`` with its standard error.
    func client(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(options.clientEnvironment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw Failure.client(command: name, message: "\(error)")
        }
        let errorText = ErrorCollector(error.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = errorText.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Failure.client(
                command: ([name] + arguments).joined(separator: " "),
                message: message.isEmpty ? "exit status \(process.terminationStatus)" : message)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A pipe's text read to its end on a thread of its own, so that neither of a child's pipes can fill.
private final class ErrorCollector: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var value = ""
    init(_ handle: FileHandle) {
        Thread {
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            self.lock.withLock { self.value = text }
            self.done.signal()
        }.start()
    }
    var text: String {
        done.wait()
        done.signal()
        return lock.withLock { value }
    }
}

/// SIGINT, SIGTERM and SIGHUP caught while a Slurm run waits, so that it can cancel its jobs before
/// the signal takes its usual effect (``raiseAsBefore(_:)``). A signal the process ignored before is left ignored.
final class SignalWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [DispatchSourceSignal] = []
    private var previous: [(Int32, sigaction)] = []
    private var first: Int32?

    init(signals: [Int32]) {
        for number in signals {
            var old = sigaction()
            guard sigaction(number, nil, &old) == 0 else { continue }
            // SIG_IGN is the handler 1.
            if withUnsafeBytes(of: old.__sigaction_handler, { $0.load(as: Int.self) }) == 1 { continue }
            previous.append((number, old))
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.record(number) }
            source.resume()
            sources.append(source)
        }
    }

    private func record(_ number: Int32) { lock.withLock { if first == nil { first = number } } }

    /// The first signal caught, if any.
    var caught: Int32? { lock.withLock { first } }

    /// Stops catching and puts back each signal's earlier disposition (idempotent).
    func stop() {
        lock.withLock {
            for source in sources { source.cancel() }
            sources = []
            for (number, old) in previous {
                var old = old
                sigaction(number, &old, nil)
            }
            previous = []
        }
    }

    /// After ``stop()``: the signal again, to the disposition it had before (the default ends the process).
    func raiseAsBefore(_ number: Int32) { raise(number) }
}
