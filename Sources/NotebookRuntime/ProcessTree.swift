#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// This process's place in Linux's process tree: becoming a subreaper, its children, and the
/// fields of `/proc/PID/stat` that place a process. The runner and the notebook program both
/// adopt what their children leave behind, so that nothing they start outlives them.
public enum ProcessTree {
    private typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    /// `prctl` is variadic in C, so Swift cannot call it directly: looked up.
    private static let prctl: Prctl? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl").map { unsafeBitCast($0, to: Prctl.self) }
    private static let setChildSubreaper: Int32 = 36

    /// Makes this process the subreaper of its descendants (`PR_SET_CHILD_SUBREAPER`): a process
    /// whose parent exits is adopted by it rather than by init. False when the kernel refused.
    public static func becomeSubreaper() -> Bool {
        guard let prctl else { return false }
        return prctl(setChildSubreaper, 1, 0, 0, 0) == 0
    }

    /// This process's children (those of every thread: `/proc/self/task/*/children`).
    public static func children() -> Set<pid_t> {
        var children = Set<pid_t>()
        for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
            guard let text = try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8) else { continue }
            children.formUnion(text.split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        }
        return children
    }

    /// The fields of `/proc/PID/stat` a process's place in the tree needs.
    public struct Stat {
        /// `R`, `S`, `Z` (exited, not yet reaped), …
        public var state: Character
        public var parent: pid_t
        public var group: pid_t
        public var session: pid_t

        public init?(pid: pid_t) {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return nil }
            // After the command (in parentheses, which may hold spaces and parentheses itself): state, ppid, pgrp, session.
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count >= 4, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2]),
                  let session = pid_t(fields[3]) else { return nil }
            (self.state, self.parent, self.group, self.session) = (state, parent, group, session)
        }
    }

    /// Kills `pid` (SIGKILL) and reaps it: it must be this process's child.
    public static func killAndReap(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// A process's command line, its arguments joined by spaces ("?" when it cannot be read).
    public static func commandLine(_ pid: pid_t) -> String {
        (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
            .map { String(decoding: $0, as: UTF8.self).split(separator: "\0").joined(separator: " ") } ?? "?"
    }
}
