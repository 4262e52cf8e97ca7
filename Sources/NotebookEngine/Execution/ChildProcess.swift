#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation
import NotebookRuntime

/// Runs a program to completion with an optional time limit, capturing its standard
/// output and error together (the first ``outputLimit`` bytes), or sending them to a file,
/// or leaving them to the terminal.
///
/// No process it starts outlives the runner. Each child runs in a process group of its
/// own, led by a watcher (`/bin/sh`, ignoring SIGINT, SIGTERM and SIGHUP) that reads a
/// pipe only the runner holds open: when the runner ends in any way, SIGKILL included,
/// the pipe reaches end of file and the watcher kills the whole group, the child's own
/// children too. On a time limit the runner sends SIGTERM to the group, then SIGKILL
/// after two seconds; on SIGINT, SIGTERM or SIGHUP it kills every group it started
/// (``RunnerCleanup``). When the child exits, whatever it left running in its group is
/// killed too. What left the group (the Swift driver starts each `swift-frontend` in a process
/// group of its own; `Foundation.Process` does the same for a block's processes) still carries
/// the child's ``tokenVariable`` in its environment, and the runner — or, when the runner was
/// killed, the watcher — kills every process that carries it.
struct ChildProcess {
    struct Outcome {
        /// The exit status, or 128 + the signal when a signal ended the child.
        var status: Int32
        var output: String
        /// How many bytes the child wrote in all (``output`` holds at most ``outputLimit`` of them).
        var outputBytes: Int
        var timedOut: Bool
        /// The signal that ended the child, if one did.
        var signal: Int32?
        var seconds: Double
        var signalled: Bool { signal != nil }

        /// "exit status 3" or "killed by SIGILL (trap)".
        var ending: String {
            if let signal { return "killed by \(ChildProcess.signalName(signal))" }
            return "exit status \(status)"
        }
    }

    var executable: URL
    var arguments: [String]
    var directory: URL?
    var environment: [String: String]?
    var input: String?
    var timeout: Double?
    /// When false, the child writes to the runner's own standard output and error (or to ``outputFile``).
    var capturesOutput = true
    /// With ``capturesOutput`` false: the child's standard output and error go to this file,
    /// and the runner's standard error is handed to it as descriptor 3 (for progress bars).
    var outputFile: URL?
    /// The most output kept in memory.
    var outputLimit = 1 << 20

    init(
        executable: URL, arguments: [String], directory: URL? = nil, environment: [String: String]? = nil,
        input: String? = nil, timeout: Double? = nil, capturesOutput: Bool = true, outputFile: URL? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.input = input
        self.timeout = timeout
        self.capturesOutput = capturesOutput
        self.outputFile = outputFile
    }

    struct SpawnError: Error, CustomStringConvertible {
        var what: String
        var code: Int32
        var description: String { "cannot start \(what): \(String(cString: strerror(code)))" }
    }

