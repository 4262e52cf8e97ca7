import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `flock(2)` on a lock file. The kernel releases a lock when its holder exits, however it exits,
/// so a killed process leaves no stale lock (the file itself stays, empty).
public enum FileLock {
    /// Runs `body` holding the lock of `file` (created, with its folder, if missing), shared or
    /// exclusive, waiting for it as long as another process holds it in a conflicting mode.
    public static func withLock<T>(file: URL, exclusive: Bool, _ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path]) }
        defer { close(descriptor) }
        while flock(descriptor, exclusive ? LOCK_EX : LOCK_SH) != 0 {
            guard errno == EINTR else { throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: file.path]) }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

/// An exclusive ``FileLock`` on a lock file inside a folder, taken without waiting and held for the
/// object's life: one writer per folder at a time.
public final class FolderLock {
    /// Another process holds the folder's lock.
    public struct Busy: Error, CustomStringConvertible {
        public var folder: String
        public var description: String { "\(folder): another run is writing into this folder (it holds \(FolderLock.fileName)); wait for it to finish or choose another folder" }
    }

    /// The lock file's name inside the folder.
    public static let fileName = ".lock"

    private let descriptor: Int32

    /// Takes the exclusive lock of `folder` (which must exist), or throws ``Busy`` at once when
    /// another process holds it, or a `CocoaError` when the lock file cannot be opened.
    public init(folder: URL) throws {
        let path = folder.appendingPathComponent(Self.fileName).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            if reason == EINTR { continue }
            close(descriptor)
            if reason == EWOULDBLOCK { throw Busy(folder: folder.path) }
            throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: path])
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
