import Foundation

extension Table {
    /// A table whose rows are values of a `Codable` type, so that a library can hand a notebook its
    /// rows without knowing about tables.
    ///
    /// ```swift
    /// struct Run: Codable { var d: Int; var reconstructionError: Double; var status: String }
    /// Table("runs", rows: runs).emit()     // columns d, reconstruction_error, status
    /// ```
    ///
    /// One column per coding key of `Row`, in encoding order (a synthesized conformance encodes the
    /// stored properties in declaration order). A key is written in snake case: an upper-case
    /// letter after a lower-case letter or digit starts a new word (`flowLambda3OverLambda1` →
    /// `flow_lambda3_over_lambda1`, `xgdError` → `xgd_error`); a key already in snake case stays
    /// itself. A nested keyed value adds the columns `outer_inner`; a value that encodes a single
    /// value (a `RawRepresentable` enum, say) is one cell. Cells are formatted as ``append(_:file:line:)``
    /// formats them: a `Double` in Swift's shortest round-trip form (`NaN`, `Inf`, `-Inf`), an
    /// integer in decimal, a `String` with tabs and line ends made spaces, a `Bool` as 1 or 0.
    ///
    /// With no rows, the columns come from a probe of `Row`'s `Decodable` conformance, which
    /// answers every key with 0, "" or false: a row type whose properties are numbers, strings,
    /// booleans or structs of those probes; one with an enum or a custom decoding that rejects
    /// those answers stops the program with a message naming the type and the key.
    public init<Row: Codable>(_ name: String, rows: [Row], file: StaticString = #file, line: UInt = #line) {
        var columns: [String]?
        var cells: [[String]] = []
        cells.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            let encoder = TableRowEncoder()
            do {
                try row.encode(to: encoder)
            } catch {
                fatalError("table '\(name)': row \(index + 1) of \(Row.self) does not encode: \(encoder.sink.failure ?? "\(error)")", file: file, line: line)
            }
            if let failure = encoder.sink.failure {
                fatalError("table '\(name)': row \(index + 1) of \(Row.self) does not encode: \(failure)", file: file, line: line)
            }
            let keys = encoder.sink.cells.map(\.column)
            if let columns, columns != keys {
                fatalError("table '\(name)': row \(index + 1) of \(Row.self) has the columns \(keys.joined(separator: ", ")), the first row \(columns.joined(separator: ", "))", file: file, line: line)
            }
            columns = keys
            cells.append(encoder.sink.cells.map(\.cell))
        }
        if columns == nil {
            let probe = TableColumnProbe()
            do {
                _ = try Row(from: probe)
            } catch {
                fatalError("table '\(name)' has no rows, and the columns of \(Row.self) cannot be probed (\(error)): give it number, string and boolean properties, or emit a Table(_:columns:)", file: file, line: line)
            }
            columns = probe.columns.columns
        }
        self.init(name, columns: columns ?? [])
        self.rows = cells
    }

    /// A coding key as a column name: snake case, as ``init(_:rows:file:line:)`` documents.
    public static func columnName(_ key: String) -> String {
        var name = ""
        var previous: Character?
        for character in key {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber {
                name.append("_")
            }
            name.append(contentsOf: character.lowercased())
            previous = character
        }
        return name
    }
}

/// The (column, cell) pairs of one row, in encoding order, and the first thing of the row that has
/// no cell: an array opens its container before it encodes anything (an empty one encodes nothing
/// at all), so the failure is recorded when the container is asked for, not left to its elements.
private final class TableRowCells {
    var cells: [(column: String, cell: String)] = []
    var failure: String?

    /// An unkeyed container for the value at `codingPath`, with the failure recorded.
    func arrayContainer(codingPath: [any CodingKey]) -> any UnkeyedEncodingContainer {
        if failure == nil {
            let path = codingPath.map(\.stringValue).joined(separator: ".")
            failure = "\(path.isEmpty ? "the row" : "'\(path)'") is an array, and a table cell cannot hold one: give each element a column, or a row"
        }
        return TableRowEncoder.Unsupported(codingPath: codingPath)
    }
}

