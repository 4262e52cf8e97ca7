import ArgumentParser
import Foundation
import ImplicitRegularization
import LinearAlgebra

/// `factorize`: the paper's solvers over JSON problem files (format: `../shared/SPEC.md`).
/// Results are one JSON object on stdout; refusals one line on stderr and exit code 2.
@main
struct Factorize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve matrix sensing and completion problems the ways the paper compares.",
        discussion: """
            Reads a problem file (JSON, see SPEC.md) and prints one JSON object on stdout.
            Bad input gets one line on stderr and exit code 2.
            """,
        subcommands: [
            MinimumNuclearNormCommand.self, GradientDescentCommand.self, ProjectedGradientCommand.self, FlowCommand.self,
            TimeOrderedExponentialCommand.self, ExhaustiveCommand.self, MovieLensCommand.self, GenerateCommand.self,
        ])

    static func main() {
        BLASThreads.set(1)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
            let message = switch error {
            case let error as ProblemFileError: error.description
            case let error as FactorizeError: error.description
            default: Factorize.message(for: error)
            }
            FileHandle.standardError.write(Data("factorize: \(message)\n".utf8))
            Foundation.exit(2)
        }
    }
}
