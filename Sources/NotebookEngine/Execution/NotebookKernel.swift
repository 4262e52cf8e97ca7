import DurableFiles
import Foundation

/// A kernel, built: the declared package's library products and the notebook runtime linked into
/// one dynamic library, `libNotebookKernel.so`, that every notebook program of that kernel
/// compiles against with `swiftc` alone (about a second).
///
/// The library comes from a small SwiftPM package the runner writes into the kernel package's
/// `.build/notebook-kernel/` (for the runtime alone, beside the `notebook` executable): a
/// dynamic product `NotebookKernel` whose target re-exports the runtime (a copy of
/// `Sources/NotebookRuntime`, as module `NotebookKernelRuntime`) and the declared products,
/// and depends on the kernel package by path. SwiftPM builds it once, and again when a byte
/// of the products' targets, the manifests or the runtime changes; the flags a program needs
/// (module search paths, C module maps) are read from SwiftPM's own build description.
///
/// ``digest`` is what the notebooks' caches key on: the products' targets by meaning
/// (``SwiftCanonicalForm``: comments, documentation and formatting left out), other files of
/// theirs (C headers, module maps) by bytes, `Package.swift` by meaning, `Package.resolved`,
/// the runtime and the compiler. Editing a comment rebuilds the library (its line numbers
/// moved) but reruns no notebook; editing code reruns the notebooks of that kernel.
public struct NotebookKernel: Sendable {
    public let declaration: KernelDeclaration
    /// The library products linked in: the declared ones, or all the package's when it declares none;
    /// empty for the runtime alone.
    public let products: [String]
    /// The generated package.
    let folder: URL
    /// A digest of every byte the built library is made from: it is rebuilt when this changes.
    let buildStamp: String
    /// The source folders of the products' targets and of every target they depend on in the
    /// package (what a watcher of the kernel watches, with `Package.swift`); empty for the runtime alone.
    public let sourceFolders: [URL]
    /// The kernel's digest by meaning, with the compiler's identity.
    public let digest: String
    /// Where the notebook's program runs and where relative `inputs` are read from: the
    /// kernel's package, or the current folder for the runtime alone.
    public let workingDirectory: URL

    /// The name of the wrapper's module the program imports.
    static let moduleName = "NotebookKernel"
    static let runtimeModuleName = "NotebookKernelRuntime"

