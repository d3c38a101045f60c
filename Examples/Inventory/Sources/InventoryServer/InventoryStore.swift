/// InventoryStore keeps items in memory; loop-confined like every handler's state.
final class InventoryStore {
    struct Item: Encodable {
        let id: Int
        let name: String
    }

    private(set) var items: [Item] = [Item(id: 1, name: "hammer"), Item(id: 2, name: "saw")]

    func item(id: Int) -> Item? {
        items.first { $0.id == id }
    }

    func add(name: String) -> Item {
        let item = Item(id: (items.map(\.id).max() ?? 0) + 1, name: name)
        items.append(item)
        return item
    }
}
