import Foundation

/// Why a worker will not compute from a plan: it cannot be read, it is of a kind this program does not
/// know, it was made for another executable (the program was rebuilt since) or another version of
/// the computation, or its keys are not the ones this program makes of its inputs.
public struct WorkerPlanRefusal: Error, CustomStringConvertible {
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The one entry of every Slurm worker (`factorize worker PLAN --task N`, and a notebook program's
/// `notebook_kernel_worker`): reads the plan's `format` and hands the task to the plan of that kind —
/// ``ExhaustiveSearch/WorkerPlan`` (a chunk of an exhaustive search) or ``FactorizationSweep/WorkerPlan``
/// (a unit of Figure 1's sweep). Each kind checks the program digest and its own keys before it computes.
public enum WorkerPlanDispatch {
    /// The plan kinds there are, by their `format` line.
    public static let formats = [ExhaustiveSearch.WorkerPlan.format, FactorizationSweep.WorkerPlan.format]

    /// Computes task `task` of the plan in `file` under this program's digest `programDigest`;
    /// ``WorkerPlanRefusal`` when the file is no plan of a known kind or the plan refuses this program.
    public static func compute(planFile file: URL, task: Int, programDigest: String) throws {
        switch try format(of: file) {
        case ExhaustiveSearch.WorkerPlan.format:
            try ExhaustiveSearch.WorkerPlan.load(file, programDigest: programDigest).compute(task: task)
        case FactorizationSweep.WorkerPlan.format:
            try FactorizationSweep.WorkerPlan.load(file, programDigest: programDigest).compute(task: task)
        case let other:
            throw WorkerPlanRefusal(reason: "\(file.path): a plan of '\(other)', which this program does not compute (it knows \(formats.joined(separator: ", ")))")
        }
    }

    /// The `format` of the plan in `file`.
    static func format(of file: URL) throws -> String {
        struct Kind: Decodable { var format: String }
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw WorkerPlanRefusal(reason: "\(file.path): cannot read the plan: \(error.localizedDescription)")
        }
        do { return try JSONDecoder().decode(Kind.self, from: data).format } catch {
            throw WorkerPlanRefusal(reason: "\(file.path): not a worker plan (no format: \(error))")
        }
    }

    /// A plan as JSON: keys sorted, infinities and NaN as the strings "inf", "-inf", "nan".
    public static func encoded<Plan: Encodable>(_ plan: Plan) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(plan)
    }

    /// The plan of type `Plan` in `data`, read as ``encoded(_:)`` writes it.
    public static func decoded<Plan: Decodable>(_ type: Plan.Type, from data: Data) throws -> Plan {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: data)
    }

    /// FNV-1a (64 bits, hexadecimal) of the file at `path` (a program named without a slash is looked up on PATH).
    public static func digest(ofProgram path: String) throws -> String {
        let resolved = path.contains("/") ? path : (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map { "\($0)/\(path)" }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? path
        guard let handle = FileHandle(forReadingAtPath: resolved) else {
            throw WorkerPlanRefusal(reason: "\(path): cannot read the worker program")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            block.withUnsafeBytes { bytes in
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            }
        }
        return String(hash, radix: 16)
    }

    /// The digest of this process's own executable (`/proc/self/exe`).
    public static func digestOfThisProgram() throws -> String {
        try digest(ofProgram: "/proc/self/exe")
    }
}