    /// Writes the generated package of the kernel `declaration` names and computes its digests
    /// (holding the generated package's lock); builds nothing: ``compileArguments(log:)`` does,
    /// when a program is to be compiled, so an edit that changes no meaning builds nothing either.
    public static func prepare(_ declaration: KernelDeclaration, toolchain: NotebookToolchain, log: (String) -> Void) throws -> NotebookKernel {
        var root = declaration.package
        let folder = root.map { $0.appendingPathComponent(".build/notebook-kernel", isDirectory: true) }
            ?? toolchain.runtimeFolder.appendingPathComponent("notebook-kernel", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try FileLock.withLock(file: folder.appendingPathComponent(".lock"), exclusive: true) {
            var closure: [URL] = []
            var modules: [String] = []
            var products = declaration.products
            if let package = root {
                let description = try PackageDescriptionJSON.load(package: package, cacheIn: folder, origin: declaration.origin)
                // A package that declares no kernel: all its library products, or the runtime alone without any.
                if products.isEmpty { products = description.libraryProductNames }
                if products.isEmpty {
                    log("\(declaration.origin) has no library product: the blocks import the notebook runtime alone")
                    root = nil
                } else {
                    (modules, closure) = try description.modulesAndSources(of: products, origin: declaration.origin, line: declaration.line)
                }
            }
            let runtimeSources = toolchain.projectRoot.appendingPathComponent("Sources/NotebookRuntime", isDirectory: true)
            let runtimeFiles = ((try? FileManager.default.contentsOfDirectory(atPath: runtimeSources.path)) ?? [])
                .filter { $0.hasSuffix(".swift") }.sorted()
            guard !runtimeFiles.isEmpty else {
                throw NotebookError.runtimeMissing(reason: "no runtime sources in \(runtimeSources.path)")
            }

            // The generated package.
            let runtimeCopy = folder.appendingPathComponent("Sources/\(runtimeModuleName)", isDirectory: true)
            let kernelSources = folder.appendingPathComponent("Sources/\(moduleName)", isDirectory: true)
            try FileManager.default.createDirectory(at: runtimeCopy, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: kernelSources, withIntermediateDirectories: true)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: runtimeCopy.path)) ?? [] where !runtimeFiles.contains(name) {
                try? FileManager.default.removeItem(at: runtimeCopy.appendingPathComponent(name))
            }
            for name in runtimeFiles {
                try writeIfChanged(try Data(contentsOf: runtimeSources.appendingPathComponent(name)), to: runtimeCopy.appendingPathComponent(name))
            }
            try writeIfChanged(Data(manifest(root: root, products: root == nil ? [] : products).utf8), to: folder.appendingPathComponent("Package.swift"))
            let reexports = ([runtimeModuleName] + modules).map { "@_exported import \($0)" }.joined(separator: "\n") + "\n"
            try writeIfChanged(Data(reexports.utf8), to: kernelSources.appendingPathComponent("Kernel.swift"))
            if let root, let resolved = try? Data(contentsOf: root.appendingPathComponent("Package.resolved")) {
                try writeIfChanged(resolved, to: folder.appendingPathComponent("Package.resolved"))
            }

            // What the built library was made from, by bytes, and by meaning.
            var bytes = ContentHash()
            var meaning = ContentHash()
            bytes.add("kernel-build-v1")
            meaning.add("kernel-v1")
            meaning.add((root == nil ? [] : products).joined(separator: ","))
            for name in ["Package.swift", "Kernel.swift"] {
                bytes.add(fileOrFolder: name == "Package.swift" ? folder.appendingPathComponent(name) : kernelSources.appendingPathComponent(name))
            }
            for name in runtimeFiles {
                let data = (try? Data(contentsOf: runtimeSources.appendingPathComponent(name))) ?? Data()
                bytes.add(name); bytes.add(data)
                meaning.add(name); meaning.add(swiftSource: data)
            }
            if let root {
                for name in ["Package.swift", "Package.resolved"] {
                    let data = (try? Data(contentsOf: root.appendingPathComponent(name))) ?? Data()
                    bytes.add(name); bytes.add(data)
                    meaning.add(name)
                    if name.hasSuffix(".swift") { meaning.add(swiftSource: data) } else { meaning.add(data) }
                }
            }
            for source in closure {
                bytes.add(source.path)
                bytes.add(fileOrFolder: source, skipping: ["md"])
                meaning.add(source.lastPathComponent)
                meaning.add(meaningOf: source)
            }
            let compiler = toolchain.compilerIdentity()
            bytes.add(compiler)
            meaning.add(compiler)

            return NotebookKernel(
                declaration: declaration, products: root == nil ? [] : products, folder: folder, buildStamp: bytes.hex, sourceFolders: closure,
                digest: String(meaning.hex.prefix(16)),
                workingDirectory: root ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        }
    }

    /// The `swiftc` arguments that compile a program importing `NotebookKernel` and link it,
    /// building the library first when it is missing or was built from other bytes.
    func compileArguments(log: (String) -> Void) throws -> [String] {
        try FileLock.withLock(file: folder.appendingPathComponent(".lock"), exclusive: true) {
            let stamp = folder.appendingPathComponent("built.stamp")
            // Named by the format of what ``compileArguments(bin:products:)`` reads, so a runner that reads
            // the build description otherwise never takes an older runner's arguments.
            let argumentsFile = folder.appendingPathComponent("compile-arguments-\(Self.argumentsFormat).json")
            let bin = folder.appendingPathComponent(".build/release", isDirectory: true)
            let built = (try? String(contentsOf: stamp, encoding: .utf8)) == buildStamp
                && FileManager.default.fileExists(atPath: bin.appendingPathComponent("lib\(Self.moduleName).so").path)
            if built, let data = try? Data(contentsOf: argumentsFile), let arguments = try? JSONDecoder().decode([String].self, from: data) {
                return arguments
            }
            guard let swift = ChildProcess.find("swift") else {
                throw NotebookError.runtimeMissing(reason: "swift is not on PATH")
            }
            let name = products.isEmpty ? "the notebook runtime" : "\(declaration.package?.lastPathComponent ?? ""): \(products.joined(separator: ", "))"
            log("building the kernel (\(name)) with swift build -c release…")
            try? FileManager.default.removeItem(at: stamp)
            let outcome = try ChildProcess(
                // Without build-manifest caching: SwiftPM re-plans a cached build only when the root
                // package's folders change, so a source file added to the kernel's package (a path
                // dependency here) would not be compiled (SR-11254; seen: a new file's function "not in scope").
                executable: swift, arguments: ["build", "-c", "release", "--product", Self.moduleName, "--disable-build-manifest-caching"], directory: folder
            ).run()
            guard outcome.status == 0 else {
                throw NotebookError.kernelBuild(origin: declaration.origin, reason: String(outcome.output.suffix(4000)))
            }
            let arguments = try Self.compileArguments(bin: bin, products: products)
            try JSONEncoder().encode(arguments).write(to: argumentsFile, options: .atomic)
            try Data(buildStamp.utf8).write(to: stamp, options: .atomic)
            return arguments
        }
    }

