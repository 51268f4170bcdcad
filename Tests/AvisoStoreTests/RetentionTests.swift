import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import Testing

@Suite struct RetentionTests {
    func closedCaseWithHistory() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        try fixture.queue(.caseClosed)
        _ = try fixture.store.receiveInbound(
            providerId: "SM1", from: "+18165550142", body: "Gracias por todo", planner: fixture.planner, now: fixture.clock.now())
        let dispatcher = fixture.dispatcher(gateway: RecordingGateway())
        while try await dispatcher.runOnce() > 0 {}
        _ = try fixture.store.closeCase(number: "KC-2025-004512", by: fixture.captain, now: fixture.clock.now())
        return fixture
    }

    @Test func bodiesAndContactDetailsArePurgedAfterRetentionAndTheChainHolds() async throws {
        let fixture = try await closedCaseWithHistory()
        let before = try fixture.allMessages()
        #expect(try fixture.store.purgeExpired(olderThan: 365, now: fixture.clock.now().addingTimeInterval(364 * 86400)).cases.isEmpty)
        let summary = try fixture.store.purgeExpired(olderThan: 365, now: fixture.clock.now().addingTimeInterval(366 * 86400))
        #expect(summary.cases == ["KC-2025-004512"] && summary.victims == 1 && summary.replyBodies == 1)
        let after = try fixture.allMessages()
        #expect(after.count == before.count)
        #expect(after.allSatisfy { $0.body == nil })
        #expect(after.map(\.state) == before.map(\.state))
        let victim = try fixture.store.victim(id: 1)
        #expect(victim.displayName == "Victim 1")
        #expect(victim.contactPoints.allSatisfy { $0.address.hasPrefix("purged:") })
        #expect(victim.contactPoints[0].consent.count == 1)
        #expect(try fixture.store.verifyAuditChains().isEmpty)
        let inbox = try fixture.store.inbox(for: fixture.captain, caseNumber: nil, includeHandled: true, includeKeywords: true, limit: 10)
        #expect(inbox.count == 1 && inbox[0].body == nil)
    }

    @Test func aCaseOnLegalHoldKeepsEverything() async throws {
        let fixture = try await closedCaseWithHistory()
        _ = try fixture.store.setLegalHold(number: "KC-2025-004512", hold: true)
        #expect(try fixture.store.purgeExpired(olderThan: 365, now: fixture.clock.now().addingTimeInterval(3000 * 86400)).cases.isEmpty)
        #expect(try fixture.allMessages().allSatisfy { $0.body != nil })
        _ = try fixture.store.setLegalHold(number: "KC-2025-004512", hold: false)
        #expect(try fixture.store.purgeExpired(olderThan: 365, now: fixture.clock.now().addingTimeInterval(3000 * 86400)).cases == ["KC-2025-004512"])
    }

    @Test func aVictimOfAnotherOpenCaseKeepsTheirContactDetails() async throws {
        let fixture = try await closedCaseWithHistory()
        try fixture.openCase("KC-2026-000100")
        _ = try fixture.store.linkVictim(1, toCase: "KC-2026-000100", now: fixture.clock.now())
        let summary = try fixture.store.purgeExpired(olderThan: 365, now: fixture.clock.now().addingTimeInterval(400 * 86400))
        #expect(summary.cases == ["KC-2025-004512"] && summary.victims == 0)
        #expect(try fixture.store.victim(id: 1).displayName == "José Pérez")
        #expect(try fixture.allMessages().allSatisfy { $0.body == nil })
    }

    @Test func aClosedCaseTakesNoUpdates() async throws {
        let fixture = try await closedCaseWithHistory()
        #expect(throws: AvisoError.self) { try fixture.queue(.arrest) }
        #expect(throws: AvisoError.self) { try fixture.store.closeCase(number: "KC-2025-004512", by: fixture.captain, now: fixture.clock.now()) }
    }
}
