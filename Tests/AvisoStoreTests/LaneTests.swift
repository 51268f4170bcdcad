import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Testing

/// The claim's lanes: answers to the victim first, then urgent events, then
/// routine messages, which updates share, so nothing urgent or small waits
/// behind a fan-out.
@Suite struct LaneTests {
    /// A fan-out case of `many` victims and a small case of three, every welcome already sent.
    func fixture(many: Int) async throws -> StoreFixture {
        let fixture = try StoreFixture()
        try fixture.openCase("KC-2025-000001")
        for index in 0..<many {
            try fixture.addVictim(
                "Victim \(index)", language: index % 2 == 0 ? "es" : "en", phone: "+1816556\(String(format: "%04d", index))",
                caseNumber: "KC-2025-000001")
        }
        try fixture.openCase("KC-2025-000002")
        for index in 0..<3 {
            try fixture.addVictim("Small \(index)", language: "es", phone: "+1816557\(String(format: "%04d", index))", caseNumber: "KC-2025-000002")
        }
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: RecordingGateway()], clock: fixture.clock, settings: .init(batchSize: 500),
            logger: .init(label: "test"))
        while try await dispatcher.runUntilIdle() > 0 {}
        #expect(try fixture.allMessages().allSatisfy { $0.state == .sent })
        return fixture
    }

    func events(_ claimed: [ClaimedMessage]) -> [Event] { claimed.map(\.event) }

    @Test func aSmallUpdateQueuedAfterAFanOutSharesTheGateway() async throws {
        let fixture = try await fixture(many: 80)
        try fixture.queue(.plea, caseNumber: "KC-2025-000001")
        fixture.clock.advance(by: 1)
        let small = try fixture.queue(.plea, caseNumber: "KC-2025-000002")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(claimed.count == 10)
        let smallIds = Set(small.messages.compactMap(\.id))
        #expect(smallIds.count == 3)
        #expect(Set(claimed.map(\.outbound.messageId)).isSuperset(of: smallIds), "the 3-victim update waits behind the 80-victim one")
    }

    @Test func urgentEventsAndAnswersToAVictimGoBeforeRoutineMessages() async throws {
        let fixture = try await fixture(many: 80)
        try fixture.queue(.plea, caseNumber: "KC-2025-000001")
        fixture.clock.advance(by: 1)
        try fixture.queue(.escape, caseNumber: "KC-2025-000002")
        _ = try fixture.store.receiveInbound(
            providerId: nil, from: "+18165560007", body: "STOP", planner: fixture.planner, now: fixture.clock.now())
        let claimed = try fixture.store.claimDue(limit: 4, now: fixture.clock.now())
        #expect(events(claimed).first == .optOutConfirmation, "\(events(claimed))")
        #expect(events(claimed).dropFirst() == [.escape, .escape, .escape], "\(events(claimed))")
    }

    @Test func retriedAndRecoveredMessagesKeepTheirLane() async throws {
        let fixture = try await fixture(many: 4)
        try fixture.queue(.escape, caseNumber: "KC-2025-000002")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(claimed.count == 3)
        try fixture.store.recoverInFlight(now: fixture.clock.now())
        try fixture.queue(.plea, caseNumber: "KC-2025-000001")
        let again = try fixture.store.claimDue(limit: 3, now: fixture.clock.now())
        #expect(events(again) == [.escape, .escape, .escape])
    }

    @Test func theClaimReadsEveryLaneThroughItsIndex() throws {
        let fixture = try StoreFixture()
        let queue = try DatabaseQueue(path: fixture.store.path)
        let plan = try queue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT m.id FROM messages m JOIN contact_points cp ON cp.id = m.contact_point_id
                    WHERE m.state = 'queued' AND m.lane = 2 AND m.update_id = 1 AND m.due_at <= 0 ORDER BY m.due_at, m.id LIMIT 10
                    """
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("messages_due_by_lane") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "the claim sorts instead of reading in index order: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN m") }, "\(plan)")
    }
}
