#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// `notebook preview`: renders notebooks with the runner, serves the output folder on
/// 127.0.0.1, watches the notebooks, their declared inputs and the library's sources, re-runs
/// what changed (through ``NotebookRunner/run(_:)``: the cache decides what executes), and tells
/// the open pages to reload by server-sent events.
///
/// - Watching: every ``pollInterval`` the size and modification time (to the nanosecond) of each
///   watched file, and of every file under a watched folder, are compared with the last look. A
///   changed notebook re-runs itself; a changed input the notebooks declaring it; a changed
///   library source every notebook. A change seen during a run is picked up by the next look.
/// - Serving: pages (`.html`) get a small script injected when served: it listens on
///   `/_preview/events` and reloads the page when a render finishes (and at once when it
///   connects to a newer render than the one it shows). The files on disk never hold it: the
///   reports stay script-free and self-contained.
/// - Errors: a notebook that does not parse, or whose run could not start, is served as a page
///   of its errors, each naming the notebook line; a block's failure shows in its report, in place.
/// - Stopping: SIGINT, SIGTERM and SIGHUP end the preview through ``RunnerCleanup``, which kills
///   every process group the runner started (programs, gnuplot, pandoc) and removes its scratch folders.
public final class NotebookPreview: @unchecked Sendable {
    public static let defaultPort: UInt16 = 8765
    public static let pollInterval = 0.25
    static let eventsPath = "/_preview/events"

    private let runner: NotebookRunner
    private let files: [URL]
    private let requestedPort: UInt16
    private let log: (String) -> Void
    private let lock = NSLock()
    /// Counts finished renders; a page carries the one it was served at.
    private var generation = 0
    /// Messages of the notebooks (by stem) that could not be rendered at the last attempt.
    private var errors: [String: [String]] = [:]
    /// The last notebooks that parsed, by file path: what to watch for each.
    private var documents: [String: NotebookDocument] = [:]
    /// The kernel's source folders and manifest of each notebook (by file path), found when it parsed.
    private var kernelPaths: [String: [String]] = [:]
    private var server: PreviewServer?

    public init(runner: NotebookRunner, files: [URL], port: UInt16, log: @escaping (String) -> Void) {
        self.runner = runner
        self.files = files
        self.requestedPort = port
        self.log = log
    }

    /// Binds the port (throws when it cannot, before anything runs), says the address, renders
    /// every notebook, then watches and re-renders until a signal ends the process.
    public func serve() throws -> Never {
        let server = try PreviewServer(port: requestedPort) { [unowned self] path in self.respond(to: path) }
        self.server = server
        server.start()
        let first = files.first.map { "\(Self.stem(of: $0)).html" } ?? ""
        log("preview: serving http://127.0.0.1:\(server.port)/\(first) (Ctrl-C stops it)")
        // Parsed before the first look, so that the declared inputs are watched from the start.
        for file in files {
            if let document = runner.prepare([file]).documents.first { remember(document, of: file) }
        }
        var seen = fingerprints()
        render(files)
        var lastPing = Date()
        while true {
            Thread.sleep(forTimeInterval: Self.pollInterval)
            var now = fingerprints()
            if now != seen {
                // Let an editor finish writing (a save is often several writes).
                Thread.sleep(forTimeInterval: 0.1)
                now = fingerprints()
                let changed = Set(now.keys).union(seen.keys).filter { now[$0] != seen[$0] }
                seen = now
                let affected = files.filter { file in changed.contains { watched(by: file).contains($0) } }
                if !affected.isEmpty { render(affected) }
            }
            if Date().timeIntervalSince(lastPing) > 15 {
                // A comment: finds the streams of pages that were closed.
                server.broadcast(event: "ping", data: "\(lock.withLock { generation })")
                lastPing = Date()
            }
        }
    }

    // MARK: Rendering

