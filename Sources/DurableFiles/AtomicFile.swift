import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file all at once or not at all: the bytes go to a temporary file in the same folder
/// (`.NAME.tmp-PID-RANDOM`), which is flushed to disk (`fsync`) and renamed over the destination. A
/// reader never sees a half-written file; a failed write leaves the old file (if any) in place and
/// removes the temporary. The destination's folder is created when it is missing.
public enum AtomicFile {
    /// A file that could not be written, with the system's reason.
    public struct WriteError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var reason: String
        public var description: String { "cannot write \(file): \(reason)" }
    }

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
        try write(Data(text.utf8), to: url)
    }

    public static func write(_ bytes: [UInt8], to url: URL) throws {
        try write(Data(bytes), to: url)
    }

    public static func write(_ data: Data, to url: URL) throws {
        try replace(url) { descriptor in
            data.withUnsafeBytes { buffer in writeAll(descriptor, buffer) }
        }
    }

    /// Copies `source` over `destination` in pieces of 1 MiB (a large figure or table is never held
    /// in memory whole), atomically as ``write(_:to:)-5n6yc`` writes.
    public static func copy(_ source: URL, to destination: URL) throws {
        let input = open(source.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: source.path, NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(errno))])
        }
        defer { close(input) }
        try replace(destination) { descriptor in
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress!, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if count == 0 { return 0 }
                let error = buffer.withUnsafeBytes { writeAll(descriptor, UnsafeRawBufferPointer(rebasing: $0[..<count])) }
                if error != 0 { return error }
            }
        }
    }

    /// Writes the whole buffer to `descriptor`, retrying short writes and EINTR: 0, or the errno.
    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32 {
        var written = 0
        while written < buffer.count {
            let count = Glibc.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            written += count
        }
        return 0
    }

    /// Creates the temporary beside `url`, lets `fill` write it (returning 0 or an errno), flushes,
    /// closes and renames it over `url`; on any failure removes it and throws ``WriteError``.
    private static func replace(_ url: URL, fill: (Int32) -> Int32) throws {
        let folder = url.deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: folder.path) {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
                throw WriteError(file: url.path, reason: underlying.map { String(cString: strerror(Int32($0.code))) } ?? "cannot create \(folder.path)")
            }
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw WriteError(file: url.path, reason: String(cString: strerror(errno))) }
        var error = fill(descriptor)
        if error == 0, fsync(descriptor) != 0 { error = errno }
        if close(descriptor) != 0, error == 0 { error = errno }
        if error == 0, rename(temporary.path, url.path) != 0 { error = errno }
        if error != 0 {
            unlink(temporary.path)
            throw WriteError(file: url.path, reason: String(cString: strerror(error)))
        }
    }
}
