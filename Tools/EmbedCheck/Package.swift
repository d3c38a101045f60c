// swift-tools-version:6.1
// A stranger's package: eventserver by URL and version, as in README's "Embedding your own
// routes". Tools/check_embed.sh fills in the URL of a tagged copy of the tree and its version.
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [
        .package(url: "EVENTSERVER_URL", from: "EVENTSERVER_VERSION"),
    ],
    targets: [
        .executableTarget(
            name: "consumer",
            dependencies: [
                .product(name: "EventServer", package: "eventserver"),
                .product(name: "Routes", package: "eventserver"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
