#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// Processes a block starts that detach: their parent exits before them (`sh -c "sleep 41 &"`,
/// a daemon). Under the runner the program is their subreaper (Linux's
/// `PR_SET_CHILD_SUBREAPER`), so such a process is adopted by the program, not by init, and the
/// program ends it at once, with a line on the block's standard error. Left running, it would
/// outlive the run, and it would hold what its launcher handed it: Foundation's `Process`
/// learns that a child exited when a socket the child inherited closes, so
/// `waitUntilExit()` would wait for the detached grandchild too, and a finished block would be
/// called timed out. A process is taken as detached when the program adopted it and its process
/// group is neither its own nor the program's (the group of a launcher that has exited: a
/// child the program starts itself leads its own group, as `Process` makes it, or shares the
/// program's, as `system` and `posix_spawn` leave it), or it left the program's session
/// (`setsid`, as daemons do); it is looked for every 50 ms. So a child the program starts that
/// makes itself a session leader while the program waits for it is ended too.
extension NotebookSession {
    /// Makes the program the subreaper of what its blocks start and watches for detached processes.
    static func endDetachedProcesses() {
        guard ProcessTree.becomeSubreaper() else { return }
        let watcher = Thread {
            while true {
                endDetachedChildren()
                usleep(50_000)
            }
        }
        watcher.name = "notebook detached-process watcher"
        watcher.start()
    }

    private static func endDetachedChildren() {
        let me = getpid()
        let group = getpgrp()
        let session = getsid(0)
        for child in ProcessTree.children() {
            guard let stat = ProcessTree.Stat(pid: child), stat.parent == me,
                  (stat.group != child && stat.group != group) || stat.session != session else { continue }
            let command = ProcessTree.commandLine(child)
            kill(-stat.group, SIGKILL)
            ProcessTree.killAndReap(child)
            if stat.state != "Z" {
                let line = "notebook: ended process \(child) (\(command.prefix(200))), which its block started and which "
                    + "detached (its parent exited): a notebook's processes end with their block's program\n"
                _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            }
        }
    }
}
