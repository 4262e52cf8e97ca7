import Foundation
import JSONText
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes problem files: the JSON interchange format of `docs/conventions.md`.
///
/// ```json
/// { "kind": "sensing", "n": 8, "measurements": [[n·n numbers, row-major, symmetric], …],
///   "y": [m numbers], "planted": [n·n, optional], "flow": {"U0": [n·d, row-major], "T": 5000} }
/// { "kind": "completion", "rows": 3, "cols": 3, "symmetric": true, "entries": [[i, j, value], …] }
/// ```
/// Other fields (`name`, `reference`, …) are kept or ignored. The file must be strict JSON
/// (RFC 8259, UTF-8: no comments, trailing commas, NaN or duplicate fields), and its sizes within
/// ``ProblemSize``'s bound, checked before anything of that size is allocated. Every refusal is a
/// `ProblemFileError` naming the file and the line, and the field.
public enum ProblemFile {
    /// A measurement counts as symmetric when `|A_ij − A_ji| ≤ symmetryTolerance · max(1, max|A|)`.
    public static let symmetryTolerance = 1e-10

    /// The largest problem file read (4 GiB): more than any problem within ``ProblemSize`` needs.
    public static let maximumFileBytes = 4 << 30

    /// Reads the problem at `path`.
    public static func read(path: String) throws -> MeasurementProblem {
        try decode(Data(readBytes(path: path)), file: path)
    }

