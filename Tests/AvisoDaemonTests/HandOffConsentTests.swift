import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Synchronization
import Testing

/// A gateway that runs `beforeWrite` at the last moment before it would write
/// a message out (after any wait), then asks `mayHandOff` as the real ones do,
/// and records what it wrote.
final class LastMomentGateway: MessageGateway, Sendable {
    let name = "last-moment"
    let written = Mutex<[OutboundMessage]>([])
    let beforeWrite: @Sendable (OutboundMessage) -> Void

    init(beforeWrite: @escaping @Sendable (OutboundMessage) -> Void = { _ in }) { self.beforeWrite = beforeWrite }

    func send(_ message: OutboundMessage) async -> GatewayOutcome {
        written.withLock { $0.append(message) }
        return .sent(providerId: "lm-\(message.messageId)-\(message.attempt)")
    }

    func send(_ message: OutboundMessage, mayHandOff: @Sendable () -> Bool) async -> GatewayOutcome {
        beforeWrite(message)
        guard mayHandOff() else { return .consentWithdrawn }
        return await send(message)
    }

    var addresses: [String] { written.withLock { $0.map(\.to) } }
}

/// G1 as SPEC §7 words it: consent is checked at the moment of hand-off, not
/// only at the claim. A STOP committed at any point between the claim and
/// the write stops the message; only the opt-out confirmation goes.
@Suite struct HandOffConsentTests {
    static let ana = "+18165550142"
    static let luis = "+18165550143"

    /// Two victims welcomed, then an arrest update claimed in one batch.
    func fixture() throws -> (StoreFixture, [String: Int64]) {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let a = try fixture.addVictim("Ana Ruiz", language: "es", phone: Self.ana)
        let b = try fixture.addVictim("Luis Gómez", language: "es", phone: Self.luis)
        return (fixture, [Self.ana: a.contactPoints[0].id, Self.luis: b.contactPoints[0].id])
    }

    func dispatcher(_ fixture: StoreFixture, _ gateway: any MessageGateway, concurrency: Int = 1, batch: Int = 10) -> Dispatcher {
        Dispatcher(
            store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock,
            settings: .init(batchSize: batch, concurrency: concurrency, pollInterval: .milliseconds(20)), logger: .init(label: "test"))
    }

    /// Dispatches until nothing more can go: a message that became due while its
    /// contact point had one in flight goes in a later pass.
    func drain(_ dispatcher: Dispatcher) async throws {
        while try await dispatcher.runUntilIdle() > 0 {}
    }

    func stop(_ fixture: StoreFixture, from phone: String) {
        _ = try? fixture.store.receiveInbound(providerId: nil, from: phone, body: "STOP", planner: fixture.planner, now: fixture.clock.now())
    }

