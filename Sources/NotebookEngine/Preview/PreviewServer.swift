#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// A minimal HTTP/1.1 server on 127.0.0.1 for `notebook preview`: GET and HEAD only, one
/// request per connection (`Connection: close`), a thread per connection, and server-sent
/// events (`text/event-stream`) kept open on the connections that ask for them.
///
/// Why not a library: the preview serves a handful of local files to one browser and pushes
/// one kind of event; this is about 200 lines of POSIX sockets, with no dependency to build
/// (FlyingFox or SwiftNIO would add a package and its build time for the same three things).
/// It binds the loopback address only and answers only requests whose `Host` is the loopback's
/// (`127.0.0.1`, `localhost`, `[::1]`, with or without the port: a page elsewhere cannot rebind a
/// name of its own to it); a request larger than 16 KB, or whose header has not come whole within
/// ``requestDeadline`` seconds, is dropped; at most ``pendingLimit`` connections wait for their
/// request at once, and a new one closes the oldest waiting (so that connections that trickle a
/// byte at a time cannot starve a browser: each costs a waiting thread only until newer ones
/// arrive); writes use `MSG_NOSIGNAL`, so a browser that went away never raises SIGPIPE.
final class PreviewServer: @unchecked Sendable {
    enum Response {
        case content(status: Int, type: String, body: Data)
        case redirect(String)
        /// Keep the connection as an event stream, after sending these events first.
        case events(first: String)
    }

    /// The port bound (the one asked for, or the system's choice for 0).
    let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (String) -> Response
    private let lock = NSLock()
    private var streams: Set<Int32> = []
    /// Connections accepted whose request has not come whole yet, oldest first.
    private var pending: [Int32] = []

    /// Seconds a connection has to send its whole request header.
    static let requestDeadline = 10.0
    /// Connections waiting for their request at once (each holds a thread while it waits).
    static let pendingLimit = 32

    struct BindError: Error, CustomStringConvertible {
        var description: String
    }

    init(port: UInt16, handler: @escaping @Sendable (String) -> Response) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BindError(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BindError(description: "cannot listen on 127.0.0.1:\(port): \(reason) (choose another with --port)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
        self.listener = fd
        self.handler = handler
    }

    /// Accepts connections on a thread of its own until the process ends.
    func start() {
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 {
                    if errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE { continue }
                    return
                }
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                let evicted = lock.withLock { () -> Int32? in
                    pending.append(client)
                    return pending.count > Self.pendingLimit ? pending.removeFirst() : nil
                }
                // The oldest waiting connection gives way: its reader sees the end of its stream.
                if let evicted { shutdown(evicted, Int32(SHUT_RDWR)) }
                // A thread of its own, not GCD's pool: on Linux its few workers would wait behind
                // the connections that are slowest to send their request.
                Thread.detachNewThread { self.serve(client) }
            }
        }
    }

    /// Sends one event to every open event stream, dropping those whose browser went away.
    func broadcast(event: String, data: String) {
        let message = Data("event: \(event)\ndata: \(data)\n\n".utf8)
        let open = lock.withLock { streams }
        for fd in open where !Self.send(message, to: fd) {
            lock.withLock { _ = streams.remove(fd) }
            close(fd)
        }
    }

    /// How many event streams are open (pages showing).
    var openStreams: Int { lock.withLock { streams.count } }

    private func serve(_ fd: Int32) {
        let header = Self.readRequest(fd, deadline: Date().addingTimeInterval(Self.requestDeadline))
        lock.withLock { pending.removeAll { $0 == fd } }
        guard let header else { close(fd); return }
        guard Self.isLoopback(host: header.host) else {
            respond(fd, .content(status: 421, type: "text/plain", body: Data("this preview answers only to 127.0.0.1 and localhost\n".utf8)), head: false)
            return
        }
        let request = header.line
        let words = request.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2 else { respond(fd, .content(status: 400, type: "text/plain", body: Data("bad request\n".utf8)), head: false); return }
        let method = String(words[0])
        guard method == "GET" || method == "HEAD" else {
            respond(fd, .content(status: 405, type: "text/plain", body: Data("only GET and HEAD\n".utf8)), head: false)
            return
        }
        let target = String(words[1].prefix { $0 != "?" && $0 != "#" })
        respond(fd, handler(target.removingPercentEncoding ?? target), head: method == "HEAD")
    }

    private func respond(_ fd: Int32, _ response: Response, head: Bool) {
        switch response {
        case .content(let status, let type, let body):
            let header = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\n"
                + "Cache-Control: no-store\r\nConnection: close\r\n\r\n"
            _ = Self.send(Data(header.utf8) + (head ? Data() : body), to: fd)
            close(fd)
        case .redirect(let location):
            let header = "HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            _ = Self.send(Data(header.utf8), to: fd)
            close(fd)
        case .events(let first):
            let header = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n"
            guard Self.send(Data((header + "retry: 1000\n\n" + first).utf8), to: fd), !head else { close(fd); return }
            lock.withLock { _ = streams.insert(fd) }
        }
    }

    /// The request line and the `Host` header's value, once the whole header has come (at most
    /// 16 KB, before `deadline`: the deadline is the request's, not each read's).
    private static func readRequest(_ fd: Int32, deadline: Date) -> (line: String, host: String?)? {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 16384 {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 10_000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            received.append(contentsOf: buffer[0..<count])
            if received.range(of: Data("\r\n\r\n".utf8)) != nil || received.range(of: Data("\n\n".utf8)) != nil {
                let lines = String(decoding: received, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
                guard let first = lines.first else { return nil }
                let host = lines.dropFirst().first { $0.lowercased().hasPrefix("host:") }
                    .map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) }
                return (first, host)
            }
        }
        return nil
    }

    /// Whether a `Host` header names the loopback: `127.0.0.1`, `localhost` or `[::1]`, with or
    /// without a port. A request without one (HTTP/1.0) is refused as well.
    static func isLoopback(host: String?) -> Bool {
        guard let host = host?.lowercased(), !host.isEmpty else { return false }
        let name: Substring
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return false }
            name = host[...close]
        } else {
            name = host.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]
        }
        return name == "127.0.0.1" || name == "localhost" || name == "[::1]"
    }

    private static func send(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(fd, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    private static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 421: "Misdirected Request", 500: "Internal Server Error"][status] ?? "Status"
    }
}
