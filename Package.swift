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
        // model -> input -> parsing -> rules -> store -> report -> load (the use cases) -> CLI.
        .target(name: "CardUploadModel"),
        .target(name: "CardUploadInput", dependencies: ["CardUploadModel", "CZlib"]),
        .target(name: "CardUploadParsing", dependencies: ["CardUploadModel", "CardUploadInput"]),
        .target(name: "CardUploadRules", dependencies: ["CardUploadModel", "CardUploadParsing"]),
        .target(name: "CardUploadStore", dependencies: ["CardUploadModel", "CardUploadParsing", "CardUploadRules", "CSQLite"]),
        .target(name: "CardUploadReport", dependencies: ["CardUploadModel", "CardUploadParsing", "CardUploadRules", "CardUploadStore"]),
        .target(
            name: "CardUploadLoad",
            dependencies: [
                "CardUploadModel", "CardUploadInput", "CardUploadParsing",
                "CardUploadRules", "CardUploadStore", "CardUploadReport",
            ]
        ),
        .target(
            name: "CardUploadCLI",
            dependencies: ["CardUploadModel", "CardUploadRules", "CardUploadStore", "CardUploadReport", "CardUploadLoad"]
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
        .testTarget(
            name: "CardUploadLoadTests",
            dependencies: [
                "CardUploadModel", "CardUploadInput", "CardUploadParsing", "CardUploadRules", "CardUploadStore",
                "CardUploadReport", "CardUploadLoad",
            ]
        ),
        .testTarget(name: "CardUploadCLITests", dependencies: ["CardUploadCLI", "CardUploadLoad"]),
        .testTarget(name: "EndToEndTests", dependencies: ["card-upload", "CSQLite"]),
    ]
)

// libFuzzer targets, declared only for `scripts/fuzz` (CARD_UPLOAD_FUZZ=1), which builds them with
// `-sanitize=fuzzer,address`: a plain `swift build` or `swift test` never sees them.
if Context.environment["CARD_UPLOAD_FUZZ"] == "1" {
    package.targets += [
        // libFuzzer's driver, declared for Swift (a header only: `-sanitize=fuzzer` links the library).
        .systemLibrary(name: "CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: ["CardUploadModel", "CardUploadParsing", "CardUploadRules"]
        ),
        .executableTarget(
            name: "fuzz-csv",
            dependencies: ["CardUploadModel", "CardUploadInput", "CardUploadParsing", "FuzzSupport", "CLibFuzzer"],
            path: "Sources/FuzzCSV"
        ),
        .executableTarget(
            name: "fuzz-jsonl",
            dependencies: ["CardUploadModel", "CardUploadInput", "CardUploadParsing", "FuzzSupport", "CLibFuzzer"],
            path: "Sources/FuzzJSONLines"
        ),
        .executableTarget(
            name: "fuzz-rules",
            dependencies: [
                "CardUploadModel", "CardUploadInput", "CardUploadParsing", "CardUploadRules", "CardUploadReport",
                "FuzzSupport", "CLibFuzzer",
            ],
            path: "Sources/FuzzRules"
        ),
    ]
    package.products += ["fuzz-csv", "fuzz-jsonl", "fuzz-rules"].map { .executable(name: $0, targets: [$0]) }
}

// Strict settings for every Swift target, in one place.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
