import Foundation

extension StringProtocol {
    /// The text's lines, split at LF, CRLF or a lone CR, without their terminators; a final
    /// terminator adds no empty line. (`split(separator: "\n")` misses CRLF: `"\r\n"` is one `Character`.)
    var textLines: [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in unicodeScalars {
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }
}

/// Reading what tools and notebook programs wrote: never all of a large file, never
/// failing on invalid UTF-8 (invalid bytes become U+FFFD).
enum LossyText {
    /// Decodes `data` as UTF-8, replacing invalid bytes.
    static func decode(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    /// The first `limit` bytes of a file (cut back to a whole UTF-8 character), decoded
    /// lossily, and the file's whole size; nil when it cannot be read.
    static func read(_ url: URL, limit: Int = .max) -> (text: String, bytes: Int)? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        var data = Data()
        while data.count < limit {
            guard let chunk = try? handle.read(upToCount: min(1 << 20, limit - data.count)), !chunk.isEmpty else { break }
            data.append(chunk)
        }
        if data.count >= limit { data = trimmedToCharacter(data) }
        return (decode(data), max(size, data.count))
    }

    /// `data` without a UTF-8 sequence cut at its end.
    static func trimmedToCharacter(_ data: Data) -> Data {
        var end = data.endIndex
        var back = 0
        while end > data.startIndex, back < 4, data[end - 1] & 0xC0 == 0x80 { end -= 1; back += 1 }
        if end > data.startIndex, data[end - 1] >= 0xC0 {
            let lead = data[end - 1]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
            if back + 1 < length { return data[data.startIndex..<(end - 1)] }
        }
        return data
    }
}

/// Escaping for HTML built by hand or handed to Plot as raw: Plot escapes neither
/// attribute values nor an `&` that looks like an entity, so every string that reaches
/// a report goes through here.
enum HTMLEscape {
    /// Text or an attribute value (double- or single-quoted): & < > " ' escaped, NUL and
    /// other C0 controls (but tab, LF, CR) replaced, as HTML forbids them.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A relative link to a file named `name`: each path component percent-encoded.
    static func link(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#;")
        return path.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        }.joined(separator: "/")
    }
}

/// The runner's diagnostics, written to standard error by ``StandardError/write(_:)``, which never
/// traps (Foundation's `FileHandle.standardError.write` does, and a full stderr is no reason to lose a run).
public enum Diagnostics {
    /// An error in one line: a file-system error as "cannot write PATH: REASON" with the system's
    /// reason (a read-only volume, a full disk, a permission), not Foundation's error dump.
    public static func describe(_ given: Error) -> String {
        // Only Foundation's own file errors are rewritten; the runner's errors describe themselves.
        guard let error = given as? CocoaError else { return "\(given)" }
        let ns = error as NSError
        guard let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path else {
            return "\(given)"
        }
        let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError
        let reason = underlying.flatMap { $0.domain == NSPOSIXErrorDomain ? String(cString: strerror(Int32($0.code))) : nil }
            ?? ns.localizedDescription
        // Foundation's write errors are codes 512–767, read errors 256–511.
        return "cannot \((512..<768).contains(ns.code) ? "write" : "read") \(path): \(reason)"
    }
}

/// Text as a Swift string literal, for the code and the manifest the runner generates: quotes and
/// backslashes escaped, and control characters (a line break in a file's name, say) written as
/// escapes, which a literal cannot hold raw.
enum SwiftStringLiteral {
    static func of(_ text: String) -> String {
        var body = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": body += "\\\\"
            case "\"": body += "\\\""
            case "\n": body += "\\n"
            case "\r": body += "\\r"
            case "\t": body += "\\t"
            case _ where scalar.properties.generalCategory == .control: body += "\\u{\(String(scalar.value, radix: 16))}"
            default: body.unicodeScalars.append(scalar)
            }
        }
        return "\"" + body + "\""
    }
}
