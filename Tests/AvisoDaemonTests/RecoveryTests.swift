import AvisoCore
import AvisoDaemon
import AvisoGateways
import AvisoStore
import AvisoTesting
import Foundation
import Synchronization
import Testing

/// Counts the hand-offs that reach the wrapped gateway, and passes reconciliation through.
final class CountingGateway: MessageGateway, Sendable {
    let inner: any MessageGateway
    let sends = Mutex<[Int64]>([])
    var name: String { inner.name }

    init(_ inner: any MessageGateway) { self.inner = inner }

    func send(_ message: OutboundMessage) async -> GatewayOutcome {
        sends.withLock { $0.append(message.messageId) }
        return await inner.send(message)
    }

    func reconcile(_ message: OutboundMessage) async -> Reconciliation { await inner.reconcile(message) }
}

/// After a crash, a message left in flight is checked with its gateway before it is sent again (G3, and fewer duplicates than G3 allows).
@Suite struct RecoveryTests {
    @Test func aMessageTheSpoolAlreadyHoldsIsRecordedSentAndNotSentAgain() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("Ana Ruiz", language: "es", phone: "+18165550142")
        try fixture.addVictim("Luis Gómez", language: "es", phone: "+18165550143")
        let spool = try SpoolGateway(
            directory: try temporaryDirectory("spool"), composer: EmailComposer(fromAddress: "avisos@kcpd.example", fromName: "KCPD"),
            smsFrom: "+18165550100")
        // The daemon claims both welcomes, hands Ana's to the spool, and dies before recording anything.
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(claimed.count == 2)
        let ana = try #require(claimed.first { $0.outbound.to == "+18165550142" })
        let luis = try #require(claimed.first { $0.outbound.to == "+18165550143" })
        #expect(await spool.send(ana.outbound) == .sent(providerId: "spool-\(ana.outbound.messageId)"))

        let counting = CountingGateway(spool)
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: counting, .email: counting], clock: fixture.clock, settings: .init(),
            logger: .init(label: "test"))
        try await dispatcher.recover()
        try await dispatcher.runUntilIdle()

        #expect(counting.sends.withLock { $0 } == [luis.outbound.messageId], "only the message the spool does not hold is sent")
        let messages = try fixture.allMessages()
        #expect(messages.allSatisfy { $0.state == .sent })
        #expect(messages.first { $0.id == ana.outbound.messageId }?.providerId == "spool-\(ana.outbound.messageId)")
        let anaLog = try fixture.store.contactLog(messageId: ana.outbound.messageId).map(\.kind)
        #expect(anaLog == ["attempt", "recovered", "sent"], "\(anaLog)")
        let luisLog = try fixture.store.contactLog(messageId: luis.outbound.messageId)
        #expect(luisLog.map(\.kind) == ["attempt", "recovered", "attempt", "sent"])
        #expect(luisLog[1].detail?.contains("does not have it") == true, "\(luisLog[1])")
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func aGatewayThatCannotTellGetsTheMessageAgainAndTheLogSaysSo() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("Ana Ruiz", language: "es", phone: "+18165550142")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        let gateway = RecordingGateway()
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
        try await dispatcher.recover()
        try await dispatcher.runUntilIdle()
        #expect(gateway.sent.map(\.messageId) == claimed.map(\.outbound.messageId))
        let log = try fixture.store.contactLog(messageId: claimed[0].outbound.messageId)
        #expect(log[1].kind == "recovered" && log[1].detail?.contains("may arrive twice") == true)
    }
}