    /// The generated package's manifest.
    static func manifest(root: URL?, products: [String]) -> String {
        let identity = root?.lastPathComponent.lowercased() ?? ""
        let dependencies = root.map { "[.package(path: \(SwiftStringLiteral.of($0.path)))]" } ?? "[]"
        let productDependencies = products.map { ", .product(name: \(SwiftStringLiteral.of($0)), package: \(SwiftStringLiteral.of(identity)))" }.joined()
        return """
            // swift-tools-version: 6.0
            // Written by `notebook run`: the kernel its notebooks' programs link (see NotebookKernel.swift).
            import PackageDescription

            let package = Package(
                name: "\(moduleName)",
                products: [.library(name: "\(moduleName)", type: .dynamic, targets: ["\(moduleName)"])],
                dependencies: \(dependencies),
                targets: [
                    .target(name: "\(runtimeModuleName)"),
                    .target(name: "\(moduleName)", dependencies: ["\(runtimeModuleName)"\(productDependencies)]),
                ]
            )

            """
    }

    /// The version of ``compileArguments(bin:products:)``'s reading: bump it when that changes.
    static let argumentsFormat = 2

    /// The search paths SwiftPM gave the `NotebookKernel` module (its `-I` and the C module maps
    /// of what it imports), read from `description.json`, and the libraries to link: the kernel's,
    /// and each declared product built as a dynamic library of its own (`type: .dynamic`), whose
    /// symbols the kernel's library links but does not re-export to the program.
    static func compileArguments(bin: URL, products: [String] = []) throws -> [String] {
        let file = bin.appendingPathComponent("description.json")
        guard let data = try? Data(contentsOf: file),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let commands = json["swiftCommands"] as? [String: Any],
              let command = commands.values.compactMap({ $0 as? [String: Any] }).first(where: { ($0["moduleName"] as? String) == moduleName })
        else {
            throw NotebookError.runtimeMissing(reason: "SwiftPM left no build description for \(moduleName) in \(file.path)")
        }
        let library = bin.resolvingSymlinksInPath().path
        var arguments: [String] = []
        if let modules = command["importPath"] as? String { arguments += ["-I", modules] }
        let other = command["otherArguments"] as? [String] ?? []
        var k = 0
        while k + 1 < other.count {
            let (flag, value) = (other[k], other[k + 1])
            if flag == "-Xcc" && value == "-I" && k + 3 < other.count && other[k + 2] == "-Xcc" {
                // A C target's include folder, given to clang as two words: `-Xcc -I -Xcc PATH`.
                arguments += Array(other[k...(k + 3)])
                k += 4
            } else if flag == "-I" || (flag == "-Xcc" && (value.hasPrefix("-fmodule-map-file=") || value.hasPrefix("-I"))) {
                arguments += [flag, value]
                k += 2
            } else {
                k += 1
            }
        }
        let dynamicProducts = products.filter { FileManager.default.fileExists(atPath: bin.appendingPathComponent("lib\($0).so").path) }
        return arguments + ["-L", library, "-l\(moduleName)"] + dynamicProducts.map { "-l\($0)" } + ["-Xlinker", "-rpath", "-Xlinker", library]
    }

    static func writeIfChanged(_ data: Data, to url: URL) throws {
        if (try? Data(contentsOf: url)) == data { return }
        try data.write(to: url, options: .atomic)
    }
}

/// What `swift package describe --type json` says of a package: its products and targets, kept
/// beside the generated package and asked again only when `Package.swift` changes.
struct PackageDescriptionJSON {
    var root: URL
    var products: [[String: Any]]
    var targets: [String: [String: Any]]

