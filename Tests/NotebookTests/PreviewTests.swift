#if canImport(Glibc)
import Glibc
#endif
import Foundation
import XCTest

/// `notebook preview`: serves the report, follows edits to the prose and to the last block,
/// shows a notebook that does not parse as its errors with their lines, reloads an open page in
/// headless Chromium, and leaves no process behind when stopped by SIGINT.
final class PreviewTests: XCTestCase {
    var scratch: NotebookProcess!
    var preview: Process?

    override func setUpWithError() throws {
        scratch = try NotebookProcess()
        try scratch.write("Notebooks/live.md", Self.notebook)
    }

    override func tearDown() {
        if let preview, preview.isRunning { kill(preview.processIdentifier, SIGKILL) }
        scratch.remove()
    }

    static let notebook = """
        ---
        title: Live
        ---
        # Live

        Prose version one.

        ```swift
        print("block says one")
        ```

        """

    /// Starts `notebook preview` on a free port; returns its base URL.
    func start() throws -> String {
        let log = scratch.folder.appendingPathComponent("preview.log")
        let (process, _) = try scratch.start(
            exactly: ["preview", "Notebooks/live.md", "--port", "0", "--out", "out", "--cache", "cache"], standardError: log)
        preview = process
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) {
                return String(text[range])
            }
            XCTAssertTrue(process.isRunning, "preview ended: \(text)")
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        // A preview that never says where it serves is a broken preview, not an environment to skip.
        XCTFail("preview did not say its address within 120 s: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        throw PreviewNeverServed()
    }

    struct PreviewNeverServed: Error {}

    var log: String { (try? scratch.read("preview.log")) ?? "" }

