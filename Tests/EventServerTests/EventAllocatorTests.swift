import CEventAllocator
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// libevent's free-list allocator (Sources/CEventAllocator): what libevent relies on from malloc,
/// realloc and free, and that it is installed in a process that did not ask for the system one.
@Suite struct EventAllocatorTests {
    /// Unless the environment asks for the system allocator (the AddressSanitizer run does).
    @Test func isInstalledBeforeMain() {
        let asked = getenv("EVENTSERVER_SYSTEM_ALLOCATOR").map { String(cString: $0) } ?? ""
        let systemAllocatorAsked = !asked.isEmpty && asked != "0"
        #expect(event_allocator_installed() == (systemAllocatorAsked ? 0 : 1))
    }

    @Test func blocksAreAlignedAndReusedBySize() throws {
        let sizes = [0, 1, 15, 16, 17, 200, 1024, 1025, 4096 + 48, 16384, 16385, 100_000]
        for size in sizes {
            let block = try #require(event_allocator_malloc(size))
            #expect(UInt(bitPattern: block) % 16 == 0, "size \(size)")
            memset(block, 0xA5, max(size, 1))
            event_allocator_free(block)
            // A freed block of a size class comes back for the next request of that class; a
            // large one (over 16 KiB) goes back to malloc.
            let again = try #require(event_allocator_malloc(size))
            if size <= 16384 { #expect(again == block, "size \(size)") }
            event_allocator_free(again)
        }
        event_allocator_free(nil)
    }

    @Test func reallocKeepsTheBytesAcrossClasses() throws {
        var block = try #require(event_allocator_malloc(10))
        let pattern = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var filled = 10
        pattern.withUnsafeBytes { block.copyMemory(from: $0.baseAddress!, byteCount: filled) }
        // Within its class, then to larger classes, then past 16 KiB (malloc's), then larger still.
        for size in [16, 900, 3000, 16384, 40000, 100_000] {
            block = try #require(event_allocator_realloc(block, size))
            let kept = UnsafeRawBufferPointer(start: block, count: filled)
            #expect(Array(kept) == Array(pattern[..<filled]), "grown to \(size)")
            pattern.withUnsafeBytes { block.copyMemory(from: $0.baseAddress!, byteCount: size) }
            filled = size
        }
        block = try #require(event_allocator_realloc(block, 500))  // shrinks into a class
        #expect(Array(UnsafeRawBufferPointer(start: block, count: 500)) == Array(pattern[..<500]))
        #expect(event_allocator_realloc(block, 0) == nil)  // frees, as realloc(p, 0) does
        let fresh = try #require(event_allocator_realloc(nil, 64))
        event_allocator_free(fresh)
    }

    @Test func keepsABoundedAmountForReuse() throws {
        // Free many blocks of one class: no more than its share is kept; the rest go to malloc.
        let blocks = try (0..<20_000).map { _ in try #require(event_allocator_malloc(48)) }
        let before = event_allocator_cached_bytes()
        for block in blocks { event_allocator_free(block) }
        let kept = event_allocator_cached_bytes() - before
        #expect(kept > 0)
        // A class keeps 128 KiB at most; a block malloc gave spare bytes serves the next class
        // up (the class is read back from its usable size), which keeps its own share.
        #expect(kept <= 2 * 128 * 1024)
        #expect(kept >= 100 * 1024)
    }
}
