#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// The files a notebook's `inputs` name are hashed into its keys, so each must be something a
/// read ends on: a regular file, or a folder of them. A FIFO, a device or a socket (`/dev/zero`,
/// `/proc/self/fd/0`) can be read forever, and the files of `/proc`, `/sys` and the like are
/// the kernel's state, not data (`/proc/self` holds its own `fd/` and `task/`): both are refused
/// before anything runs, by name, with exit status 2.
extension NotebookRunner {
    /// The kernel's own file systems (their types as `/proc/self/mountinfo` names them).
    private static let specialFileSystems: Set<String> = [
        "proc", "sysfs", "cgroup", "cgroup2", "debugfs", "tracefs", "securityfs", "configfs", "pstore", "bpf",
        "efivarfs", "devpts", "mqueue", "fusectl", "binfmt_misc", "autofs",
    ]

    /// Why the input at `url` cannot be hashed (nil: it can, or it does not exist, which the
    /// key records as missing).
    static func inputRefusal(_ url: URL) -> String? {
        let resolved = url.resolvingSymlinksInPath()
        var info = stat()
        guard stat(resolved.path, &info) == 0 else { return nil }
        let mounts = mounts()
        if let system = specialFileSystem(resolved.path, mounts: mounts) {
            return "is on the kernel's \(system) file system, whose files are the system's state, not data a run reads"
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: break
        default: return "is not a regular file or a folder (a FIFO, device or socket: reading it may never end)"
        }
        // A folder: every file the key hashes (hidden ones are left out, as ContentHash does).
        for name in (FileManager.default.subpaths(atPath: resolved.path) ?? []).sorted()
        where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            let child = resolved.appendingPathComponent(name).resolvingSymlinksInPath()
            var childInfo = stat()
            guard stat(child.path, &childInfo) == 0 else { continue }
            if let system = specialFileSystem(child.path, mounts: mounts) {
                return "holds \(name), which is on the kernel's \(system) file system"
            }
            let kind = childInfo.st_mode & S_IFMT
            if kind != S_IFREG && kind != S_IFDIR {
                return "holds \(name), which is not a regular file (a FIFO, device or socket: reading it may never end)"
            }
        }
        return nil
    }

    /// The type of the file system `path` (absolute, symbolic links resolved) is on, when it is
    /// one of ``specialFileSystems``: that of the mount with the longest mount point that holds it.
    private static func specialFileSystem(_ path: String, mounts: [(point: String, type: String)]) -> String? {
        var best: (point: String, type: String)?
        for mount in mounts {
            let holds = mount.point == "/" || path == mount.point || path.hasPrefix(mount.point + "/")
            if holds, mount.point.count >= (best?.point.count ?? -1) { best = mount }
        }
        return best.flatMap { specialFileSystems.contains($0.type) ? $0.type : nil }
    }

    /// The mount points and their file systems' types (`/proc/self/mountinfo`).
    private static func mounts() -> [(point: String, type: String)] {
        guard let table = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return [] }
        var mounts: [(point: String, type: String)] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            // Mount points escape space, tab, newline and backslash as octal (\040).
            var point = String(fields[4])
            for (code, character) in [("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")] {
                point = point.replacingOccurrences(of: code, with: character)
            }
            mounts.append((point, String(fields[dash + 1])))
        }
        return mounts
    }

    /// The notebook's inputs that cannot be hashed, as errors (notebooks named as inputs are
    /// read through their tables, and checked when they run).
    func inputErrors(_ document: NotebookDocument, workingDirectory: URL) -> [NotebookError] {
        document.inputs.compactMap { input in
            guard Self.notebookStem(input) == nil else { return nil }
            let url: URL
            if input.hasPrefix("$") {
                let value = ProcessInfo.processInfo.environment[String(input.dropFirst())] ?? ""
                guard !value.isEmpty else { return nil }
                url = URL(fileURLWithPath: value, relativeTo: workingDirectory)
            } else {
                url = input.hasPrefix("/") ? URL(fileURLWithPath: input) : workingDirectory.appendingPathComponent(input)
            }
            return Self.inputRefusal(url).map { NotebookError.badInput(path: document.path, input: input, reason: $0) }
        }
    }
}
