import Foundation
import TestSupport
import XCTest

/// Figure 4's problems are small (3 × 3 factors, 9 × 9 step matrices, their SDPs), so every
/// operation of theirs runs on the library's plain-Swift small-matrix kernels and none on OpenBLAS:
/// `factorize exhaustive` writes the same bytes whichever kernels OpenBLAS picks. Run here under
/// Prescott (Debian's fallback on a CPU it does not know), Nehalem, Haswell where the CPU has AVX2
/// and FMA, and the machine's own choice, on every 293rd instance (512 instances, 3 flows each).
final class KernelIndependenceTests: XCTestCase {
    func testFigure4sTablesAreTheSameBytesUnderEveryKernel() throws {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        var kernels: [String?] = [nil, "Prescott", "Nehalem"]
        if cpu.contains(" avx2"), cpu.contains(" fma") { kernels.append("Haswell") }
        var tables: [String: (instances: Data, histogram: Data)] = [:]
        for kernel in kernels {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kernel-independence-\(kernel ?? "own")-\(UUID())")
            defer { try? FileManager.default.removeItem(at: folder) }
            var environment = ProcessInfo.processInfo.environment
            environment["OPENBLAS_CORETYPE"] = kernel
            let run = try ProcessRun(
                FactorizeEndToEndTests.tool, ["exhaustive", "--subsample", "293", "--workers", "2", "--out", folder.path],
                environment: environment, timeout: 600)
            XCTAssertEqual(run.status, 0, "\(kernel ?? "own kernel"): \(run.stderr)")
            tables[kernel ?? "own"] = (
                try Data(contentsOf: folder.appendingPathComponent("instances.tsv")),
                try Data(contentsOf: folder.appendingPathComponent("histogram.tsv")))
        }
        let reference = try XCTUnwrap(tables["own"])
        XCTAssertGreaterThan(reference.instances.count, 10_000, "512 instances' rows")
        for (kernel, table) in tables {
            XCTAssertEqual(table.instances, reference.instances, "instances.tsv under \(kernel) differs from the machine's own kernels'")
            XCTAssertEqual(table.histogram, reference.histogram, "histogram.tsv under \(kernel)")
        }
    }
}
