import ArgumentParser
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import DurableFiles
import Foundation
import ImplicitRegularization
import LinearAlgebra

/// `factorize`: the paper's solvers over JSON problem files (format: `docs/conventions.md`).
/// Results are one JSON object on stdout; refusals one line on stderr. Exit codes: 0 for a
/// result (an iteration limit included), 1 when a solver or the output fails, 2 for bad input.
@main
struct Factorize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve matrix sensing and completion problems the ways the paper compares.",
        discussion: """
            Reads a problem file (strict JSON, UTF-8, see SPEC.md) and prints one JSON object on stdout.

            Exit codes:
            0  a result, whatever it says (an iteration limit reached, a diverged step, an infeasible problem);
            1  a failure: a solver that cannot vouch for its answer (e.g. LAPACK failing), or output that cannot be written;
            2  bad input: a problem file, an option or a data file refused, with one line on stderr naming the file and line, the field or the option.

            Sizes: no dense array may exceed 1 GiB (2^27 numbers): n ≤ \(ProblemSize.maximumDimension), m·n² ≤ 2^27 for sensing \
            (and m² ≤ 2^27 for min-nuclear-norm); problem files up to 4 GiB. Larger problems are refused before anything is allocated.
            """,
        subcommands: [
            MinimumNuclearNormCommand.self, GradientDescentCommand.self, ProjectedGradientCommand.self, FlowCommand.self,
            TimeOrderedExponentialCommand.self, ExhaustiveCommand.self, MovieLensCommand.self, GenerateCommand.self,
            WorkerCommand.self,
        ])

    static func main() {
        // A closed stdout cannot take the result: refused before any work (and a closed stderr is
        // held on /dev/null, so that no file opened later receives the diagnostics).
        if StandardError.prepareStreams().contains(1) {
            fail("cannot write the result to standard output: it is closed", status: 1)
        }
        BLASThreads.set(1)
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            if exitCode(for: error) == .success {  // --help, --version: on stdout, checked below
                print(fullMessage(for: error))
            } else {
                let (message, status) = outcome(of: error)
                fail(message, status: status)
            }
        }
        // Buffered output is written here: a failure to write it (a full disk, a closed pipe) is an error.
        if fflush(stdout) != 0 || ferror(stdout) != 0 {
            fail("cannot write the result to standard output: \(String(cString: strerror(errno)))", status: 1)
        }
    }

    /// The message for `error` and the exit code: 2 for bad input, 1 for a failure.
    static func outcome(of error: Error) -> (String, Int32) {
        switch error {
        case let error as ProblemFileError: return (error.description, 2)
        case let error as FactorizeError: return (error.description, error.isBadInput ? 2 : 1)
        case let error as LinearAlgebraError: return ("the solver failed: \(error)", 1)
        case let error as ExhaustiveSearch.RunError: return (error.description, 1)
        case let error as AtomicFile.WriteError: return (error.description, 1)
        case let error as FolderLock.Busy: return (error.description, 2)
        case let error as ExhaustiveSearch.WorkerPlan.Refusal: return (error.description, 2)
        case let error as SlurmArray.Failure: return (error.description, 1)
        case is ValidationError: return (Factorize.message(for: error), 2)
        default:
            if exitCode(for: error) == .validationFailure { return (Factorize.message(for: error), 2) }
            return ("\(error)", 1)
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        StandardError.write("factorize: \(line)\n")
        Foundation.exit(status)
    }

    /// `--rank -1` as `--rank=-1`: the argument parser takes a lone `-1` for an option, and would
    /// say "missing value"; joined, the option's own check says what is wrong with the number.
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var joined: [String] = []
        var k = 0
        while k < arguments.count {
            let argument = arguments[k]
            if argument == "--" {
                joined += arguments[k...]
                break
            }
            if argument.hasPrefix("--"), !argument.contains("="), k + 1 < arguments.count, looksNegative(arguments[k + 1]) {
                joined.append(argument + "=" + arguments[k + 1])
                k += 2
            } else {
                joined.append(argument)
                k += 1
            }
        }
        return joined
    }

    static func looksNegative(_ argument: String) -> Bool {
        guard argument.hasPrefix("-"), argument.count > 1 else { return false }
        let rest = argument.dropFirst().lowercased()
        return rest.first!.isNumber || rest.hasPrefix(".") || rest.hasPrefix("inf") || rest.hasPrefix("nan")
    }
}

/// Checks shared by the commands' options: each refusal names the option and the value.
enum OptionCheck {
    static func positive(_ value: Double, _ option: String) throws {
        guard value.isFinite, value > 0 else { throw ValidationError("\(option) must be a positive number, got \(value)") }
    }

    static func positive(_ value: Int, _ option: String) throws {
        guard value >= 1 else { throw ValidationError("\(option) must be a positive integer, got \(value)") }
    }

    static func nonNegative(_ value: Int, _ option: String) throws {
        guard value >= 0 else { throw ValidationError("\(option) must be a non-negative integer, got \(value)") }
    }
}