/// An `Encoder` that writes one row: each keyed value a (column, cell) pair, in encoding order.
private struct TableRowEncoder: Encoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let sink: TableRowCells
    /// The column a value encoded here is written under, and the prefix of its nested columns;
    /// `nil` at the row itself.
    let prefix: String?

    init(sink: TableRowCells = TableRowCells(), prefix: String? = nil, codingPath: [any CodingKey] = []) {
        self.sink = sink
        self.prefix = prefix
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        sink.arrayContainer(codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(encoder: self)
    }

    /// The cell of a value that is one: a number, a string or a boolean.
    static func cell(_ value: some Encodable) -> String? {
        switch value {
        case let v as Double: v.tableCell
        case let v as Float: v.tableCell
        case let v as String: v.tableCell
        case let v as Bool: v.tableCell
        case let v as any BinaryInteger: String(describing: v)
        default: nil
        }
    }

    /// Writes `value` under `column`: one cell, or the columns of a nested value prefixed by `column`.
    func write(_ value: some Encodable, column: String, key: (any CodingKey)?) throws {
        if let cell = Self.cell(value) {
            sink.cells.append((column, cell))
        } else {
            try value.encode(to: TableRowEncoder(sink: sink, prefix: column, codingPath: codingPath + (key.map { [$0] } ?? [])))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let encoder: TableRowEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        func column(_ key: Key) -> String {
            let name = Table.columnName(key.stringValue)
            return encoder.prefix.map { "\($0)_\(name)" } ?? name
        }

        mutating func encodeNil(forKey key: Key) throws {
            throw EncodingError.invalidValue(
                Optional<Int>.none as Any,
                .init(codingPath: codingPath + [key], debugDescription: "a table cell cannot be nil: give the row a value (NaN, \"none\")"))
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try encoder.write(value, column: column(key), key: key)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(encoder: TableRowEncoder(sink: encoder.sink, prefix: column(key), codingPath: codingPath + [key])))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            encoder.sink.arrayContainer(codingPath: codingPath + [key])
        }

        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            TableRowEncoder(sink: encoder.sink, prefix: column(key), codingPath: codingPath + [key])
        }
    }

    struct Single: SingleValueEncodingContainer {
        let encoder: TableRowEncoder
        var codingPath: [any CodingKey] { encoder.codingPath }

        mutating func encodeNil() throws {
            throw EncodingError.invalidValue(
                Optional<Int>.none as Any, .init(codingPath: codingPath, debugDescription: "a table cell cannot be nil: give the row a value (NaN, \"none\")"))
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            guard let column = encoder.prefix else {
                throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "a table row is a keyed value (a struct), not a single value"))
            }
            try encoder.write(value, column: column, key: nil)
        }
    }

    /// Arrays have no cell: each of their elements wants a column, or a row. The failure is recorded
    /// when the container is made (``TableRowCells/arrayContainer(codingPath:)``); what is encoded into
    /// it throws, or goes to a sink that no row reads.
    struct Unsupported: UnkeyedEncodingContainer {
        let codingPath: [any CodingKey]
        var count: Int { 0 }

        func failure() -> EncodingError {
            EncodingError.invalidValue([Int](), .init(codingPath: codingPath, debugDescription: "a table cell cannot hold an array: give each element a column, or a row"))
        }
        mutating func encodeNil() throws { throw failure() }
        mutating func encode<T: Encodable>(_ value: T) throws { throw failure() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(encoder: TableRowEncoder(prefix: "unsupported", codingPath: codingPath)))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { self }
        mutating func superEncoder() -> any Encoder { TableRowEncoder(prefix: "unsupported", codingPath: codingPath) }
    }
}

/// A `Decoder` that learns a row type's columns without a row: it answers every key with 0, ""
/// or false (and nested values alike) and records the keys in the order they are asked for.
private struct TableColumnProbe: Decoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let columns: TableColumnList
    let prefix: String?

    init(columns: TableColumnList = TableColumnList(), prefix: String? = nil, codingPath: [any CodingKey] = []) {
        self.columns = columns
        self.prefix = prefix
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(probe: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch([Int].self, .init(codingPath: codingPath, debugDescription: "a table cell cannot hold an array"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard let prefix else {
            throw DecodingError.typeMismatch(Self.self, .init(codingPath: codingPath, debugDescription: "a table row is a keyed value (a struct), not a single value"))
        }
        return Single(probe: self, column: prefix)
    }

    /// The neutral value of a cell type, or `nil` for a value with columns of its own.
    static func neutral<T>(_ type: T.Type) -> T? {
        switch type {
        case is Double.Type: 0.0 as? T
        case is Float.Type: Float(0) as? T
        case is String.Type: "" as? T
        case is Bool.Type: false as? T
        case let integer as any BinaryInteger.Type: integer.init(0) as? T
        default: nil
        }
    }

    /// Records `column` and answers its value.
    func read<T: Decodable>(_ type: T.Type, column: String, key: (any CodingKey)?) throws -> T {
        if let value = Self.neutral(type) {
            columns.columns.append(column)
            return value
        }
        return try T(from: TableColumnProbe(columns: columns, prefix: column, codingPath: codingPath + (key.map { [$0] } ?? [])))
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let probe: TableColumnProbe
        var codingPath: [any CodingKey] { probe.codingPath }
        var allKeys: [Key] { [] }

        func column(_ key: Key) -> String {
            let name = Table.columnName(key.stringValue)
            return probe.prefix.map { "\($0)_\(name)" } ?? name
        }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try probe.read(type, column: column(key), key: key)
        }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            KeyedDecodingContainer(Keyed<NestedKey>(probe: TableColumnProbe(columns: probe.columns, prefix: column(key), codingPath: codingPath + [key])))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try TableColumnProbe(codingPath: codingPath + [key]).unkeyedContainer()
        }
        func superDecoder() throws -> any Decoder { probe }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            TableColumnProbe(columns: probe.columns, prefix: column(key), codingPath: codingPath + [key])
        }
    }

    struct Single: SingleValueDecodingContainer {
        let probe: TableColumnProbe
        let column: String
        var codingPath: [any CodingKey] { probe.codingPath }

        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            guard let value = TableColumnProbe.neutral(type) else {
                throw DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "a single value of \(type) has no neutral cell"))
            }
            probe.columns.columns.append(column)
            return value
        }
    }
}

/// The columns a probe has recorded, in order.
private final class TableColumnList {
    var columns: [String] = []
}
