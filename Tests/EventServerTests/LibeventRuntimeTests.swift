import CEventAllocator
@testable import Evhttp
import Testing

/// What the transport finds out about the libevent it runs on (Evhttp/LibeventRuntime.swift).
/// This test process links the LibeventTuning targets, as the eventserver binary does.
@Suite struct LibeventRuntimeTests {
    @Test func theSeriesTheTransportWasWrittenForGetsTheTunedPaths() {
        let runtime = LibeventRuntime(plainRequested: nil)
        #expect(runtime.versionNumber >> 16 == 0x0201)
        #expect(runtime.version.hasPrefix("2.1."))
        #expect(runtime.usesTunedPaths)
        #expect(runtime.plainReason == nil)
        #expect(runtime.warnings.isEmpty)
        #expect(runtime.overridesReached == LibeventRuntime.overrideNames)
        #expect(runtime.overridesMissed.isEmpty)
        #expect(runtime.freeListAllocator == (CEventAllocator.event_allocator_installed() == 1))
    }

    @Test(arguments: ["1", "yes"])
    func theEnvironmentSwitchAsksForThePlainPaths(value: String) {
        let runtime = LibeventRuntime(plainRequested: value)
        #expect(!runtime.usesTunedPaths)
        #expect(runtime.summary.contains("plain paths"))
        #expect(runtime.warnings == ["EVENTSERVER_PLAIN_LIBEVENT is set: using libevent's plain paths"])
    }

    @Test(arguments: ["", "0"])
    func anEmptyOrZeroSwitchLeavesTheTunedPaths(value: String) {
        #expect(LibeventRuntime(plainRequested: value).usesTunedPaths)
    }
}