    func run() throws -> Outcome {
        let start = Date()
        // The watcher's pipe: the runner keeps the write end, open only here (close-on-exec).
        let watch = try Self.pipe()
        var watcherEnds = [watch.read]
        defer { for fd in watcherEnds { close(fd) } }
        let token = Self.newToken()
        // Until its group is registered, the watcher is a child no sweep of adopted orphans may take for one.
        RunnerCleanup.shared.spawning(+1)
        let watcher: pid_t
        do {
            watcher = try Self.spawn(
                path: "/bin/sh", arguments: ["sh", "-c", Self.watcherScript, "sh", "\(Self.tokenVariable)=\(token)"],
                environment: ["PATH=/usr/bin:/bin"], directory: nil, group: 0,
                descriptors: [.open(0, watch.read), .devNull(1), .devNull(2)])
        } catch {
            RunnerCleanup.shared.spawning(-1)
            throw error
        }
        close(watch.read)
        watcherEnds = [watch.write]
        let group = watcher
        RunnerCleanup.shared.add(group: group)
        RunnerCleanup.shared.spawning(-1)
        RunnerCleanup.shared.add(token: token)
        defer {
            RunnerCleanup.shared.remove(group: group)
            kill(-group, SIGKILL)
            Self.killMarked(token)
            RunnerCleanup.shared.remove(token: token)
            var status: Int32 = 0
            while waitpid(watcher, &status, 0) < 0 && errno == EINTR {}
            RunnerCleanup.shared.endAdoptedOrphans()
        }

        var descriptors: [Descriptor] = []
        var output: (read: Int32, write: Int32)?
        var inputPipe: (read: Int32, write: Int32)?
        if capturesOutput {
            output = try Self.pipe()
            descriptors += [.open(1, output!.write), .open(2, output!.write)]
        } else if let outputFile {
            let fd = open(outputFile.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw SpawnError(what: outputFile.path, code: errno) }
            descriptors += [.open(3, STDERR_FILENO), .open(1, fd), .open(2, fd), .closeAfter(fd)]
        }
        if input != nil {
            inputPipe = try Self.pipe()
            descriptors.append(.open(0, inputPipe!.read))
        } else {
            descriptors.append(.devNull(0))
        }
        var environmentLines = (environment ?? ProcessInfo.processInfo.environment).filter { $0.key != Self.tokenVariable }
            .map { "\($0.key)=\($0.value)" } + ["\(Self.tokenVariable)=\(token)"]
        if outputFile != nil && !capturesOutput { environmentLines.append("NOTEBOOK_TERMINAL_FD=3") }
        let pid: pid_t
        do {
            pid = try Self.spawn(
                path: executable.path, arguments: [executable.lastPathComponent] + arguments,
                environment: environmentLines, directory: directory?.path, group: group, descriptors: descriptors)
        } catch {
            for case .closeAfter(let fd) in descriptors { close(fd) }
            if let output { close(output.read); close(output.write) }
            if let inputPipe { close(inputPipe.read); close(inputPipe.write) }
            throw error
        }
        for case .closeAfter(let fd) in descriptors { close(fd) }

        let collected = OutputCollector(limit: outputLimit)
        let reading = DispatchGroup()
        if let output {
            close(output.write)
            DispatchQueue.global().async(group: reading) {
                collected.read(from: output.read)
                close(output.read)
            }
        }
        if let inputPipe, let input {
            close(inputPipe.read)
            DispatchQueue.global().async {
                let bytes = Array(input.utf8)
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes { Glibc.write(inputPipe.write, $0.baseAddress, $0.count) }
                    if written < 0 && errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
                close(inputPipe.write)
            }
        }

        let exited = DispatchSemaphore(value: 0)
        let waitStatus = WaitStatus()
        DispatchQueue.global().async {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            waitStatus.value = status
            exited.signal()
        }
        var timedOut = false
        if let timeout {
            if exited.wait(timeout: .now() + timeout) == .timedOut {
                timedOut = true
                kill(-group, SIGTERM)
                if exited.wait(timeout: .now() + 2) == .timedOut {
                    kill(-group, SIGKILL)
                    exited.wait()
                }
            }
        } else {
            exited.wait()
        }
        // The child is gone: whatever it left in its group goes too, so the output pipe closes,
        // and whatever left the group carrying the child's token (a compiler's own process group,
        // a process started in a session of its own).
        kill(-group, SIGKILL)
        Self.killMarked(token)
        if reading.wait(timeout: .now() + 5) == .timedOut { collected.stop() ; reading.wait() }

        let status = waitStatus.value
        let signalled = (status & 0x7f) != 0 && (status & 0x7f) != 0x7f
        let signal = signalled ? status & 0x7f : nil
        return Outcome(
            status: signal.map { 128 + $0 } ?? ((status >> 8) & 0xff),
            output: LossyText.decode(collected.data),
            outputBytes: collected.total,
            timedOut: timedOut, signal: signal,
            seconds: Date().timeIntervalSince(start))
    }

    /// The environment variable that marks every process a child starts, however it detaches
    /// (a process group or session of its own, a parent that exited): the environment is
    /// inherited, so `/proc/PID/environ` names the child that started it.
    static let tokenVariable = "NOTEBOOK_PROCESS_TOKEN"

    private static let tokenCounter = TokenCounter()