    static func load(package root: URL, cacheIn folder: URL, origin: String) throws -> PackageDescriptionJSON {
        var key = ContentHash()
        key.add((try? Data(contentsOf: root.appendingPathComponent("Package.swift"))) ?? Data())
        let keyFile = folder.appendingPathComponent("describe.key")
        let jsonFile = folder.appendingPathComponent("describe.json")
        var data = (try? String(contentsOf: keyFile, encoding: .utf8)) == key.hex ? try? Data(contentsOf: jsonFile) : nil
        if data == nil {
            guard let swift = ChildProcess.find("swift") else { throw NotebookError.runtimeMissing(reason: "swift is not on PATH") }
            // A scratch path of its own (describe reads the manifest alone and writes nothing there): SwiftPM
            // locks the scratch path, and the package's own `.build` is held for as long as a `swift build`
            // or `swift test` of it runs, so a notebook run from the package's own tests would wait for ever.
            let described = try ChildProcess(
                executable: swift, arguments: ["package", "--scratch-path", folder.appendingPathComponent("describe").path, "describe", "--type", "json"],
                directory: root, timeout: 600
            ).run()
            guard described.status == 0, let start = described.output.firstIndex(of: "{") else {
                throw NotebookError.kernelBuild(origin: origin, reason: "swift package describe failed in \(root.path):\n\(described.output)")
            }
            data = Data(described.output[start...].utf8)
            try data!.write(to: jsonFile, options: .atomic)
            try Data(key.hex.utf8).write(to: keyFile, options: .atomic)
        }
        guard let json = try? JSONSerialization.jsonObject(with: data!) as? [String: Any] else {
            throw NotebookError.kernelBuild(origin: origin, reason: "swift package describe gave no JSON for \(root.path)")
        }
        let targets = (json["targets"] as? [[String: Any]] ?? []).reduce(into: [String: [String: Any]]()) {
            if let name = $1["name"] as? String { $0[name] = $1 }
        }
        return PackageDescriptionJSON(root: root, products: json["products"] as? [[String: Any]] ?? [], targets: targets)
    }

    /// The names of the library products, in the manifest's order.
    var libraryProductNames: [String] {
        products.filter { ($0["type"] as? [String: Any])?["library"] != nil }.compactMap { $0["name"] as? String }
    }

    /// The Swift modules of `names` (library products), in order, and the source folders of
    /// every target they depend on within the package.
    func modulesAndSources(of names: [String], origin: String, line: Int) throws -> (modules: [String], sources: [URL]) {
        let libraries = products.filter { ($0["type"] as? [String: Any])?["library"] != nil }
        var modules: [String] = []
        var queue: [String] = []
        for name in names {
            guard let product = libraries.first(where: { $0["name"] as? String == name }) else {
                let known = libraries.compactMap { $0["name"] as? String }.sorted().joined(separator: ", ")
                throw NotebookError.badFrontMatter(
                    path: origin, line: line,
                    reason: "kernel.products: '\(name)' is not a library product of \(root.path) (it has \(known.isEmpty ? "none" : known))")
            }
            for target in product["targets"] as? [String] ?? [] {
                queue.append(target)
                if targets[target]?["module_type"] as? String == "SwiftTarget", !modules.contains(target) { modules.append(target) }
            }
        }
        var seen: Set<String> = []
        var sources: [URL] = []
        while let target = queue.popLast() {
            guard seen.insert(target).inserted, let description = targets[target] else { continue }
            if let path = description["path"] as? String { sources.append(root.appendingPathComponent(path, isDirectory: true)) }
            queue += description["target_dependencies"] as? [String] ?? []
        }
        return (modules, sources.sorted { $0.path < $1.path })
    }
}

extension ContentHash {
    /// Adds a folder's files by meaning: Swift sources by ``SwiftCanonicalForm``, Markdown left
    /// out, anything else (C headers, module maps, resources) by bytes.
    mutating func add(meaningOf folder: URL) {
        let names = (FileManager.default.subpaths(atPath: folder.path) ?? []).sorted()
        for name in names where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) && !name.hasSuffix(".md") {
            let file = folder.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            let data = (try? Data(contentsOf: file)) ?? Data()
            add(name)
            if name.hasSuffix(".swift") { add(swiftSource: data) } else { add(data) }
        }
    }
}
