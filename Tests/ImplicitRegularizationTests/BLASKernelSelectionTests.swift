import Foundation
import LinearAlgebra
import TestSupport
import XCTest

/// The OpenBLAS kernels a process computes with (`BLASKernelSelection`): on a CPU OpenBLAS does
/// not know (simulated: its generic Prescott fallback first), the best kernels the CPU's features
/// support, checked by a product; a user's `OPENBLAS_CORETYPE` wins; a known CPU keeps OpenBLAS's.
final class BLASKernelSelectionTests: XCTestCase {
    static let child = "ImplicitRegularizationTests.BLASKernelSelectionTests/testReportKernelInChild"

    /// Run only as a child of the tests below: prints the kernels and checks a product under them.
    func testReportKernelInChild() throws {
        guard ProcessInfo.processInfo.environment["BLAS_KERNEL_SELECTION_CHILD"] == "1" else {
            throw XCTSkip("the child process of the BLASKernelSelectionTests below")
        }
        print("kernel=\(BLASKernel.name)")
        print("choice=\(BLASKernel.choice)")
        // A product under the selected kernels against a plain loop (odd sizes, every kernel's edges).
        var random = SystemRandomNumberGenerator()
        let (m, k, n) = (131, 67, 89)
        var a = Matrix(rows: m, columns: k), b = Matrix(rows: k, columns: n)
        for i in 0..<m { for j in 0..<k { a[i, j] = Double.random(in: -1...1, using: &random) } }
        for i in 0..<k { for j in 0..<n { b[i, j] = Double.random(in: -1...1, using: &random) } }
        let c = a * b
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var (sum, scale) = (0.0, 0.0)
                for l in 0..<k { sum += a[i, l] * b[l, j]; scale += abs(a[i, l] * b[l, j]) }
                worst = max(worst, abs(c[i, j] - sum) / scale)
            }
        }
        // k = 67 terms: a kernel's reordering moves the sum by at most about k·ε of its scale (1.5e-14).
        XCTAssertLessThan(worst, 1e-13)
    }

    /// The kernels this CPU's features support, best first, as /proc/cpuinfo lists them.
    static var expectedKernel: String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512vl", "avx512bw", "avx512dq"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        if flags.contains("avx") { return "Sandybridge" }
        if flags.contains("sse4_2") { return "Nehalem" }
        return "Prescott"
    }

    func testAnUnknownCPUGetsTheBestKernelsItsFeaturesSupport() throws {
        let expected = try XCTUnwrap(Self.expectedKernel, "no flags in /proc/cpuinfo")
        let run = try ProcessRun.childTest(Self.child, environment: ["BLAS_KERNEL_SELECTION_CHILD": "1", "BLAS_KERNEL_SELECTION_SIMULATE_FALLBACK": "1"])
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertTrue(run.stdout.contains("kernel=\(expected)\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains(expected == "Prescott" ? "no better kernel" : "selected for this CPU's features (simulated fallback)"), run.stdout)
    }

    func testAUsersCoretypeWins() throws {
        let run = try ProcessRun.childTest(Self.child, environment: ["BLAS_KERNEL_SELECTION_CHILD": "1", "OPENBLAS_CORETYPE": "Nehalem"])
        XCTAssertEqual(run.status, 0, run.stdout)
        XCTAssertTrue(run.stdout.contains("kernel=Nehalem\n"), run.stdout)
        XCTAssertTrue(run.stdout.contains("choice=OPENBLAS_CORETYPE=Nehalem, the user's choice"), run.stdout)
    }

    /// Without a choice of the user's, a CPU OpenBLAS knows keeps the kernels it chose.
    func testAKnownCPUKeepsOpenBLASsChoice() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_CORETYPE"] = nil
        environment["BLAS_KERNEL_SELECTION_CHILD"] = "1"
        let run = try ProcessRun(
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(), [Self.child],
            environment: environment, mergingOutput: true, timeout: 60)
        XCTAssertEqual(run.status, 0, run.stdout)
        if run.stdout.contains("kernel=Prescott\n") {
            XCTAssertFalse(run.stdout.contains("chosen by OpenBLAS for this CPU"), "a Prescott fallback is never left unsaid: \(run.stdout)")
        } else {
            XCTAssertTrue(run.stdout.contains("choice=chosen by OpenBLAS for this CPU"), run.stdout)
        }
    }
}
