import NIOPosix
import SQLiteNIO

/// InventoryStore keeps items in an SQLite file through an async driver (vapor/sqlite-nio).
///
/// Queries run on the driver's thread pool; a handler that awaits one suspends without
/// blocking the server's loop, and resumes on the loop (its executor) with the rows.
final class InventoryStore: Sendable {
    struct Item: Encodable, Sendable {
        let id: Int
        let name: String
    }

    private let connection: SQLiteConnection

    /// Opens (creating on first start) the database at `path`, seeded with two items.
    /// Blocking: called once, before the server runs.
    init(path: String) throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        connection = try SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, on: loop).wait()
        _ = try connection.query(
            "CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL)"
        ).wait()
        let count = try connection.query("SELECT COUNT(*) AS count FROM items").wait().first?.column("count")?.integer
        if count == 0 {
            _ = try connection.query("INSERT INTO items (name) VALUES ('hammer'), ('saw')").wait()
        }
    }

    /// Closes the database (blocking): after the server has stopped.
    func close() throws {
        try connection.close().wait()
    }

    func items() async throws -> [Item] {
        try await connection.query("SELECT id, name FROM items ORDER BY id").compactMap(Self.item)
    }

    func item(id: Int) async throws -> Item? {
        try await connection.query("SELECT id, name FROM items WHERE id = ?", [.integer(id)]).first.flatMap(Self.item)
    }

    func add(name: String) async throws -> Item {
        let rows = try await connection.query("INSERT INTO items (name) VALUES (?) RETURNING id, name", [.text(name)])
        guard let item = rows.first.flatMap(Self.item) else { throw StoreError.insertReturnedNothing }
        return item
    }

    private static func item(_ row: SQLiteRow) -> Item? {
        guard let id = row.column("id")?.integer, let name = row.column("name")?.string else { return nil }
        return Item(id: id, name: name)
    }

    enum StoreError: Error {
        case insertReturnedNothing
    }
}
