import Foundation
import LinearAlgebra

/// Reads and writes problem files: the JSON interchange format of `../shared/SPEC.md`.
///
/// ```json
/// { "kind": "sensing", "n": 8, "measurements": [[n·n numbers, row-major, symmetric], …],
///   "y": [m numbers], "planted": [n·n, optional], "flow": {"U0": [n·d, row-major], "T": 5000} }
/// { "kind": "completion", "rows": 3, "cols": 3, "symmetric": true, "entries": [[i, j, value], …] }
/// ```
/// Other fields (`name`, `reference`, …) are kept or ignored. Every refusal is a
/// `ProblemFileError` naming the file and the field.
public enum ProblemFile {
    /// A measurement counts as symmetric when `|A_ij − A_ji| ≤ symmetryTolerance · max(1, max|A|)`.
    public static let symmetryTolerance = 1e-10

    /// Reads the problem at `path`.
    public static func read(path: String) throws -> MeasurementProblem {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file"
            throw ProblemFileError.unreadable(file: path, reason: reason)
        }
        return try decode(data, file: path)
    }

    /// Decodes a problem from JSON; `file` names it in errors.
    public static func decode(_ data: Data, file: String) throws -> MeasurementProblem {
        let decoder = JSONDecoder()
        // Python's json writes bare NaN and Infinity; decoded as numbers, they are refused by name below.
        decoder.allowsJSON5 = true
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let contents: Contents
        do {
            contents = try decoder.decode(Contents.self, from: data)
        } catch let error as DecodingError {
            if let syntax = JSONSyntaxLocator.firstError(in: Array(data)) {
                throw ProblemFileError.malformedJSON(
                    file: file, detail: "line \(syntax.line), column \(syntax.column): expected \(syntax.expected)")
            }
            throw translate(error, file: file)
        }
        return try contents.problem(file: file)
    }

    private static func translate(_ error: DecodingError, file: String) -> ProblemFileError {
        switch error {
        case let .keyNotFound(key, context):
            return .missingField(file: file, field: fieldName(context.codingPath + [key]))
        case let .typeMismatch(type, context), let .valueNotFound(type, context):
            return .wrongType(file: file, field: fieldName(context.codingPath), expected: typeName(type))
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
                return .malformedJSON(file: file, detail: underlying ?? context.debugDescription)
            }
            return .invalidValue(file: file, field: fieldName(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .malformedJSON(file: file, detail: "\(error)")
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is [Double].Type: "a number"
        case is Int.Type: "an integer"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        default: "of type \(type)"
        }
    }

    static func fieldName(_ path: [CodingKey]) -> String {
        var name = ""
        for key in path {
            if let index = key.intValue {
                name += "[\(index)]"
            } else {
                name += name.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return name
    }

    // MARK: - The file's fields

    struct Contents: Decodable {
        var name: String?
        var kind: String
        var n: Int?
        var measurements: [[Double]]?
        var y: [Double]?
        var planted: [Double]?
        var flow: Flow?
        var rows: Int?
        var cols: Int?
        var symmetric: Bool?
        var entries: [[Double]]?

        struct Flow: Decodable {
            var U0: [Double]?
            var T: Double?
        }

        func problem(file: String) throws -> MeasurementProblem {
            switch kind {
            case "sensing": return try sensing(file: file)
            case "completion": return try completion(file: file)
            default:
                throw ProblemFileError.invalidValue(file: file, field: "kind", reason: "\"\(kind)\" is neither \"sensing\" nor \"completion\"")
            }
        }

        private func sensing(file: String) throws -> MeasurementProblem {
            guard let n else { throw ProblemFileError.missingField(file: file, field: "n") }
            guard n >= 1 else { throw ProblemFileError.invalidValue(file: file, field: "n", reason: "must be at least 1, got \(n)") }
            guard let measurements else { throw ProblemFileError.missingField(file: file, field: "measurements") }
            guard !measurements.isEmpty else {
                throw ProblemFileError.invalidValue(file: file, field: "measurements", reason: "needs at least one measurement")
            }
            guard let y else { throw ProblemFileError.missingField(file: file, field: "y") }
            guard y.count == measurements.count else {
                throw ProblemFileError.invalidValue(
                    file: file, field: "y", reason: "has \(y.count) entries but there are \(measurements.count) measurements")
            }
            try requireFinite(y, field: "y", file: file)
            var matrices: [Matrix] = []
            matrices.reserveCapacity(measurements.count)
            for (i, values) in measurements.enumerated() {
                let field = "measurements[\(i)]"
                guard values.count == n * n else {
                    throw ProblemFileError.invalidValue(file: file, field: field, reason: "has \(values.count) entries; n·n = \(n * n)")
                }
                try requireFinite(values, field: field, file: file)
                let a = Matrix(rows: n, columns: n, rowMajor: values)
                let scale = max(1, values.reduce(0) { max($0, abs($1)) })
                let asymmetry = a.asymmetry
                if asymmetry > symmetryTolerance * scale {
                    throw ProblemFileError.invalidValue(
                        file: file, field: field, reason: "is not symmetric (max |A_ij − A_ji| = \(asymmetry))")
                }
                matrices.append(a)
            }
            var plantedMatrix: Matrix?
            if let planted {
                guard planted.count == n * n else {
                    throw ProblemFileError.invalidValue(file: file, field: "planted", reason: "has \(planted.count) entries; n·n = \(n * n)")
                }
                try requireFinite(planted, field: "planted", file: file)
                plantedMatrix = Matrix(rows: n, columns: n, rowMajor: planted)
            }
            return MeasurementProblem(
                name: name, kind: .sensing, measurements: SymmetricMeasurements(dimension: n, matrices: matrices),
                observations: y, planted: plantedMatrix, flow: try flowSetting(n: n, file: file))
        }

        private func flowSetting(n: Int, file: String) throws -> MeasurementProblem.FlowSetting? {
            guard let flow else { return nil }
            guard let u0 = flow.U0 else { throw ProblemFileError.missingField(file: file, field: "flow.U0") }
            guard !u0.isEmpty, u0.count % n == 0 else {
                throw ProblemFileError.invalidValue(file: file, field: "flow.U0", reason: "has \(u0.count) entries, not a multiple of n = \(n)")
            }
            try requireFinite(u0, field: "flow.U0", file: file)
            guard let horizon = flow.T else { throw ProblemFileError.missingField(file: file, field: "flow.T") }
            guard horizon.isFinite, horizon > 0 else {
                throw ProblemFileError.invalidValue(file: file, field: "flow.T", reason: "must be a positive number, got \(horizon)")
            }
            return .init(initialFactor: Matrix(rows: n, columns: u0.count / n, rowMajor: u0), horizon: horizon)
        }

        private func completion(file: String) throws -> MeasurementProblem {
            guard let rows else { throw ProblemFileError.missingField(file: file, field: "rows") }
            guard let cols else { throw ProblemFileError.missingField(file: file, field: "cols") }
            guard rows >= 1, cols >= 1 else {
                throw ProblemFileError.invalidValue(file: file, field: rows < 1 ? "rows" : "cols", reason: "must be at least 1")
            }
            guard symmetric ?? (rows == cols) else {
                throw ProblemFileError.invalidValue(
                    file: file, field: "symmetric", reason: "only symmetric completion (a PSD X = UUᵀ) is supported here; rectangular completion is MovieLens's")
            }
            guard rows == cols else {
                throw ProblemFileError.invalidValue(file: file, field: "cols", reason: "a symmetric problem needs rows = cols, got \(rows) and \(cols)")
            }
            guard let entries else { throw ProblemFileError.missingField(file: file, field: "entries") }
            guard !entries.isEmpty else { throw ProblemFileError.invalidValue(file: file, field: "entries", reason: "needs at least one entry") }
            var seen: [Int: Int] = [:]
            var observed: [MeasurementProblem.ObservedEntry] = []
            for (k, triple) in entries.enumerated() {
                let field = "entries[\(k)]"
                guard triple.count == 3 else {
                    throw ProblemFileError.invalidValue(file: file, field: field, reason: "must be [row, column, value]")
                }
                let (i, j) = (triple[0], triple[1])
                guard i == i.rounded(), j == j.rounded(), i >= 0, j >= 0, Int(i) < rows, Int(j) < cols else {
                    throw ProblemFileError.invalidValue(
                        file: file, field: field, reason: "indices (\(i), \(j)) must be integers in 0..<\(rows) and 0..<\(cols)")
                }
                guard triple[2].isFinite else {
                    throw ProblemFileError.invalidValue(file: file, field: field, reason: "value is \(triple[2]), not a finite number")
                }
                let (r, c) = (min(Int(i), Int(j)), max(Int(i), Int(j)))
                if let earlier = seen[r * cols + c] {
                    throw ProblemFileError.invalidValue(file: file, field: field, reason: "entry (\(r), \(c)) is already observed by entries[\(earlier)]")
                }
                seen[r * cols + c] = k
                observed.append(.init(row: r, column: c, value: triple[2]))
            }
            return MeasurementProblem(name: name, dimension: rows, completionEntries: observed)
        }

        private func requireFinite(_ values: [Double], field: String, file: String) throws {
            if let k = values.firstIndex(where: { !$0.isFinite }) {
                throw ProblemFileError.invalidValue(file: file, field: "\(field)[\(k)]", reason: "is \(values[k]), not a finite number")
            }
        }
    }

    // MARK: - Writing

    /// The problem as a JSON problem file (sensing only; measurements row-major in full).
    /// Numbers are written in Swift's shortest round-trip form, so a file read back is bit-identical.
    public static func encode(_ problem: MeasurementProblem, extra: [(String, String)] = []) -> String {
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
            let entries = (problem.entries ?? []).map { "[\($0.row), \($0.column), \($0.value)]" }
            out += "\"kind\": \"completion\", \"rows\": \(problem.dimension), \"cols\": \(problem.dimension), \"symmetric\": true,\n"
            out += "\"entries\": [" + entries.joined(separator: ", ") + "]"
        }
        for (key, json) in extra { out += ",\n\(jsonString(key)): \(json)" }
        return out + "}\n"
    }

    private static func numbers(_ values: [Double]) -> String {
        values.map { "\($0)" }.joined(separator: ", ")
    }

    static func jsonString(_ s: String) -> String {
        let data = try! JSONEncoder().encode(s)
        return String(decoding: data, as: UTF8.self)
    }
}
