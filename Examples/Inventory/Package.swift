// swift-tools-version:6.1
// An application that embeds eventserver: its own route module next to the ready ones.
import PackageDescription

let package = Package(
    name: "Inventory",
    products: [
        .executable(name: "inventory-server", targets: ["InventoryServer"]),
    ],
    dependencies: [
        // By path for daily work in this tree; a stranger writes
        // .package(url: "https://github.com/your-org/eventserver", from: "0.1.0"),
        // and `make check-embed` builds a copy of this package that way.
        .package(name: "eventserver", path: "../.."),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
    ],
    targets: [
        .executableTarget(
            name: "InventoryServer",
            dependencies: [
                .product(name: "EventServer", package: "eventserver"),
                .product(name: "Routes", package: "eventserver"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
