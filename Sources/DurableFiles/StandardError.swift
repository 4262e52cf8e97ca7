#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes to standard error that never trap: a full, closed or broken stderr (`2>/dev/full`,
/// `2>&-`, a pipe whose reader left) loses the text and nothing else. Diagnostics are best
/// effort; the result and the exit code never depend on them.
public enum StandardError {
    /// Writes `text` to file descriptor 2 with `write(2)`, retrying on EINTR and short writes,
    /// giving up silently on any other error.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                return
            }
        }
    }

    /// Prepares the standard streams of a command-line program: SIGPIPE ignored (a write to a pipe
    /// whose reader left fails with EPIPE, which the program reports, rather than killing it), and
    /// each of descriptors 0, 1, 2 that is closed opened on `/dev/null`, so that no file the program
    /// opens later takes its number (a result printed into a chunk file, a notice into a lock file).
    /// Returns the descriptors that were closed.
    @discardableResult
    public static func prepareStreams() -> Set<Int32> {
        signal(SIGPIPE, SIG_IGN)
        var closed: Set<Int32> = []
        for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            closed.insert(descriptor)
            let placeholder = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if placeholder >= 0 && placeholder != descriptor {
                dup2(placeholder, descriptor)
                close(placeholder)
            }
        }
        return closed
    }
}
