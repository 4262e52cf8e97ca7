// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "ImplicitRegularization",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "ImplicitRegularization", targets: ["ImplicitRegularization"]),
        .executable(name: "factorize", targets: ["factorize"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS"]),
        .target(name: "ImplicitRegularization", dependencies: ["LinearAlgebra"]),
        .executableTarget(
            name: "factorize",
            dependencies: [
                "ImplicitRegularization",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "factorize-bench", dependencies: ["ImplicitRegularization"], path: "Benchmarks/factorize-bench"),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "ImplicitRegularizationTests", dependencies: ["ImplicitRegularization"]),
        .testTarget(name: "FactorizeTests", dependencies: ["ImplicitRegularization"]),
    ]
)
