import Foundation
import NotebookRuntime

/// What runs a notebook's blocks of one language, as knitr's and Quarto's engines do: the runner
/// goes through its registered engines (``BlockEngines``) in each phase of a run, in the order they
/// were registered, and never asks a block's language itself.
///
/// - **plan**: the keys of its blocks (what their results depend on), before anything executes;
/// - **execute**: run its blocks, with the tables and outputs the engines before it gave;
/// - **publish**: write what it computed beside the report (`data/NAME/`, the output folder).
///
/// The report then shows each block's listing with what its engine gave. `swift` blocks
/// (``SwiftBlockEngine``: the notebook's program, cached by its keys) and `gnuplot` blocks
/// (``GnuplotBlockEngine``: figures from the Swift blocks' tables) are engines like any other; a
/// fence whose language no engine claims is prose, shown as written.
public protocol BlockEngine: Sendable {
    /// The fence's language (` ```LANG `), lower case.
    var language: String { get }
    /// Each block's key before anything executes; nil for an engine whose results depend on what
    /// the engines before it compute (recorded in ``EngineRun/keys``).
    func plan(_ run: EngineRun) throws -> EngineKeys?
    /// Runs this engine's blocks (``EngineRun/blocks(of:)``), recording their outputs in `run`.
    func execute(_ run: inout EngineRun) throws
    /// Writes what this engine computed beside the report.
    func publish(_ run: EngineRun) throws
}

extension BlockEngine {
    public func plan(_ run: EngineRun) throws -> EngineKeys? { nil }
    public func publish(_ run: EngineRun) throws {}
}

/// An engine's keys: the whole run's (unchanged when none of its results can have changed) and
/// each block's.
public struct EngineKeys: Sendable, Equatable {
    public var run: String
    public var blocks: [String]

    public init(run: String, blocks: [String]) {
        self.run = run
        self.blocks = blocks
    }
}

/// The engines a runner executes blocks with, by language, in the order they run.
public struct BlockEngines: Sendable {
    public private(set) var engines: [any BlockEngine]

    /// `swift`, then `gnuplot` (whose figures draw the Swift blocks' tables).
    public static let standard = BlockEngines(engines: [SwiftBlockEngine(), GnuplotBlockEngine()])

    /// Adds `engine` after those registered; a language already claimed, empty or not in lower
    /// case (fences are matched in lower case) is refused.
    public mutating func register(_ engine: any BlockEngine) throws {
        let language = engine.language
        guard !language.isEmpty, language == language.lowercased(), !engines.contains(where: { $0.language == language }) else {
            throw EngineError.languageTaken(language)
        }
        engines.append(engine)
    }

    public func engine(for language: String) -> (any BlockEngine)? {
        engines.first { $0.language == language.lowercased() }
    }

    /// The languages of engines other than the parser's own (`swift`, `gnuplot`): their fences
    /// become ``EngineBlock``s instead of prose.
    var pluggedLanguages: Set<String> {
        Set(engines.map(\.language)).subtracting([SwiftBlockEngine.fenceLanguage, GnuplotBlockEngine.fenceLanguage])
    }

    public enum EngineError: Error, CustomStringConvertible, Equatable {
        case languageTaken(String)
        public var description: String {
            switch self {
            case .languageTaken(let language): "an engine for '\(language)' blocks is registered already, or the language is empty or not lower case"
            }
        }
    }
}

/// One notebook's run as an engine sees it: the document, each engine's keys, the tables the
/// engines before it emitted, and the outputs it records for the report.
public struct EngineRun {
    let runner: NotebookRunner
    let plan: NotebookRunner.Plan
    var execution: NotebookRunner.Execution

    public var document: NotebookDocument { plan.document }
    /// The resolved parameters, by name.
    public var parameters: [String: ParameterValue] { plan.values }
    /// Each engine's planned keys, by language.
    public var keys: [String: EngineKeys] { plan.keys }
    /// The tables emitted so far, each as its TSV text, by name.
    public var tables: [String: String] { execution.tables }
    /// `OUT/data/NAME/`: the notebook's tables and outputs beside its report.
    public var dataFolder: URL { plan.dataFolder }
    /// Whether `notebook run --force` asked that nothing be taken from a cache.
    public var force: Bool { runner.options.force }

    /// The blocks a plugged engine runs (fences of `language`), in file order.
    public func blocks(of language: String) -> [EngineBlock] {
        document.segments.compactMap { if case .block(let block) = $0, block.language == language { block } else { nil } }
    }

    /// Says `text` on the runner's log, prefixed with the notebook's path.
    public func say(_ text: String) { plan.say(text) }

    /// Records what block `index` of `language` gave, shown under its listing in the report.
    public mutating func record(_ output: EngineBlockOutput, language: String, block index: Int) {
        execution.outputs[language, default: [:]][index] = output
    }

    /// What block `index` of `language` gave, if it ran.
    public func output(language: String, block index: Int) -> EngineBlockOutput? {
        execution.outputs[language]?[index]
    }
}

/// What a plugged engine's block gave: its text output, and whether it failed (the run then fails
/// and the report marks the block).
public struct EngineBlockOutput: Sendable, Equatable {
    public var text: String
    public var failed: Bool

    public init(text: String, failed: Bool = false) {
        self.text = text
        self.failed = failed
    }
}
