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
/// It binds the loopback address only; a request larger than 16 KB, or slower than 10 s, is
/// dropped; writes use `MSG_NOSIGNAL`, so a browser that went away never raises SIGPIPE.
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
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                DispatchQueue.global().async { self.serve(client) }
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
        guard let request = Self.readRequest(fd) else { close(fd); return }
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

    /// The request line, once the whole header has come (at most 16 KB).
    private static func readRequest(_ fd: Int32) -> String? {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < 16384 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            received.append(contentsOf: buffer[0..<count])
            if received.range(of: Data("\r\n\r\n".utf8)) != nil || received.range(of: Data("\n\n".utf8)) != nil {
                let text = String(decoding: received, as: UTF8.self)
                return text.split(whereSeparator: \.isNewline).first.map(String.init)
            }
        }
        return nil
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
        [200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 500: "Internal Server Error"][status] ?? "Status"
    }
}