    func states(_ fixture: StoreFixture, contactPoint: Int64) throws -> [String: String] {
        let queue = try DatabaseQueue(path: fixture.store.path)
        return try queue.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(
                    db, sql: "SELECT event, state FROM messages WHERE contact_point_id = ?", arguments: [contactPoint]
                )
                .map { ($0["event"] as String, $0["state"] as String) })
        }
    }

    @Test func aStopCommittedAfterTheClaimStopsAMessageWaitingInItsBatch() async throws {
        let (fixture, points) = try fixture()
        try await drain(dispatcher(fixture, LastMomentGateway()))  // the welcomes
        try fixture.queue(.arrest)
        // Ana's arrest notice is handed off first; while it is, Luis replies STOP. His notice,
        // claimed in the same batch, has not been handed off yet.
        let gateway = LastMomentGateway { message in
            if message.to == Self.ana { self.stop(fixture, from: Self.luis) }
        }
        try await drain(dispatcher(fixture, gateway))

        #expect(gateway.addresses.filter { $0 == Self.ana }.count == 1)
        let toLuis = gateway.written.withLock { $0.filter { $0.to == Self.luis } }
        #expect(toLuis.count == 1, "only the opt-out confirmation reaches Luis: \(toLuis.map(\.body))")
        let luis = try states(fixture, contactPoint: points[Self.luis]!)
        #expect(luis["arrest"] == "suppressed")
        #expect(luis["opt_out_confirmation"] == "sent")
        let arrest = try #require(fixture.allMessages().first { $0.event == .arrest && $0.contactPointId == points[Self.luis]! }?.id)
        let log = try fixture.store.contactLog(messageId: arrest)
        #expect(log.last?.kind == "suppressed" && log.last?.detail?.contains("opted out after the message was claimed") == true, "\(log)")
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func aStopCommittedWhileTheGatewayWaitsStopsTheMessageBeforeItIsWritten() async throws {
        let (fixture, points) = try fixture()
        try await drain(dispatcher(fixture, LastMomentGateway()))
        try fixture.queue(.arrest)
        // The STOP commits inside the gateway, after its wait, right before it would write Luis's notice.
        let stopped = Mutex(false)
        let gateway = LastMomentGateway { message in
            guard message.to == Self.luis, !stopped.withLock({ $0 }) else { return }
            stopped.withLock { $0 = true }
            self.stop(fixture, from: Self.luis)
        }
        try await drain(dispatcher(fixture, gateway))
        let luis = try states(fixture, contactPoint: points[Self.luis]!)
        #expect(luis["arrest"] == "suppressed")
        #expect(gateway.written.withLock { $0.filter { $0.to == Self.luis }.count } == 1)
        #expect(try states(fixture, contactPoint: points[Self.ana]!)["arrest"] == "sent")
    }

    @Test func aStartAfterTheStopLetsTheNextMessageGo() async throws {
        let (fixture, points) = try fixture()
        try await drain(dispatcher(fixture, LastMomentGateway()))
        stop(fixture, from: Self.luis)
        _ = try fixture.store.receiveInbound(providerId: nil, from: Self.luis, body: "START", planner: fixture.planner, now: fixture.clock.now())
        #expect(!fixture.store.revocations.isWithdrawn(points[Self.luis]!))
        try fixture.queue(.arrest)
        try await drain(dispatcher(fixture, LastMomentGateway()))
        let luis = try states(fixture, contactPoint: points[Self.luis]!)
        #expect(luis["arrest"] == "sent", "\(luis)")
    }

    /// The opt-out storm, in process: updates queued while STOP and START replies
    /// arrive at random during a concurrent, two-batches-deep dispatch. After a STOP
    /// is acknowledged (its call returned, as the webhook's 200 would), nothing but
    /// the opt-out confirmation may be written to that number until a START.
    @Test(arguments: 0..<6)
    func noMessageIsWrittenAfterAnAcknowledgedStop(seed: Int) async throws {
        var random = SplitMix64(state: UInt64(seed) &* 104_729 &+ 3)
        let fixture = try StoreFixture()
        try fixture.openCase()
        let phones = (0..<12).map { "+1816555\(String(format: "%04d", 200 + $0))" }
        for (index, phone) in phones.enumerated() { try fixture.addVictim("Victim \(index)", language: index % 2 == 0 ? "es" : "en", phone: phone) }
        let ledger = StormLedger()
        let gateway = LastMomentGateway { _ in }
        let checking = CheckingWrites(inner: gateway, ledger: ledger, path: fixture.store.path)
        let dispatcher = dispatcher(fixture, checking, concurrency: 4, batch: 5)
        let running = Task { try await dispatcher.run() }
        for _ in 0..<120 {
            let phone = phones.randomElement(using: &random)!
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:
                _ = try? fixture.queue([Event.arrest, .plea, .escape].randomElement(using: &random)!)
                dispatcher.wake()
            case 2, 3:
                _ = try fixture.store.receiveInbound(providerId: nil, from: phone, body: "STOP", planner: fixture.planner, now: fixture.clock.now())
                ledger.acknowledged.withLock { _ = $0.insert(phone) }
                dispatcher.wake()
            default:
                ledger.acknowledged.withLock { _ = $0.remove(phone) }
                _ = try fixture.store.receiveInbound(providerId: nil, from: phone, body: "START", planner: fixture.planner, now: fixture.clock.now())
                dispatcher.wake()
            }
            await Task.yield()
        }
        // Let the queue drain, then stop.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline,
            try fixture.allMessages().contains(where: { $0.state == .queued || $0.state == .sending })
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        dispatcher.beginShutdown()
        try await running.value
        #expect(gateway.written.withLock { $0.count } > 0, "seed \(seed): nothing was handed off")
        #expect(ledger.violations.withLock { $0 } == [], "seed \(seed)")
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }
}

/// What the storm acknowledged and what broke G1, shared by the test and its gateway.
final class StormLedger: Sendable {
    let acknowledged = Mutex<Set<String>>([])
    let violations = Mutex<[String]>([])
}

/// Wraps a gateway: a message written to a number whose STOP was acknowledged
/// before the last check is a violation, unless it is the opt-out confirmation.
final class CheckingWrites: MessageGateway, Sendable {
    let name = "checking-writes"
    let inner: LastMomentGateway
    let ledger: StormLedger
    let path: String

    init(inner: LastMomentGateway, ledger: StormLedger, path: String) {
        self.inner = inner
        self.ledger = ledger
        self.path = path
    }

    func send(_ message: OutboundMessage) async -> GatewayOutcome { await inner.send(message) }

    func send(_ message: OutboundMessage, mayHandOff: @Sendable () -> Bool) async -> GatewayOutcome {
        // Acknowledged before the last check: the check must refuse it.
        let stopAcknowledged = ledger.acknowledged.withLock { $0.contains(message.to) }
        guard mayHandOff() else { return .consentWithdrawn }
        if stopAcknowledged {
            let event = try? await DatabaseQueue(path: path).read { db in
                try String.fetchOne(db, sql: "SELECT event FROM messages WHERE id = ?", arguments: [message.messageId])
            }
            if event != Event.optOutConfirmation.rawValue {
                ledger.violations.withLock { $0.append("message \(message.messageId) (\(event ?? "?")) written after an acknowledged STOP") }
            }
        }
        return await inner.send(message)
    }
}
