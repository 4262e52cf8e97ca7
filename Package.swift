// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ImplicitRegularization",
    // Linux only, so no `platforms`: COpenBLAS is Debian's OpenBLAS and LAPACKE (apt), and the runtime
    // writes its progress with Glibc.write. A macOS port would need Accelerate and Darwin.write.
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "ImplicitRegularization", targets: ["ImplicitRegularization"]),
        .executable(name: "factorize", targets: ["factorize"]),
        .executable(name: "notebook", targets: ["notebook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/JohnSundell/Plot", from: "0.14.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Runs as the library loads: the best OpenBLAS kernels the CPU can run where OpenBLAS fell back
        // to its generic ones (Sources/BLASKernelSelection/BLASKernelSelection.c).
        .target(name: "BLASKernelSelection", dependencies: ["COpenBLAS"]),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "BLASKernelSelection"], exclude: ["README.md"]),
        .target(
            name: "ImplicitRegularization", dependencies: ["LinearAlgebra", "DurableFiles", "JSONText"],
            exclude: ["README.md"] + ["Problems", "Descent", "Flows", "Integrators", "ConvexReferences", "ProblemFormat",
                                      "Experiments", "Experiments/ExhaustiveSearch", "Experiments/FactorizationSweep", "Experiments/Figure3", "Experiments/Commutative", "Results", "Concurrency"].map { "\($0)/README.md" }),
        .executableTarget(
            name: "factorize",
            dependencies: [
                "ImplicitRegularization",
                "DurableFiles",
                "JSONText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The notebook runner's side of a notebook program. `notebook run` compiles a copy of it into
        // each kernel it builds (`notebook.yml` names this project's), beside the kernel's products.
        .target(name: "NotebookRuntime", exclude: ["README.md"]),
        // Atomic files, flock locks and a stderr that never traps: the library's, factorize's and the engine's.
        .target(name: "DurableFiles", exclude: ["README.md"]),
        // The one JSON writer: ordered objects, one line or indented as Python's json.dumps (factorize's reports,
        // the notebook export, problem files).
        .target(name: "JSONText", exclude: ["README.md"]),
        // gnuplot-iostream (Debian libgnuplot-iostream-dev, header-only over boost) behind a C header:
        // the gnuplot blocks' tables are written through it (Rendering/GnuplotRenderer.swift).
        .target(
            name: "GnuplotBridge",
            exclude: ["README.md"],
            linkerSettings: [.linkedLibrary("boost_iostreams"), .linkedLibrary("boost_filesystem")]
        ),
        .target(
            name: "NotebookEngine",
            dependencies: [
                "NotebookRuntime",
                "DurableFiles",
                "JSONText",
                "GnuplotBridge",
                .product(name: "Plot", package: "Plot"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "notebook",
            dependencies: ["NotebookEngine", "DurableFiles", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "factorize-bench", dependencies: ["ImplicitRegularization"], path: "Benchmarks/factorize-bench"),
        // The probe of Figure 4's slowest flows to their limit, forced on to t = 10¹⁴ (Benchmarks/flow-limit-probe/main.swift).
        .executableTarget(name: "flow-limit-probe", dependencies: ["ImplicitRegularization"], path: "Benchmarks/flow-limit-probe"),
        // The minimum nuclear norm SDP on Figure 3's problems and a sample of Figure 4's, timed (Benchmarks/mnn-probe/main.swift).
        .executableTarget(name: "mnn-probe", dependencies: ["ImplicitRegularization"], path: "Benchmarks/mnn-probe"),
        // Figures 1–2's runs taken to their limit (FactorizationSweep+Limit): the check against gradient
        // descent run to its own limit (`make bench`) and the cost over the full profile (Benchmarks/limit-probe/main.swift).
        .executableTarget(name: "limit-probe", dependencies: ["ImplicitRegularization"], path: "Benchmarks/limit-probe"),
        // The test targets' one way to the fixtures in Tests/Fixtures (found from its own #filePath,
        // or $FIXTURES_DIR) and to MovieLens (never committed).
        .target(name: "TestSupport", dependencies: ["ImplicitRegularization"], path: "Tests/TestSupport"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "JSONTextTests", dependencies: ["JSONText"]),
        .testTarget(name: "ImplicitRegularizationTests", dependencies: ["ImplicitRegularization", "TestSupport"]),
        .testTarget(name: "FactorizeTests", dependencies: ["ImplicitRegularization", "TestSupport"]),
        .testTarget(name: "NotebookTests", dependencies: ["NotebookEngine", "NotebookRuntime", "TestSupport"], exclude: ["Notebooks"]),
    ]
)
