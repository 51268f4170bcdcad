import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import Testing

/// SIGTERM's path through the dispatcher: stop claiming, give in-flight
/// hand-offs the grace period, record what finished, queue the rest again.
@Suite struct DispatcherShutdownTests {
    /// Three victims with a phone each: three welcomes due now, one per contact point.
    func fixtureWithThreeWelcomes() throws -> StoreFixture {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Luis Gómez", language: "es", phone: "+18165550143")
        try fixture.addVictim("Robert Hill", language: "en", phone: "+18165550144")
        return fixture
    }

    func dispatcher(_ fixture: StoreFixture, _ gateway: StallingGateway, grace: Duration) -> Dispatcher {
        Dispatcher(
            store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock,
            settings: .init(batchSize: 10, concurrency: 1, pollInterval: .milliseconds(50), shutdownGrace: grace), logger: .init(label: "test"))
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        // Generous: other suites block the cooperative threads with child processes while this one waits.
        let deadline = ContinuousClock.now + .seconds(240)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func aHandOffThatOutlastsTheGraceIsQueuedAgainAndTheLogSaysItMayArriveTwice() async throws {
        let fixture = try fixtureWithThreeWelcomes()
        let gateway = StallingGateway(delay: .seconds(120))
        let dispatcher = dispatcher(fixture, gateway, grace: .milliseconds(200))
        let running = Task { try await dispatcher.run() }
        try await waitUntil { gateway.started == 1 }
        let stopAsked = ContinuousClock.now
        dispatcher.beginShutdown()
        try await running.value
        #expect(ContinuousClock.now - stopAsked < .seconds(60), "shutdown waited for the stalled gateway")
        #expect(gateway.started == 1, "no hand-off starts once shutdown began")

        let messages = try fixture.allMessages()
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0.state == .queued })
        let logs = try messages.map { try fixture.store.contactLog(messageId: $0.id!).map(\.kind) }
        #expect(logs.filter { $0 == ["attempt", "recovered"] }.count == 1)
        #expect(logs.filter { $0 == ["attempt", "retry"] }.count == 2)
        #expect(messages.filter { $0.attempts == 0 }.count == 2, "a hand-off that never started does not use up an attempt")
    }

    @Test func aHandOffThatFinishesWithinTheGraceIsRecordedAsSent() async throws {
        let fixture = try fixtureWithThreeWelcomes()
        let gateway = StallingGateway(delay: .milliseconds(300))
        let dispatcher = dispatcher(fixture, gateway, grace: .seconds(5))
        let running = Task { try await dispatcher.run() }
        try await waitUntil { gateway.started == 1 }
        dispatcher.beginShutdown()
        try await running.value
        #expect(gateway.finished == 1)
        let states = try fixture.allMessages().map(\.state)
        #expect(states.filter { $0 == .sent }.count == 1)
        #expect(states.filter { $0 == .queued }.count == 2)

        // The next start sends the other two, and nothing twice.
        let next = Dispatcher(
            store: fixture.store, gateways: [.sms: RecordingGateway()], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
        while try await next.runOnce() > 0 {}
        #expect(try fixture.allMessages().allSatisfy { $0.state == .sent })
    }

    @Test func theLoopBeatsAtLeastAsOftenAsTheWatchdogNeeds() async throws {
        let fixture = try StoreFixture()
        let beats = LineSink()
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [:], clock: fixture.clock,
            settings: .init(pollInterval: .seconds(60), heartbeatInterval: .milliseconds(50)), logger: .init(label: "test"),
            onHeartbeat: { beats.write("beat") })
        let running = Task { try await dispatcher.run() }
        // Left to the 60 s poll interval, an idle loop would beat once in this time.
        try await waitUntil { beats.all.count >= 5 }
        dispatcher.beginShutdown()
        try await running.value
        #expect(dispatcher.lastHeartbeat != nil)
    }
}