    /// The page as served (curl), or "" when it cannot be fetched.
    static func fetch(_ url: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "--max-time", "10", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Seconds until the served page contains `text` (nil if it never does within `limit`).
    static func secondsUntil(_ url: String, contains text: String, limit: Double) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < limit {
            if fetch(url).contains(text) { return Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    /// A raw HTTP exchange: `request` sent on a new connection, the response's first line read back.
    static func exchange(port: UInt16, _ request: String) -> String {
        guard let fd = connection(port: port) else { return "" }
        defer { close(fd) }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? "" : ""
    }

    /// A TCP connection to 127.0.0.1:`port` (nil when refused).
    static func connection(port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        (address.sin_family, address.sin_port, address.sin_addr.s_addr) = (sa_family_t(AF_INET), port.bigEndian, UInt32(0x7F00_0001).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 { close(fd); return nil }
        return fd
    }

    /// A request from another name (DNS rebinding) is refused; connections that trickle their
    /// request a byte at a time cannot starve a browser; a path's control characters reach the log
    /// escaped.
    func testThePreviewAnswersOnlyLoopbackNamesAndCannotBeStarved() throws {
        let base = try start()
        let port = try XCTUnwrap(UInt16(base.split(separator: ":").last!.dropLast()))
        XCTAssertTrue(Self.secondsUntil(base + "live.html", contains: "Prose version one", limit: 120) != nil, log)
        XCTAssertEqual(Self.exchange(port: port, "GET /live.html HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n"), "HTTP/1.1 200 OK")
        XCTAssertEqual(Self.exchange(port: port, "GET /live.html HTTP/1.1\r\nHost: localhost\r\n\r\n"), "HTTP/1.1 200 OK")
        XCTAssertEqual(Self.exchange(port: port, "GET /live.html HTTP/1.1\r\nHost: attacker.example:\(port)\r\n\r\n"), "HTTP/1.1 421 Misdirected Request")
        XCTAssertEqual(Self.exchange(port: port, "GET /live.html HTTP/1.0\r\n\r\n"), "HTTP/1.1 421 Misdirected Request")
        _ = Self.exchange(port: port, "GET /a\u{1B}[31mred.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

        // 200 connections that send one byte, then one more every 2 s: before, a fresh request
        // waited behind them until their per-read timeouts (14.8 s measured); the request deadline
        // is 10 s, so an answer well within it means the fresh request did not wait for them.
        var slow: [Int32] = []
        for _ in 0..<200 {
            guard let fd = Self.connection(port: port) else { continue }
            _ = send(fd, "G", 1, Int32(MSG_NOSIGNAL))
            slow.append(fd)
        }
        let sockets = slow
        defer { sockets.forEach { close($0) } }
        let stop = Date().addingTimeInterval(6)
        let trickle = Thread { while Date() < stop { for fd in sockets { _ = send(fd, "E", 1, Int32(MSG_NOSIGNAL)) }; Thread.sleep(forTimeInterval: 2) } }
        trickle.start()
        Thread.sleep(forTimeInterval: 0.5)
        let began = Date()
        XCTAssertTrue(Self.fetch(base + "live.html").contains("Prose version one"), "a fresh request under 200 slow connections")
        XCTAssertLessThan(Date().timeIntervalSince(began), 5, "a fresh request waited behind the slow connections")
        let text = log
        XCTAssertFalse(text.contains("\u{1B}"), "a control character reached the terminal raw: \(text)")
        XCTAssertTrue(text.contains("\\u{1B}"), text)
    }

    /// Processes whose executable, working folder or command line is in the scratch folder (the
    /// notebook's program runs from its cache there; the preview runs in it).
    func processesInScratch() -> [String] {
        let mine = getpid()
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry in
            guard let pid = Int32(entry), pid != mine, NotebookProcess.isAlive(pid) else { return nil }
            let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) ?? ""
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                .map { String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\0", with: " ") } ?? ""
            let here = [exe, cwd, command].contains { $0.contains(scratch.folder.path) }
            return here ? "\(pid): \(exe) in \(cwd): \(command)" : nil
        }
    }

    func testThePageFollowsProseAndBlockEditsShowsErrorsAndSIGINTLeavesNothing() throws {
        let base = try start()
        let page = base + "live.html"
        XCTAssertNotNil(Self.secondsUntil(page, contains: "block says one", limit: 300), "first render: \(log)")
        let served = Self.fetch(page)
        XCTAssertTrue(served.contains("<script id=\"notebook-preview\">"), "the served page carries the reload script")
        XCTAssertTrue(served.contains("Prose version one."))
        XCTAssertFalse(try scratch.read("out/live.html").contains("<script"), "the report on disk stays script-free")

        try scratch.edit("Notebooks/live.md") { $0.replacingOccurrences(of: "Prose version one.", with: "Prose version two.") }
        let prose = Self.secondsUntil(page, contains: "Prose version two.", limit: 120)
        XCTAssertNotNil(prose, "the prose edit reached the page: \(log)")

        try scratch.edit("Notebooks/live.md") { $0.replacingOccurrences(of: "block says one", with: "block says two") }
        let block = Self.secondsUntil(page, contains: "block says two", limit: 120)
        XCTAssertNotNil(block, "the block edit reached the page: \(log)")
        print(String(format: "PreviewTests: edit to served page: prose %.2f s, last block %.2f s", prose ?? -1, block ?? -1))

        // A fence never closed: the page shows the error at its line.
        try scratch.edit("Notebooks/live.md") { $0.replacingOccurrences(of: "print(\"block says two\")\n```", with: "print(\"block says two\")") }
        XCTAssertNotNil(
            Self.secondsUntil(page, contains: "Notebooks/live.md:8: error: the code fence", limit: 60),
            Self.fetch(page))

        // A block that runs for minutes, stopped by SIGINT: the preview and the program both go.
        try scratch.write("Notebooks/live.md", Self.notebook.replacingOccurrences(
            of: "print(\"block says one\")", with: "print(\"sleeping\")\nThread.sleep(forTimeInterval: 600)"))
        let running = Date()
        while processesInScratch().filter({ $0.contains("/program") }).isEmpty && Date().timeIntervalSince(running) < 120 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTAssertFalse(processesInScratch().filter { $0.contains("/program") }.isEmpty, "the long block is running: \(log)")
        let process = try XCTUnwrap(preview)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        let stopped = Date()
        while !processesInScratch().isEmpty && Date().timeIntervalSince(stopped) < 5 { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(processesInScratch(), [], "no process of the preview remains")
        XCTAssertEqual(Self.fetch(page), "", "the server is gone")
    }

    /// Headless Chromium opens the served page; a prose edit makes the page reload itself
    /// (the server sees the page requested a second time, after its reload event).
    func testAnOpenPageReloadsInHeadlessChromium() throws {
        guard let chromium = ["chromium", "chromium-browser", "google-chrome"].lazy.compactMap(BrowserRenderingTests.find).first else {
            XCTFail("headless Chromium is needed for this test: run `make deps` (Debian package chromium)")
            return
        }
        let base = try start()
        let page = base + "live.html"
        XCTAssertNotNil(Self.secondsUntil(page, contains: "block says one", limit: 300), "first render: \(log)")
        let requests = { self.log.components(separatedBy: "preview: GET /live.html").count - 1 }
        let before = requests()

        let browser = Process()
        browser.executableURL = chromium
        browser.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
            "--user-data-dir=\(scratch.folder.appendingPathComponent("chromium").path)", page,
        ]
        browser.standardError = FileHandle.nullDevice
        browser.standardOutput = FileHandle.nullDevice
        try browser.run()
        defer {
            browser.terminate()
            browser.waitUntilExit()
        }
        let opened = Date()
        while requests() == before && Date().timeIntervalSince(opened) < 60 { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertEqual(requests(), before + 1, "the browser opened the page: \(log)")
        Thread.sleep(forTimeInterval: 1)
        try scratch.edit("Notebooks/live.md") { $0.replacingOccurrences(of: "Prose version one.", with: "Prose version two.") }
        let edited = Date()
        while requests() < before + 2 && Date().timeIntervalSince(edited) < 60 { Thread.sleep(forTimeInterval: 0.2) }
        print(String(format: "PreviewTests: edit to reloaded page in Chromium: %.2f s", Date().timeIntervalSince(edited)))
        XCTAssertTrue(log.contains("reloading 1 open page"), "the browser's event stream was open when the render finished: \(log)")
        XCTAssertGreaterThanOrEqual(requests(), before + 2, "the browser reloaded the page after the render: \(log)")

        // SIGTERM stops it as Ctrl-C does.
        let process = try XCTUnwrap(preview)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(process.terminationStatus, SIGTERM)
    }
}
