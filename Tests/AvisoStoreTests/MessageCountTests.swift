import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Testing

/// message_counts is kept by triggers; it must always equal a count of the messages table.
@Suite struct MessageCountTests {
    func counted(_ fixture: StoreFixture) throws -> [String] {
        try DatabaseQueue(path: fixture.store.path).read { db in
            try Row.fetchAll(db, sql: "SELECT state, channel, language, count(*) AS n FROM messages GROUP BY 1, 2, 3 ORDER BY 1, 2, 3")
                .map { "\($0["state"] as String) \($0["channel"] as String) \($0["language"] as String) \($0["n"] as Int)" }
        }
    }

    func kept(_ fixture: StoreFixture) throws -> [String] {
        try fixture.store.messageCounts().filter { $0.count > 0 }.map { "\($0.state.rawValue) \($0.channel.rawValue) \($0.language) \($0.count)" }
    }

    @Test func theKeptCountsMatchTheMessagesThroughEveryTransition() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Luis Gómez", language: "es-MX", phone: "+18165550143", email: "luis@example.org")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        #expect(try kept(fixture) == counted(fixture))

        let cancelled = try fixture.queue(.arrest, sendAt: fixture.clock.now().addingTimeInterval(3600))
        _ = try fixture.store.cancelUpdate(id: cancelled.id!, by: fixture.captain, now: fixture.clock.now())
        try fixture.queue(.chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2)]))
        try fixture.optOut(contactPoint: jose.contactPoints[0].id)
        let gateway = RecordingGateway(script: [.transient(reason: "timeout"), .permanent(reason: "550 mailbox unavailable")])
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
        while try await dispatcher.runOnce() > 0 {}
        try fixture.store.recoverInFlight(now: fixture.clock.now())

        let states = Set(try fixture.allMessages().map(\.state))
        #expect(states.isSuperset(of: [.sent, .cancelled, .suppressed, .failed, .queued]))
        #expect(try kept(fixture) == counted(fixture))
    }

    @Test func gatewayStatusKeepsTheLastSuccessAndTheLastFailure() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        let gateway = RecordingGateway(name: "spool", decide: { $0.channel == .email ? .transient(reason: "connection refused") : nil })
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
        try await dispatcher.runOnce()
        let status = try #require(try fixture.store.gatewayStatuses().first)
        #expect(status.gateway == "spool")
        #expect(status.lastSentAt == fixture.clock.now() && status.lastFailureAt == fixture.clock.now())
        #expect(status.lastError == "connection refused")
    }
}
