import Foundation
import NotebookRuntime
import Yams

/// Where a notebook's independent units run, as a front matter or the project file `notebook.yml`
/// declares it:
///
/// ```yaml
/// executor: slurm            # or local (threads of the notebook's program, the default)
/// executor:                  # or a mapping; every key optional
///   kind: slurm
///   partition: short         # sbatch --partition
///   account: my-group        # sbatch --account
///   time: "10:00"            # sbatch --time: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
///   cpus-per-task: 1         # sbatch --cpus-per-task, at least 1
///   array-max: 64            # sbatch --array=…%64: at most 64 tasks at once, at least 1
///   sbatch: [--qos=short, --mem=2G]   # more sbatch options, each starting with '-'
/// ```
///
/// Resolution (``resolve(commandLine:frontMatter:projectFile:environment:)``), key by key: a front
/// matter's keys over `notebook.yml`'s; the kind from `notebook run --executor`, else the front matter,
/// else `notebook.yml`, else `NOTEBOOK_EXECUTOR`, else `local`. So a project can set its cluster's
/// partition and account once, leave the kind to the command line, and a notebook add its own time.
/// The executor says where work runs, not what it computes: it is in no cache key.
public struct ExecutorDeclaration: Hashable, Sendable {
    public var kind: String?
    public var partition: String?
    public var account: String?
    public var time: String?
    public var cpusPerTask: Int?
    public var arrayMax: Int?
    public var sbatch: [String]?

    public init(kind: String? = nil) { self.kind = kind }

    /// The environment variable that names the kind when nothing else does.
    public static let environmentVariable = NotebookSession.executorVariable
    /// The kinds there are.
    public static let kinds = ["local", "slurm"]
    /// The mapping's keys.
    public static let keys = ["kind", "partition", "account", "time", "cpus-per-task", "array-max", "sbatch"]
    /// sbatch options that the executor itself sets (or that would replace its job): refused in `sbatch:`.
    public static let reservedSbatchOptions = ["--array", "-a", "--output", "-o", "--error", "-e", "--parsable", "--wrap", "--wait", "-W"]

    /// Reads `executor:` (a kind, or a mapping of the keys above) from a front matter or a project
    /// file; refuses an unknown key or a bad value at its line of `path` (`firstLine`: the file's
    /// line of the YAML's first line).
    static func read(_ node: Node, path: String, line: Int, firstLine: Int) throws -> ExecutorDeclaration {
        func refuse(_ line: Int, _ reason: String) -> NotebookError { .badFrontMatter(path: path, line: line, reason: reason) }
        if let scalar = node.scalar {
            guard kinds.contains(scalar.string) else {
                throw refuse(line, "executor is local or slurm, or a mapping of \(keys.joined(separator: ", ")); got '\(InfoString.shown(scalar.string))'")
            }
            return ExecutorDeclaration(kind: scalar.string)
        }
        guard let mapping = node.mapping else {
            throw refuse(line, "executor is local or slurm, or a mapping of \(keys.joined(separator: ", "))")
        }
        var declaration = ExecutorDeclaration()
        var seen: Set<String> = []
        for (key, value) in mapping {
            let keyLine = key.mark.map { $0.line - 1 + firstLine } ?? line
            let name = key.scalar?.string ?? "?"
            guard seen.insert(name).inserted else { throw refuse(keyLine, "executor.\(InfoString.shown(name)) is given twice") }
            guard keys.contains(name) else {
                throw refuse(keyLine, "unknown key 'executor.\(InfoString.shown(name))' (known: \(keys.joined(separator: ", ")))")
            }
            // A count is a plain number in YAML (not "4" quoted); the sbatch options a list; the rest one scalar.
            let values: [String]
            if name == "sbatch" {
                guard let arguments = value.scalarList else { throw refuse(keyLine, "executor.sbatch\(sbatchReason)") }
                values = arguments
            } else if let scalar = value.scalar, !(["cpus-per-task", "array-max"].contains(name) && scalar.style != .plain) {
                values = [scalar.string]
            } else {
                values = []
            }
            if let reason = declaration.set(name, values) { throw refuse(keyLine, "executor.\(name)\(reason)") }
        }
        return declaration
    }

    private static let sbatchReason = " is a list of sbatch options, each starting with '-' (--qos=short)"

