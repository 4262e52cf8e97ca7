import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file all at once or not at all: the text goes to a temporary file in the same folder
/// (`.NAME.tmp-PID-RANDOM`), which is flushed to disk and renamed over `url`. A reader never sees a
/// half-written file; a failed write leaves the old file (if any) in place and removes the temporary.
public enum AtomicFile {
    /// Removes the temporary files in `folder` left by writers that died (their process is gone).
    public static func removeAbandonedTemporaries(in folder: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(".") {
            guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
            let fields = name[marker.upperBound...].split(separator: "-")
            guard fields.count == 2, let pid = Int32(fields[0]), UInt32(fields[1]) != nil else { continue }
            if kill(pid, 0) != 0, errno == ESRCH { unlink(folder.appendingPathComponent(name).path) }
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Array(text.utf8), to: url)
    }

    public static func write(_ bytes: [UInt8], to url: URL) throws {
        let folder = url.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        func failure(_ code: Int32) -> ExhaustiveSearch.RunError {
            .write(file: url.path, reason: String(cString: strerror(code)))
        }
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure(errno) }
        var written = 0
        var error: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    error = errno
                    return
                }
                written += count
            }
        }
        if error == 0, fsync(descriptor) != 0 { error = errno }
        if close(descriptor) != 0, error == 0 { error = errno }
        if error == 0, rename(temporary.path, url.path) != 0 { error = errno }
        if error != 0 {
            unlink(temporary.path)
            throw failure(error)
        }
    }
}
