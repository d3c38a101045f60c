// swift-tools-version:6.1
// An application that embeds eventserver: its own route module next to the ready ones.
import PackageDescription

let package = Package(
    name: "Inventory",
    products: [
        .executable(name: "inventory-server", targets: ["InventoryServer"]),
    ],
    dependencies: [
        .package(name: "eventserver", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "InventoryServer",
            dependencies: [
                .product(name: "EventServer", package: "eventserver"),
                .product(name: "Routes", package: "eventserver"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
