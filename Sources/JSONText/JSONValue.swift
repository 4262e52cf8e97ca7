/// A JSON value whose objects keep their members in the order they were written: the one JSON
/// writer of the project, for the texts whose layout a reader depends on (`factorize`'s reports,
/// whose keys read top to bottom; the notebook export, laid out as nbformat writes it; problem
/// files). Codable types that need no layout go through `JSONEncoder` instead.
///
/// ```swift
/// let report: JSONValue = ["status": "solved", "gap": .number(1e-9), "x": [1, 2]]
/// report.text()                                   // {"status": "solved", "gap": 1e-09, "x": [1, 2]}
/// report.text(layout: .indented(1), sortedKeys: true)
/// ```
///
/// Numbers are written in Swift's shortest round-trip form (what Python's `repr` writes too), so a
/// number read back is the same `Double`; NaN and ±∞, which JSON cannot hold, are written `null`.
/// Strings escape `"`, `\` and the control characters below U+0020 (`\n`, `\r`, `\t`, `\b`, `\f`,
/// else `\u00XX`) and nothing else, as Python's `json.dumps(ensure_ascii=False)` does.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    /// An unsigned integer, for values beyond `Int`'s range (a 64-bit seed).
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(_ key: String, _ value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// How the text is laid out.
    public enum Layout: Sendable, Equatable {
        /// One line: `{"a": 1, "b": [1, 2]}` (", " between items, ": " after a key).
        case line
        /// Python's `json.dumps(indent: k)`: each member and element on a line of its own, indented by
        /// `k` spaces a level, "," at line ends and ": " after a key; an empty container as `{}` or `[]`.
        case indented(Int)
    }

    /// The value's JSON text; `sortedKeys` orders every object's members by their keys' Unicode
    /// scalars (Python's `sort_keys=True`) rather than as written.
    public func text(layout: Layout = .line, sortedKeys: Bool = false) -> String {
        var text = ""
        write(to: &text, layout: layout, sortedKeys: sortedKeys, level: 0)
        return text
    }

    /// `string` as a JSON string literal, quotes included.
    public static func quoted(_ string: String) -> String {
        var text = ""
        writeString(string, to: &text)
        return text
    }

    /// The member `key` of an object (the first, if written twice); setting it replaces that member's
    /// value or appends a member. Nil for a value that is not an object, where setting does nothing.
    public subscript(key: String) -> JSONValue? {
        get {
            guard case let .object(members) = self else { return nil }
            return members.first { $0.key == key }?.value
        }
        set {
            guard case var .object(members) = self else { return }
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key, newValue))
            }
            self = .object(members)
        }
    }

    private func write(to text: inout String, layout: Layout, sortedKeys: Bool, level: Int) {
        switch self {
        case .null: text += "null"
        case let .bool(flag): text += flag ? "true" : "false"
        case let .integer(integer): text += String(integer)
        case let .unsigned(integer): text += String(integer)
        case let .number(real): text += real.isFinite ? "\(real)" : "null"
        case let .string(string): Self.writeString(string, to: &text)
        case let .array(elements):
            Self.writeContainer(elements, open: "[", close: "]", to: &text, layout: layout, level: level) { element, text in
                element.write(to: &text, layout: layout, sortedKeys: sortedKeys, level: level + 1)
            }
        case let .object(members):
            let ordered = sortedKeys ? members.sorted { $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) } : members
            Self.writeContainer(ordered, open: "{", close: "}", to: &text, layout: layout, level: level) { member, text in
                Self.writeString(member.key, to: &text)
                text += ": "
                member.value.write(to: &text, layout: layout, sortedKeys: sortedKeys, level: level + 1)
            }
        }
    }

    private static func writeContainer<Item>(
        _ items: [Item], open: String, close: String, to text: inout String, layout: Layout, level: Int,
        _ writeItem: (Item, inout String) -> Void
    ) {
        guard !items.isEmpty else { text += open + close; return }
        switch layout {
        case .line:
            text += open
            for (position, item) in items.enumerated() {
                if position > 0 { text += ", " }
                writeItem(item, &text)
            }
            text += close
        case let .indented(width):
            let inner = String(repeating: " ", count: width * (level + 1))
            text += open + "\n"
            for (position, item) in items.enumerated() {
                text += inner
                writeItem(item, &text)
                text += position == items.count - 1 ? "\n" : ",\n"
            }
            text += String(repeating: " ", count: width * level) + close
        }
    }

    private static func writeString(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// An object with the members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { Member($0.0, $0.1) }) }
}

extension JSONValue {
    /// `value`, or `null` where it is nil.
    public init(_ value: String?) { self = value.map { .string($0) } ?? .null }
    public init(_ value: Int?) { self = value.map { .integer($0) } ?? .null }
    public init(_ value: Double?) { self = value.map { .number($0) } ?? .null }
    /// An array of numbers.
    public init(numbers: [Double]) { self = .array(numbers.map { .number($0) }) }
    /// An array of strings.
    public init(strings: [String]) { self = .array(strings.map { .string($0) }) }
}
