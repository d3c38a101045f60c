#if canImport(Glibc)
import Glibc
#endif

/// HTTPHeaders is an ordered list of header fields with case-insensitive lookup.
///
/// Names keep the spelling they were added with; lookups compare ASCII case-insensitively
/// without allocating.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field.
    public struct Field: Sendable, Equatable {
        /// The field name, spelled as added.
        public var name: String
        /// The field value.
        public var value: String

        /// A field named `name` holding `value`.
        @inlinable
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    @usableFromInline var fields: [Field]

    /// Creates an empty header list.
    @inlinable
    public init() { fields = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// Sets the field at `index` (`index` ≤ `count`) from its raw bytes, overwriting the field
    /// there: a list is refilled in place, without allocating while its storage is not shared
    /// (copy-on-write allocates when it is; `removeAll(keepingCapacity:)` costs more, callgrind). A `String` already there with the same bytes is kept: a keep-alive
    /// client sends the same fields request after request, so most refills create no string,
    /// and allocate none for the long ones (a browser's `User-Agent` or `Accept`).
    package mutating func overwrite(at index: Int, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        guard index < fields.count else {
            fields.append(Field(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
            return
        }
        if !Self.holds(fields[index].name, bytes: name) { fields[index].name = String(decoding: name, as: UTF8.self) }
        if !Self.holds(fields[index].value, bytes: value) { fields[index].value = String(decoding: value, as: UTF8.self) }
    }

    /// Whether `text` is exactly `bytes`. Bytes that are not valid UTF-8 never match (the
    /// `String` made of them holds replacement characters instead), so they are decoded anew.
    private static func holds(_ text: String, bytes: UnsafeRawBufferPointer) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
    }

    /// Whether both lists hold the same fields byte for byte. `==` compares strings by Unicode
    /// canonical equivalence, so two spellings of one accented value are equal to it; a writer
    /// reusing the bytes of an earlier list needs this instead. A list compared with a copy of
    /// itself is one pointer test.
    package func hasSameBytes(as other: HTTPHeaders) -> Bool {
        let shared = fields.withUnsafeBufferPointer { mine in
            other.fields.withUnsafeBufferPointer { $0.baseAddress == mine.baseAddress && $0.count == mine.count }
        }
        if shared { return true }
        guard fields.count == other.fields.count else { return false }
        return zip(fields, other.fields).allSatisfy { $0.name.hasSameBytes(as: $1.name) && $0.value.hasSameBytes(as: $1.value) }
    }

    /// Drops the fields from `count` on, after a refill by `overwrite(at:name:value:)`.
    package mutating func truncate(to count: Int) {
        if fields.count > count { fields.removeLast(fields.count - count) }
    }

    /// The number of fields, duplicates included.
    public var count: Int { fields.count }

    /// Appends a field, keeping any earlier field of the same name.
    @inlinable
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` with one field holding `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The value of the first field named `name`, or nil.
    public subscript(name: String) -> String? {
        // An index loop: `first(where:)` copied each field out through a closure, even for a
        // one-field list (callgrind). Lengths are compared here before calling the
        // full comparison: a name of another length is the usual miss (`Host` for `Accept`).
        let length = name.utf8.count
        for index in fields.indices
        where fields[index].name.utf8.count == length && fields[index].name.equalsIgnoringASCIICase(name) {
            return fields[index].value
        }
        return nil
    }

    /// Every value of the fields named `name`, in order.
    public func values(named name: String) -> [String] {
        fields.filter { $0.name.equalsIgnoringASCIICase(name) }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}
