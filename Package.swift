// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "eventserver",
    products: [
        .executable(name: "eventserver", targets: ["EventServerCommand"]),
        .library(name: "EventServer", targets: ["EventServer"]),
        .library(name: "Routes", targets: ["Routes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CEvent",
            path: "Sources/CEvent",
            pkgConfig: "libevent",
            providers: [.apt(["libevent-dev"])]
        ),
        .target(
            name: "EventServer",
            dependencies: [
                "CEvent",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Routes",
            dependencies: ["EventServer"]
        ),
        .executableTarget(
            name: "EventServerCommand",
            dependencies: [
                "EventServer",
                "Routes",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "EventServerTests", dependencies: ["EventServer"]),
        .testTarget(name: "RoutesTests", dependencies: ["Routes", "EventServer"]),
        .testTarget(name: "IntegrationTests", dependencies: ["EventServerCommand"]),
    ],
    swiftLanguageModes: [.v6]
)