    /// Parses and runs each file (in dependency order when they parse), then tells the pages.
    private func render(_ batch: [URL]) {
        // A new invocation: the kernels are prepared again from their sources as they are now.
        runner.kernels.forget()
        var parsed: [NotebookDocument] = []
        for file in batch {
            let stem = Self.stem(of: file)
            server?.broadcast(event: "running", data: stem)
            let (documents, errors) = runner.prepare([file])
            if let document = documents.first, errors.isEmpty {
                remember(document, of: file)
                parsed.append(document)
            } else {
                for error in errors { log("preview: \(error)") }
                finish(stem, errors: errors.map(\.description))
            }
        }
        for document in NotebookRunner.dependencyOrder(parsed) {
            do {
                _ = try runner.run(document)
                finish(document.stem, errors: [])
            } catch {
                log("preview: \(document.path): \(error)")
                finish(document.stem, errors: ["\(document.path): \(error)"])
            }
        }
    }

    private func finish(_ stem: String, errors messages: [String]) {
        let current = lock.withLock { () -> Int in
            errors[stem] = messages.isEmpty ? nil : messages
            generation += 1
            return generation
        }
        let pages = server?.openStreams ?? 0
        server?.broadcast(event: "reload", data: "\(current)")
        if pages > 0 { log("preview: \(stem) rendered; reloading \(pages) open page\(pages == 1 ? "" : "s")") }
    }

    // MARK: Watching

    /// Keeps a parsed notebook and what its kernel is made of: the source folders of the kernel's
    /// products (and what they depend on) and its `Package.swift`, found once per parse, not per poll.
    private func remember(_ document: NotebookDocument, of file: URL) {
        var paths: [String] = []
        if let kernel = try? runner.kernels.kernel(document.kernel ?? .runtimeOnly, toolchain: runner.toolchain, log: { _ in }) {
            paths = kernel.sourceFolders.map { $0.standardizedFileURL.path }
            if let package = document.kernel?.package {
                paths.append(package.appendingPathComponent("Package.swift").standardizedFileURL.path)
            }
        }
        lock.withLock {
            documents[file.path] = document
            kernelPaths[file.path] = paths
        }
    }

    /// The files and folders whose change re-runs `file`: itself, its declared inputs (as the
    /// runner resolves them) and the library's sources.
    private func watched(by file: URL) -> [String] {
        let root = runner.toolchain.projectRoot
        var paths = [file.standardizedFileURL.path]
        if let document = lock.withLock({ documents[file.path] }) {
            for input in document.inputs {
                if input.hasPrefix("$") {
                    if let value = ProcessInfo.processInfo.environment[String(input.dropFirst())], !value.isEmpty {
                        paths.append(URL(fileURLWithPath: value, relativeTo: root).standardizedFileURL.path)
                    }
                } else if let notebook = NotebookRunner.notebookStem(input) {
                    paths.append(runner.options.outputFolder.appendingPathComponent("data/\(notebook)").standardizedFileURL.path)
                } else {
                    let url = input.hasPrefix("/") ? URL(fileURLWithPath: input) : root.appendingPathComponent(input)
                    paths.append(url.standardizedFileURL.path)
                }
            }
        }
        paths += lock.withLock { kernelPaths[file.path] ?? [] }
        return paths
    }

    /// Each watched path's signature: size and modification time of the file, or of every file under the folder.
    private func fingerprints() -> [String: String] {
        var result: [String: String] = [:]
        for path in Set(files.flatMap(watched)) {
            result[path] = Self.signature(of: path)
        }
        return result
    }

