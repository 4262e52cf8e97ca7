import ArgumentParser
import ImplicitRegularization
import JSONText

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a problem file on stdout, so that users and other solvers share instances.",
        subcommands: [SensingCommand.self])

    struct SensingCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sensing",
            abstract: "A planted Gaussian sensing problem: A_i = (G_i + G_iᵀ)/(2√m), X* of rank r or with a decaying spectrum, ‖X*‖_F = 1.",
            discussion: """
                The paper's settings: (a) --n 50 --rank 2 --measurements 300; (b) the same with --spectrum decaying; (c) --measurements 25. \
                The file lists m·n² numbers: m·n² ≤ 2^27 (1 GiB as Float64), as factorize reads them.
                """)

        @Option(name: .customLong("n"), help: "n, the side of X.")
        var dimension: Int

        @Option(help: "r, the rank of X* (for a decaying spectrum, the r of ‖X*‖_* = √r‖X*‖_F).")
        var rank: Int

        @Option(help: "m, the number of measurements.")
        var measurements: Int

        @Option(help: "low-rank or decaying.")
        var spectrum: String = PlantedSensing.Spectrum.lowRank.rawValue

        @Option(help: "The seed of X* and the measurements.")
        var seed: UInt64

        func validate() throws {
            try OptionCheck.positive(dimension, "--n")
            try OptionCheck.positive(rank, "--rank")
            guard rank <= dimension else { throw ValidationError("--rank must be in 1…n = \(dimension), got \(rank)") }
            try OptionCheck.positive(measurements, "--measurements")
            // The file holds m·n² numbers, as the reader will hold them: checked before anything is drawn.
            if let reason = ProblemSize.sensingRefusal(dimension: Double(dimension), measurements: Double(measurements)) {
                throw ValidationError("--n and --measurements: \(reason)")
            }
            guard PlantedSensing.Spectrum(rawValue: spectrum) != nil else {
                throw ValidationError("--spectrum must be one of \(PlantedSensing.Spectrum.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(spectrum)\"")
            }
        }

        func run() throws {
            let problem = try PlantedSensing.generate(
                dimension: dimension, rank: rank, measurements: measurements, spectrum: PlantedSensing.Spectrum(rawValue: spectrum)!, seed: seed)
            let generator: JSONValue = [
                "n": .integer(dimension), "rank": .integer(rank), "measurements": .integer(measurements), "spectrum": .string(spectrum),
                "seed": .unsigned(seed),
            ]
            print(ProblemFile.encode(problem, extra: [.init("generator", generator)]), terminator: "")
        }
    }
}
