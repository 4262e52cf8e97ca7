import Foundation

/// What the runner tells a notebook's program about its run: one JSON file, named on the
/// program's command line (`program --run-manifest PATH`), written by the runner before the
/// program starts and only read by it.
///
/// It replaces the environment variables the two once shared: a program started by hand,
/// without it, still runs (outputs to the current folder, the parameters' defaults unknown,
/// the kernel "unversioned"), as any program would.
public struct RunManifest: Codable, Equatable, Sendable {
    /// The run's own outputs: `block-K.txt`, `events.jsonl`, `tables/`.
    public var outputFolder: String
    /// The report folder's `data/`, holding `NOTEBOOK/NAME.tsv` for every notebook rendered.
    public var dataFolder: String
    /// Where the notebook keeps state of its own between runs (resume chunks, say): a folder
    /// inside the `--cache` the user chose, one per notebook, which `notebook clean` removes.
    public var cacheFolder: String
    /// The parameters of this run (defaults, overridden by `--param`).
    public var parameters: [String: ParameterValue]
    /// A digest of the kernel (the package's library code by meaning, the runtime and the
    /// compiler): keys the caches a notebook keeps itself.
    public var kernel: String
    /// The folder of value files a resumed program restores its earlier blocks' values from
    /// (``NotebookState/restore(_:file:_:)``: the run's own `values/`, where the runner linked the
    /// earlier run's files); nil when the program runs from its first block.
    public var restoreFolder: String?

    public init(
        outputFolder: String, dataFolder: String, cacheFolder: String, parameters: [String: ParameterValue], kernel: String,
        restoreFolder: String? = nil
    ) {
        self.outputFolder = outputFolder
        self.dataFolder = dataFolder
        self.cacheFolder = cacheFolder
        self.parameters = parameters
        self.kernel = kernel
        self.restoreFolder = restoreFolder
    }

    /// The command-line option that names the manifest.
    public static let option = "--run-manifest"
    /// The manifest's name in the run's folder.
    public static let fileName = "run.json"

    /// The manifest named by `arguments` (`--run-manifest PATH`), or nil when none is given.
    /// A manifest named but unreadable stops the program: it would otherwise run with the
    /// wrong parameters and write where no runner looks.
    public static func named(by arguments: [String]) -> RunManifest? {
        guard let position = arguments.firstIndex(of: option) else { return nil }
        guard position + 1 < arguments.count else { fatalError("\(option) needs a file") }
        let path = arguments[position + 1]
        do {
            return try JSONDecoder().decode(RunManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("cannot read the run manifest \(path): \(error)")
        }
    }

    /// The manifest of this process (from `CommandLine.arguments`), read once.
    public static let current: RunManifest? = named(by: CommandLine.arguments)
}
