// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "card-upload",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "card-upload", targets: ["card-upload"]),
    ],
    targets: [
        // System libraries: a module map and a shim header each, nothing else.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),

        // The stages, each depending only on the ones before it:
        // model -> input -> parsing -> rules -> store -> report -> CLI.
        .target(name: "CardUploadModel"),
        .target(name: "CardUploadInput", dependencies: ["CardUploadModel", "CZlib"]),
        .target(name: "CardUploadParsing", dependencies: ["CardUploadModel", "CardUploadInput"]),
        .target(name: "CardUploadRules", dependencies: ["CardUploadModel", "CardUploadParsing"]),
        .target(name: "CardUploadStore", dependencies: ["CardUploadModel", "CardUploadRules", "CSQLite"]),
        .target(name: "CardUploadReport", dependencies: ["CardUploadModel", "CardUploadParsing", "CardUploadRules", "CardUploadStore"]),
        .target(
            name: "CardUploadCLI",
            dependencies: [
                "CardUploadModel", "CardUploadInput", "CardUploadParsing",
                "CardUploadRules", "CardUploadStore", "CardUploadReport",
            ]
        ),
        .executableTarget(name: "card-upload", dependencies: ["CardUploadCLI"]),

        .testTarget(name: "CardUploadInputTests", dependencies: ["CardUploadInput"]),
        .testTarget(
            name: "CardUploadParsingTests",
            dependencies: ["CardUploadParsing"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "CardUploadRulesTests", dependencies: ["CardUploadRules"]),
        .testTarget(name: "CardUploadStoreTests", dependencies: ["CardUploadStore", "CSQLite"]),
        .testTarget(
            name: "CardUploadReportTests",
            dependencies: ["CardUploadModel", "CardUploadInput", "CardUploadParsing", "CardUploadReport", "CardUploadStore"]
        ),
        .testTarget(name: "CardUploadCLITests", dependencies: ["CardUploadCLI"]),
        .testTarget(name: "EndToEndTests", dependencies: ["card-upload", "CSQLite"]),
    ]
)

// Strict settings for every Swift target, in one place.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