    /// Sets the key `name` (one of ``keys``) to `values` (one value, or the sbatch options), validated as
    /// `executor:` in YAML and `notebook run`'s flags both are: nil when set, else why not, as the end of
    /// a sentence that starts with the key's name (" is a whole number, at least 1").
    public mutating func set(_ name: String, _ values: [String]) -> String? {
        if name == "sbatch" {
            guard values.allSatisfy({ $0.hasPrefix("-") && !$0.contains(where: \.isNewline) }) else { return Self.sbatchReason }
            if let reserved = values.first(where: { argument in
                Self.reservedSbatchOptions.contains { argument == $0 || argument.hasPrefix($0 + "=") || ($0.count == 2 && argument.hasPrefix($0)) }
            }) {
                return ": '\(InfoString.shown(reserved))' is set by the executor itself (its array, output and error files)"
            }
            sbatch = values
            return nil
        }
        func text(valid: (String) -> Bool = { _ in true }) -> String? {
            guard values.count == 1, let text = values.first, !text.isEmpty, !text.contains(where: \.isNewline), valid(text) else { return nil }
            return text
        }
        func count() -> Int? { text().flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil } }
        switch name {
        case "kind":
            guard let value = text(valid: Self.kinds.contains) else { return " is local or slurm" }
            kind = value
        case "partition":
            guard let value = text() else { return " is a partition's name" }
            partition = value
        case "account":
            guard let value = text() else { return " is an account's name" }
            account = value
        case "time":
            guard let value = text(valid: Self.isSlurmTime) else {
                return " is a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\")"
            }
            time = value
        case "cpus-per-task":
            guard let value = count() else { return " is a whole number, at least 1" }
            cpusPerTask = value
        case "array-max":
            guard let value = count() else { return " is a whole number, at least 1" }
            arrayMax = value
        default:
            return " is not a key of executor (known: \(Self.keys.joined(separator: ", ")))"
        }
        return nil
    }

    /// Slurm's time formats: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS` (digits), or
    /// `UNLIMITED`/`INFINITE`.
    static func isSlurmTime(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        let fields = parts.last!.split(separator: ":", omittingEmptySubsequences: false)
        let digits = { (s: Substring) in !s.isEmpty && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber) }
        guard (parts.count == 1 || digits(parts[0])), fields.count <= 3, fields.allSatisfy(digits) else { return false }
        return true
    }

    /// `self`'s keys, over `base`'s where `self` leaves one out.
    func overriding(_ base: ExecutorDeclaration?) -> ExecutorDeclaration {
        guard let base else { return self }
        var merged = self
        merged.kind = kind ?? base.kind
        merged.partition = partition ?? base.partition
        merged.account = account ?? base.account
        merged.time = time ?? base.time
        merged.cpusPerTask = cpusPerTask ?? base.cpusPerTask
        merged.arrayMax = arrayMax ?? base.arrayMax
        merged.sbatch = sbatch ?? base.sbatch
        return merged
    }

    /// The executor a run hands its program (``RunManifest/Executor``): `commandLineKeys`' keys
    /// (`notebook run --partition …`) over the front matter's, over `notebook.yml`'s; the kind from
    /// `commandLine` (`notebook run --executor`), else those, else `environment` (`NOTEBOOK_EXECUTOR`,
    /// when not empty), else `local`.
    public static func resolve(
        commandLine: String?, commandLineKeys: ExecutorDeclaration? = nil, frontMatter: ExecutorDeclaration?,
        projectFile: ExecutorDeclaration?, environment: String?
    ) -> RunManifest.Executor {
        let declared = (commandLineKeys ?? ExecutorDeclaration()).overriding((frontMatter ?? ExecutorDeclaration()).overriding(projectFile))
        let kind = commandLine ?? declared.kind ?? environment.flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        return RunManifest.Executor(
            kind: kind, partition: declared.partition, account: declared.account, time: declared.time,
            cpusPerTask: declared.cpusPerTask, arrayMax: declared.arrayMax, sbatch: declared.sbatch ?? [])
    }

    /// Whether any key but the kind is set.
    public var setsSlurmKeys: Bool {
        partition != nil || account != nil || time != nil || cpusPerTask != nil || arrayMax != nil || sbatch != nil
    }
}