    /// A token no other child of any runner has: the runner's pid, a count, and random bits.
    static func newToken() -> String {
        "\(getpid())-\(tokenCounter.next())-\(UInt64.random(in: 0...UInt64.max))"
    }

    /// The watcher (`$1` is the token's environment line): when the pipe from the runner reaches
    /// end of file (the runner ended, however), it kills every process whose environment holds the
    /// token — in rounds until none is left, so that one forked meanwhile goes too — then its group.
    static let watcherScript = """
        trap '' INT TERM HUP
        while read -r _; do :; done
        round=0
        while [ $round -lt 20 ]; do
          found=$(grep -lzxF -e "$1" /proc/[0-9]*/environ 2>/dev/null)
          [ -z "$found" ] && break
          for file in $found; do pid=${file#/proc/}; kill -KILL "${pid%/environ}" 2>/dev/null; done
          round=$((round + 1))
        done
        kill -KILL 0
        """

    /// Kills every process whose environment holds `token`'s line (``tokenVariable``), in rounds
    /// until a round finds none (at most 20).
    static func killMarked(_ token: String) {
        let line = Array("\(tokenVariable)=\(token)".utf8)
        let me = getpid()
        for _ in 0..<20 {
            var found: [pid_t] = []
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(entry), pid != me, let environ = readProcFile("/proc/\(entry)/environ") else { continue }
                if environ.split(separator: 0).contains(where: { $0.elementsEqual(line) }) { found.append(pid) }
            }
            if found.isEmpty { return }
            for pid in found { kill(pid, SIGKILL) }
        }
    }

    /// The whole of a file of /proc (whose size reads as 0), up to 1 MB.
    private static func readProcFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes
    }

    /// A file descriptor of the child: `fd` made a copy of the runner's `from`, or /dev/null.
    enum Descriptor {
        case open(Int32, Int32)
        case devNull(Int32)
        /// The runner's descriptor to close once the child started (not an action in the child).
        case closeAfter(Int32)
    }

    /// A pipe whose two ends close on exec.
    static func pipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw SpawnError(what: "a pipe", code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    // glibc ≥ 2.34 and ≥ 2.29; not in Swift's Glibc module (they need _GNU_SOURCE), so looked up.
    private static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let addChdir: AddChdir? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: AddChdir.self) }

    /// posix_spawn into process group `group` (0: a new group it leads), signals at their
    /// defaults and unblocked, only the given descriptors open.
    static func spawn(
        path: String, arguments: [String], environment: [String], directory: String?, group: pid_t, descriptors: [Descriptor]
    ) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, group)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var highest: Int32 = 2
        for descriptor in descriptors {
            switch descriptor {
            case .open(let fd, let from):
                posix_spawn_file_actions_adddup2(&actions, from, fd)
                highest = max(highest, fd)
            case .devNull(let fd):
                posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
                highest = max(highest, fd)
            case .closeAfter:
                break
            }
        }
        if let closeFrom { _ = closeFrom(&actions, highest + 1) }
        if let directory {
            guard let addChdir else { throw SpawnError(what: path + " in " + directory, code: ENOSYS) }
            _ = addChdir(&actions, directory)
        }

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(what: path, code: result) }
        return pid
    }

    /// `SIGILL (trap)`: the signal's name and what it usually means here.
    static func signalName(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGILL: "SIGILL (trap)", SIGTRAP: "SIGTRAP (trap)", SIGSEGV: "SIGSEGV (segmentation fault)",
            SIGBUS: "SIGBUS (bus error)", SIGABRT: "SIGABRT (abort)", SIGFPE: "SIGFPE (arithmetic exception)",
            SIGKILL: "SIGKILL (killed)", SIGTERM: "SIGTERM (terminated)", SIGINT: "SIGINT (interrupted)",
            SIGHUP: "SIGHUP (hang-up)", SIGPIPE: "SIGPIPE (broken pipe)", SIGXCPU: "SIGXCPU (CPU time limit)",
            SIGXFSZ: "SIGXFSZ (file size limit)", SIGQUIT: "SIGQUIT (quit)", SIGSYS: "SIGSYS (bad system call)",
        ]
        return names[signal] ?? "signal \(signal)"
    }

    /// The first `name` on `PATH`.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

