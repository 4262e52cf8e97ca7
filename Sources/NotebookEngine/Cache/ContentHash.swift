import Foundation

/// A 128-bit FNV-1a digest (two 64-bit lanes with different offsets), for cache
/// keys: stable across runs and machines, unlike `Hasher`; not for security.
public struct ContentHash {
    private var lanes: (UInt64, UInt64) = (0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142)

    public init() {}

    public mutating func add(_ bytes: some Sequence<UInt8>) {
        // Contiguous bytes (`Data`, arrays) through a pointer: the same digest, 2.5 times as fast
        // (0.55 s for a 214 MB file, 1.4 s through `Data`'s iterator).
        if let lanes = bytes.withContiguousStorageIfAvailable({ Self.add($0, to: lanes) }) {
            self.lanes = lanes
            return
        }
        for byte in bytes {
            lanes = Self.add(byte, to: lanes)
        }
    }

    private static func add(_ bytes: UnsafeBufferPointer<UInt8>, to start: (UInt64, UInt64)) -> (UInt64, UInt64) {
        var lanes = start
        for byte in bytes { lanes = add(byte, to: lanes) }
        return lanes
    }

    @inline(__always)
    private static func add(_ byte: UInt8, to lanes: (UInt64, UInt64)) -> (UInt64, UInt64) {
        let first = (lanes.0 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        let second = (lanes.1 ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        return (first, second ^ (second >> 29))
    }

    /// Adds `text` and a separator, so ("ab","c") and ("a","bc") differ.
    public mutating func add(_ text: String) {
        add(text.utf8)
        add([0x1f])
    }

    /// Adds a file's contents, or every file under a folder (by relative path, in order), leaving
    /// out the folder's files whose extension is in `skipping`.
    public mutating func add(fileOrFolder given: URL, skipping: Set<String> = []) {
        let url = given.resolvingSymlinksInPath()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            add("missing:\(url.path)")
            return
        }
        if isFolder.boolValue {
            let names = (FileManager.default.subpaths(atPath: url.path) ?? []).sorted()
            for name in names where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") })
                && !skipping.contains((name as NSString).pathExtension) {
                let child = url.appendingPathComponent(name)
                var childIsFolder: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsFolder)
                if !childIsFolder.boolValue {
                    add(name)
                    add(Self.isRegularFile(child.resolvingSymlinksInPath()) ? (try? Data(contentsOf: child)) ?? Data() : Data("not a regular file".utf8))
                }
            }
        } else if Self.isRegularFile(url) {
            add((try? Data(contentsOf: url)) ?? Data())
        } else {
            add("not a regular file:\(url.path)")
        }
    }

    /// Whether `url` is a regular file (a FIFO or a device could be read forever).
    private static func isRegularFile(_ url: URL) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType == .typeRegular
    }

    public var hex: String {
        String(format: "%016llx%016llx", lanes.0, lanes.1)
    }
}