    static func signature(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "missing" }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            return "\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
        var parts: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            var entry = stat()
            guard stat(path + "/" + name, &entry) == 0, (entry.st_mode & S_IFMT) != S_IFDIR else { continue }
            parts.append("\(name):\(entry.st_size):\(entry.st_mtim.tv_sec).\(entry.st_mtim.tv_nsec)")
        }
        return parts.sorted().joined(separator: "\n")
    }

    static func stem(of file: URL) -> String { file.deletingPathExtension().lastPathComponent }

    // MARK: Serving

    private func respond(to path: String) -> PreviewServer.Response {
        let (current, failures) = lock.withLock { (generation, errors) }
        if path == Self.eventsPath {
            return .events(first: "event: hello\ndata: \(current)\n\n")
        }
        let folder = runner.options.outputFolder.standardizedFileURL
        if path == "/" {
            if files.count == 1 { return .redirect("/\(HTMLEscape.link(Self.stem(of: files[0]))).html") }
            return page(folder.appendingPathComponent("index.html"), generation: current)
        }
        let relative = path.split(separator: "/").map(String.init)
        guard !relative.isEmpty, !relative.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else {
            return .content(status: 404, type: "text/plain; charset=utf-8", body: Data("not found\n".utf8))
        }
        if relative.count == 1, relative[0].hasSuffix(".html") {
            let stem = String(relative[0].dropLast(5))
            if let messages = failures[stem] {
                return .content(status: 200, type: "text/html; charset=utf-8", body: Data(errorPage(stem, messages, generation: current).utf8))
            }
        }
        let file = relative.reduce(folder) { $0.appendingPathComponent($1) }
        if file.pathExtension == "html" {
            if relative.count == 1, !FileManager.default.fileExists(atPath: file.path),
               files.contains(where: { Self.stem(of: $0) + ".html" == relative[0] }) {
                let waiting = "<p>Rendering \(HTMLEscape.escape(relative[0]))… this page reloads when it is ready.</p>"
                return .content(status: 200, type: "text/html; charset=utf-8", body: Data(Self.inject(Self.shell(waiting), generation: current).utf8))
            }
            log("preview: GET \(InfoString.shown(path))")
            return page(file, generation: current)
        }
        guard let data = try? Data(contentsOf: file) else {
            return .content(status: 404, type: "text/plain; charset=utf-8", body: Data("not found: \(path)\n".utf8))
        }
        return .content(status: 200, type: Self.contentType(file.pathExtension), body: data)
    }

    private func page(_ file: URL, generation: Int) -> PreviewServer.Response {
        guard let data = try? Data(contentsOf: file) else {
            return .content(status: 404, type: "text/plain; charset=utf-8", body: Data("not found: \(file.lastPathComponent)\n".utf8))
        }
        return .content(status: 200, type: "text/html; charset=utf-8", body: Data(Self.inject(LossyText.decode(data), generation: generation).utf8))
    }

    private func errorPage(_ stem: String, _ messages: [String], generation: Int) -> String {
        let items = messages.map { "<li><code>\(HTMLEscape.escape($0))</code></li>" }.joined(separator: "\n")
        return Self.inject(Self.shell("""
            <h1>\(HTMLEscape.escape(stem)) could not be rendered</h1>
            <ul class="errors">\(items)</ul>
            <p>Fix the notebook: this page reloads when it renders.</p>
            """), generation: generation)
    }

    private static func shell(_ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>notebook preview</title>
        <style>body{font:16px/1.5 sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
        ul.errors code{white-space:pre-wrap;color:#8a1c14}</style></head>
        <body>\(body)</body></html>
        """
    }

    /// The page with the reload script before `</body>` (served only; never written to disk).
    static func inject(_ html: String, generation: Int) -> String {
        let script = """
        <script id="notebook-preview">/* notebook preview: reloads this page when its notebook is rendered again */
        (function () {
          var shown = \(generation), events = new EventSource("\(eventsPath)");
          function banner(text) {
            var b = document.getElementById("notebook-preview-banner");
            if (!b) { b = document.createElement("div"); b.id = "notebook-preview-banner"; document.body.appendChild(b); }
            b.style.cssText = "position:fixed;top:0;right:0;background:#2a5db0;color:#fff;padding:.3rem .8rem;font:13px sans-serif;z-index:99";
            b.textContent = text;
          }
          events.addEventListener("hello", function (e) {
            var b = document.getElementById("notebook-preview-banner");
            if (b) b.remove();
            if (Number(e.data) > shown) location.reload();
          });
          events.addEventListener("running", function (e) { banner("Rendering " + e.data + "…"); });
          events.addEventListener("reload", function (e) { if (Number(e.data) > shown) location.reload(); });
          events.onerror = function () { banner("Preview server not reachable"); };
        })();
        </script>
        """
        guard let close = html.range(of: "</body>", options: .backwards) else { return html + script }
        return html.replacingCharacters(in: close, with: script + "</body>")
    }

    static func contentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "tsv": return "text/tab-separated-values; charset=utf-8"
        case "txt", "md": return "text/plain; charset=utf-8"
        case "json", "ipynb": return "application/json"
        case "css": return "text/css"
        default: return "application/octet-stream"
        }
    }
}