private final class TokenCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.withLock { count += 1; return count } }
}

private final class WaitStatus: @unchecked Sendable {
    private let lock = NSLock()
    private var status: Int32 = 0
    var value: Int32 {
        get { lock.withLock { status } }
        set { lock.withLock { status = newValue } }
    }
}

/// The first `limit` bytes a child wrote, and how many it wrote in all: memory stays bounded
/// however much it prints.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private let limit: Int
    private var kept = Data()
    private var count = 0
    private var stopped = false

    init(limit: Int) { self.limit = limit }

    var data: Data { lock.withLock { kept } }
    var total: Int { lock.withLock { count } }
    func stop() { lock.withLock { stopped = true } }

    func read(from fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !lock.withLock({ stopped }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 200)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            lock.withLock {
                count += n
                if kept.count < limit { kept.append(contentsOf: buffer[0..<min(n, limit - kept.count)]) }
            }
        }
    }
}

/// What the runner must undo when SIGINT, SIGTERM or SIGHUP ends it: the process groups it
/// started (killed) and its scratch folders (removed).
public final class RunnerCleanup: @unchecked Sendable {
    public static let shared = RunnerCleanup()
    private let lock = NSLock()
    private var groups: Set<pid_t> = []
    private var tokens: Set<String> = []
    private var folders: Set<String> = []
    private var sources: [DispatchSourceSignal] = []

    func add(group: pid_t) { lock.withLock { _ = groups.insert(group) } }
    func remove(group: pid_t) { lock.withLock { _ = groups.remove(group) } }
    func add(token: String) { lock.withLock { _ = tokens.insert(token) } }
    func remove(token: String) { lock.withLock { _ = tokens.remove(token) } }
    func add(folder: URL) { lock.withLock { _ = folders.insert(folder.path) } }
    func remove(folder: URL) { lock.withLock { _ = folders.remove(folder.path) } }

    /// Kills every group, removes every folder, then ends the runner by `signal` as if unhandled.
    func terminate(by signal: Int32) -> Never {
        let (groups, tokens, folders) = lock.withLock { (self.groups, self.tokens, self.folders) }
        for group in groups { kill(-group, SIGKILL) }
        for token in tokens { ChildProcess.killMarked(token) }
        for folder in folders { try? FileManager.default.removeItem(atPath: folder) }
        Glibc.signal(signal, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signal)
        sigprocmask(SIG_UNBLOCK, &set, nil)
        kill(getpid(), signal)
        _exit(128 + signal)
    }

    /// Whether the runner is the subreaper of what its children leave (``installSignalHandlers()``).
    private var isSubreaper = false
    /// How many watchers are being started (not yet in `groups`).
    private var starting = 0

    func spawning(_ change: Int) { lock.withLock { starting += change } }

    /// Kills and reaps the runner's children that no running ``ChildProcess`` started: orphans
    /// the runner adopted as their subreaper (a process that left its child's group and cleared
    /// its environment, whose parent then exited), and reaps those that already exited.
    func endAdoptedOrphans() {
        let (isSubreaper, groups, starting) = lock.withLock { (self.isSubreaper, self.groups, self.starting) }
        guard isSubreaper, starting == 0 else { return }
        let me = getpid()
        for child in ProcessTree.children() {
            guard let stat = ProcessTree.Stat(pid: child), stat.parent == me, !groups.contains(stat.group) else { continue }
            ProcessTree.killAndReap(child)
        }
    }

    /// Handles SIGINT, SIGTERM and SIGHUP as ``terminate(by:)``, and makes the runner the
    /// subreaper of its descendants (``ProcessTree/becomeSubreaper()``), so that a process whose
    /// parent exits is adopted by the runner and ended with the child that started it.
    public func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            isSubreaper = ProcessTree.becomeSubreaper()
            for signal in [SIGINT, SIGTERM, SIGHUP] {
                Glibc.signal(signal, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
                source.setEventHandler { RunnerCleanup.shared.terminate(by: signal) }
                source.resume()
                sources.append(source)
            }
        }
    }
}
