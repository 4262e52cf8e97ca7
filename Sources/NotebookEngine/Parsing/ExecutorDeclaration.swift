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
            func text(_ what: String, valid: (String) -> Bool = { _ in true }) throws -> String {
                guard let text = value.scalar?.string, !text.isEmpty, !text.contains(where: \.isNewline), valid(text) else {
                    throw refuse(keyLine, "executor.\(name) is \(what)")
                }
                return text
            }
            func count() throws -> Int {
                guard let scalar = value.scalar, scalar.style == .plain, let n = Int(scalar.string), n >= 1 else {
                    throw refuse(keyLine, "executor.\(name) is a whole number, at least 1")
                }
                return n
            }
            switch name {
            case "kind": declaration.kind = try text("local or slurm") { kinds.contains($0) }
            case "partition": declaration.partition = try text("a partition's name")
            case "account": declaration.account = try text("an account's name")
            case "time": declaration.time = try text("a wall time in Slurm's format (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS; quote it: \"10:00\")", valid: isSlurmTime)
            case "cpus-per-task": declaration.cpusPerTask = try count()
            case "array-max": declaration.arrayMax = try count()
            case "sbatch":
                guard let arguments = value.scalarList, arguments.allSatisfy({ $0.hasPrefix("-") && !$0.contains(where: \.isNewline) }) else {
                    throw refuse(keyLine, "executor.sbatch is a list of sbatch options, each starting with '-' (--qos=short)")
                }
                if let reserved = arguments.first(where: { argument in
                    reservedSbatchOptions.contains { argument == $0 || argument.hasPrefix($0 + "=") || ($0.count == 2 && argument.hasPrefix($0)) }
                }) {
                    throw refuse(keyLine, "executor.sbatch: '\(InfoString.shown(reserved))' is set by the executor itself (its array, output and error files)")
                }
                declaration.sbatch = arguments
            default:
                throw refuse(keyLine, "unknown key 'executor.\(InfoString.shown(name))' (known: \(keys.joined(separator: ", ")))")
            }
        }
        return declaration
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

    /// The executor a run hands its program (``RunManifest/Executor``): the front matter's keys over
    /// `notebook.yml`'s, and the kind from `commandLine` (`notebook run --executor`), else those two,
    /// else `environment` (`NOTEBOOK_EXECUTOR`, when not empty), else `local`.
    public static func resolve(
        commandLine: String?, frontMatter: ExecutorDeclaration?, projectFile: ExecutorDeclaration?, environment: String?
    ) -> RunManifest.Executor {
        let declared = (frontMatter ?? ExecutorDeclaration()).overriding(projectFile)
        let kind = commandLine ?? declared.kind ?? environment.flatMap { $0.isEmpty ? nil : $0 } ?? "local"
        return RunManifest.Executor(
            kind: kind, partition: declared.partition, account: declared.account, time: declared.time,
            cpusPerTask: declared.cpusPerTask, arrayMax: declared.arrayMax, sbatch: declared.sbatch ?? [])
    }
}