    /// The bytes of the file at `path`, refused (by ``ProblemFileError/unreadable(file:reason:)``)
    /// when it is missing, a directory, unreadable or larger than ``maximumFileBytes``: checked
    /// before anything is read.
    static func readBytes(path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ProblemFileError.unreadable(file: path, reason: systemReason(errno)) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw ProblemFileError.unreadable(file: path, reason: systemReason(errno)) }
        if status.st_mode & S_IFMT == S_IFDIR { throw ProblemFileError.unreadable(file: path, reason: "it is a directory, not a file") }
        if Int64(status.st_size) > Int64(maximumFileBytes) {
            throw ProblemFileError.unreadable(
                file: path, reason: "it has \(status.st_size) bytes, more than the \(maximumFileBytes >> 30) GiB a problem file may have")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProblemFileError.unreadable(file: path, reason: systemReason(errno))
            }
            if count == 0 { break }
            let wasEmpty = bytes.isEmpty
            bytes += buffer[0..<count]
            // A stream that does not start like JSON (/dev/zero, a binary file) is refused by the
            // parser at its first byte: no need to read gigabytes of it first.
            if wasEmpty, let first = bytes.drop(while: { [0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }).first,
               !Array("{[\"-0123456789tfn".utf8).contains(first) {
                break
            }
            if bytes.count > maximumFileBytes {
                throw ProblemFileError.unreadable(file: path, reason: "it is larger than the \(maximumFileBytes >> 30) GiB a problem file may have")
            }
        }
        return bytes
    }

    static func systemReason(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        case EISDIR: "it is a directory, not a file"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    /// Decodes a problem from JSON (strict RFC 8259, UTF-8); `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> MeasurementProblem {
        let document: StrictJSON.Value
        do {
            document = try StrictJSON.parse(Array(data))
        } catch let error as StrictJSON.SyntaxError {
            throw ProblemFileError.malformedJSON(file: file, line: error.line, column: error.column, detail: error.message)
        }
        guard case let .object(root) = document else {
            throw ProblemFileError.invalidValue(
                file: file, line: document.line, field: "(top level)", reason: "must be a JSON object {…}, got \(document.kindDescription)")
        }
        let fields = Fields(file: file)
        let kind = try fields.string(root, "kind", required: true)!
        let name = try fields.string(root, "name", required: false)
        switch kind {
        case "sensing": return try fields.sensing(root, name: name)
        case "completion": return try fields.completion(root, name: name)
        default:
            throw ProblemFileError.invalidValue(
                file: file, line: root["kind"]!.line, field: "kind", reason: "must be \"sensing\" or \"completion\", got \(jsonString(kind))")
        }
    }

    // MARK: - The file's fields

    /// Reads fields out of the parsed document, refusing each wrong one by file, line and name.
    private struct Fields {
        let file: String

        func refuse(_ value: StrictJSON.Value, _ field: String, _ reason: String) -> ProblemFileError {
            .invalidValue(file: file, line: value.line, field: field, reason: reason)
        }

        /// `object[key]`, nil when absent or null (unless required).
        func member(_ object: StrictJSON.Object, _ key: String, field: String, required: Bool) throws -> StrictJSON.Value? {
            switch object[key] {
            case nil, .null?:
                if required { throw ProblemFileError.missingField(file: file, line: object.line, field: field) }
                return nil
            case let value?: return value
            }
        }

        func string(_ object: StrictJSON.Object, _ key: String, required: Bool) throws -> String? {
            guard let value = try member(object, key, field: key, required: required) else { return nil }
            guard case let .string(text, _) = value else { throw refuse(value, key, "must be a string, got \(value.kindDescription)") }
            return text
        }

        func bool(_ object: StrictJSON.Object, _ key: String) throws -> Bool? {
            guard let value = try member(object, key, field: key, required: false) else { return nil }
            guard case let .bool(flag, _) = value else { throw refuse(value, key, "must be true or false, got \(value.kindDescription)") }
            return flag
        }

        func number(_ value: StrictJSON.Value, _ field: String) throws -> Double {
            guard case let .number(x, _) = value else { throw refuse(value, field, "must be a number, got \(value.kindDescription)") }
            return x
        }

        func numbers(_ value: StrictJSON.Value, _ field: String) throws -> [Double] {
            switch value {
            case let .numbers(xs, _): return xs
            case let .array(elements, _):
                let k = elements.firstIndex { if case .number = $0 { false } else { true } }!
                throw refuse(value, field, "must be an array of numbers, but \(field)[\(k)] is \(elements[k].kindDescription)")
            default: throw refuse(value, field, "must be an array of numbers, got \(value.kindDescription)")
            }
        }

        func arrays(_ value: StrictJSON.Value, _ field: String, of what: String) throws -> [StrictJSON.Value] {
            switch value {
            case .numbers([], _): return []
            case let .array(elements, _): return elements
            case .numbers: throw refuse(value, field, "must be an array of \(what), got an array of numbers")
            default: throw refuse(value, field, "must be an array of \(what), got \(value.kindDescription)")
            }
        }

        /// A size field (`n`, `rows`, `cols`): a whole number from 1 up to ``ProblemSize/maximumDimension``,
        /// checked before it is converted to an integer or used.
        func dimension(_ object: StrictJSON.Object, _ key: String) throws -> Int {
            let value = try member(object, key, field: key, required: true)!
            let x = try number(value, key)
            guard x == x.rounded() else { throw refuse(value, key, "must be a whole number, got \(x)") }
            guard x >= 1 else { throw refuse(value, key, "must be at least 1, got \(ProblemSize.format(x))") }
            if ProblemSize.dimensionRefusal(x) != nil {
                throw refuse(value, key, "is \(ProblemSize.format(x)): an n × n matrix would take \(ProblemSize.bytes(x * x)), beyond \(ProblemSize.boundDescription) (at most \(ProblemSize.maximumDimension))")
            }
            return Int(x)
        }

        func sensing(_ root: StrictJSON.Object, name: String?) throws -> MeasurementProblem {
            let n = try dimension(root, "n")
            let measurementsValue = try member(root, "measurements", field: "measurements", required: true)!
            let rows = try arrays(measurementsValue, "measurements", of: "measurements (each an array of n·n numbers)")
            guard !rows.isEmpty else { throw refuse(measurementsValue, "measurements", "must hold at least one measurement") }
            let yValue = try member(root, "y", field: "y", required: true)!
            let y = try numbers(yValue, "y")
            guard y.count == rows.count else {
                throw refuse(yValue, "y", "has \(y.count) numbers but there are \(rows.count) measurements")
            }
            // Every size is checked before the operator (m × n(n+1)/2) is allocated.
            for (i, row) in rows.enumerated() {
                let field = "measurements[\(i)]"
                let count = try numbers(row, field).count
                guard count == n * n else { throw refuse(row, field, "has \(count) numbers; n·n = \(n * n)") }
            }
            if let reason = ProblemSize.sensingRefusal(dimension: Double(n), measurements: Double(rows.count)) {
                throw refuse(measurementsValue, "measurements", "is too large: \(reason)")
            }
            var packed = Matrix(rows: rows.count, columns: SymmetricPacking.packedCount(n))
            for (i, row) in rows.enumerated() {
                let field = "measurements[\(i)]"
                let values = try numbers(row, field)
                let a = Matrix(rows: n, columns: n, rowMajor: values)
                let scale = max(1, values.reduce(0) { max($0, abs($1)) })
                let asymmetry = a.asymmetry
                if asymmetry > symmetryTolerance * scale {
                    throw refuse(row, field, "is not symmetric (max |A_ij − A_ji| = \(asymmetry))")
                }
                let packedRow = SymmetricPacking.pack(a)
                for k in packedRow.indices { packed[i, k] = packedRow[k] }
            }
            var plantedMatrix: Matrix?
            if let plantedValue = try member(root, "planted", field: "planted", required: false) {
                let planted = try numbers(plantedValue, "planted")
                guard planted.count == n * n else {
                    throw refuse(plantedValue, "planted", "has \(planted.count) numbers; n·n = \(n * n)")
                }
                plantedMatrix = Matrix(rows: n, columns: n, rowMajor: planted)
            }
            return MeasurementProblem(
                name: name, kind: .sensing, measurements: SymmetricMeasurements(dimension: n, packed: packed),
                observations: y, planted: plantedMatrix, flow: try flowSetting(root, n: n))
        }

        func flowSetting(_ root: StrictJSON.Object, n: Int) throws -> MeasurementProblem.FlowSetting? {
            guard let flowValue = try member(root, "flow", field: "flow", required: false) else { return nil }
            guard case let .object(flow) = flowValue else { throw refuse(flowValue, "flow", "must be an object {\"U0\": […], \"T\": …}, got \(flowValue.kindDescription)") }
            let u0Value = try member(flow, "U0", field: "flow.U0", required: true)!
            let u0 = try numbers(u0Value, "flow.U0")
            guard !u0.isEmpty, u0.count % n == 0 else {
                throw refuse(u0Value, "flow.U0", "has \(u0.count) numbers, not a positive multiple of n = \(n)")
            }
            let horizonValue = try member(flow, "T", field: "flow.T", required: true)!
            let horizon = try number(horizonValue, "flow.T")
            guard horizon > 0 else { throw refuse(horizonValue, "flow.T", "must be positive, got \(horizon)") }
            return .init(initialFactor: Matrix(rows: n, columns: u0.count / n, rowMajor: u0), horizon: horizon)
        }

        func completion(_ root: StrictJSON.Object, name: String?) throws -> MeasurementProblem {
            let rows = try dimension(root, "rows")
            let cols = try dimension(root, "cols")
            if let symmetric = try bool(root, "symmetric"), !symmetric {
                throw refuse(root["symmetric"]!, "symmetric", "is false: only symmetric completion (a PSD X = UUᵀ) is supported here; rectangular completion is MovieLens's")
            }
            guard rows == cols else {
                throw refuse(root["cols"]!, "cols", "must equal rows in a symmetric problem, got rows = \(rows) and cols = \(cols)")
            }
            let entriesValue = try member(root, "entries", field: "entries", required: true)!
            let entries = try arrays(entriesValue, "entries", of: "[row, column, value] triples")
            guard !entries.isEmpty else { throw refuse(entriesValue, "entries", "must hold at least one entry") }
            var seen: [Int: Int] = [:]
            var observed: [ObservedEntries.Entry] = []
            observed.reserveCapacity(entries.count)
            for (k, tripleValue) in entries.enumerated() {
                let field = "entries[\(k)]"
                let triple: [Double]
                do {
                    triple = try numbers(tripleValue, field)
                } catch {
                    throw refuse(tripleValue, field, "must be [row, column, value] (three numbers), got \(tripleValue.kindDescription)")
                }
                guard triple.count == 3 else {
                    throw refuse(tripleValue, field, "must be [row, column, value], got \(triple.count) numbers")
                }
                let (i, j) = (triple[0], triple[1])
                // Compared as Float64 first: an index like 1e20 is refused, never converted.
                guard i == i.rounded(), j == j.rounded(), i >= 0, j >= 0, i < Double(rows), j < Double(cols) else {
                    throw refuse(
                        tripleValue, field,
                        "has indices (\(ProblemSize.format(i)), \(ProblemSize.format(j))); they must be whole numbers in 0…\(rows - 1)")
                }
                let (r, c) = (min(Int(i), Int(j)), max(Int(i), Int(j)))
                if let earlier = seen[r * cols + c] {
                    throw refuse(tripleValue, field, "observes entry (\(r), \(c)) again (entries[\(earlier)] observes it first)")
                }
                seen[r * cols + c] = k
                observed.append(.init(row: r, column: c, value: triple[2]))
            }
            return MeasurementProblem(name: name, dimension: rows, completionEntries: observed)
        }
    }

    // MARK: - Writing

    /// The problem as a JSON problem file: a sensing problem's measurements row-major in full, one
    /// per line; a completion problem's entries as `[i, j, value]`; then the `extra` members (the
    /// generator's parameters, say). Numbers and strings as the project's JSON writer writes them
    /// (``JSONValue``: shortest round-trip form), so a file read back is bit-identical.
    public static func encode(_ problem: MeasurementProblem, extra: [JSONValue.Member] = []) -> String {
        var out = "{"
        if let name = problem.name { out += "\"name\": \(jsonString(name)), " }
        switch problem.kind {
        case .sensing:
            out += "\"kind\": \"sensing\", \"n\": \(problem.dimension),\n\"measurements\": [\n"
            for i in 0..<problem.count {
                out += "[" + numbers(problem.measurements.matrix(i).rowMajorElements) + "]"
                out += i + 1 < problem.count ? ",\n" : "\n"
            }
            out += "],\n\"y\": [" + numbers(problem.observations) + "]"
            if let planted = problem.planted { out += ",\n\"planted\": [" + numbers(planted.rowMajorElements) + "]" }
        case .completion:
            let entries = problem.entries?.map { "[\($0.row), \($0.column), \($0.value)]" } ?? []
            out += "\"kind\": \"completion\", \"rows\": \(problem.dimension), \"cols\": \(problem.dimension), \"symmetric\": true,\n"
            out += "\"entries\": [" + entries.joined(separator: ", ") + "]"
        }
        for member in extra { out += ",\n\(jsonString(member.key)): \(member.value.text())" }
        return out + "}\n"
    }

    /// Numbers as the project's JSON writer writes them (``JSONValue``: shortest round-trip form).
    private static func numbers(_ values: [Double]) -> String {
        values.map { JSONValue.number($0).text() }.joined(separator: ", ")
    }

    static func jsonString(_ s: String) -> String { JSONValue.quoted(s) }
}
