import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Synchronization
import Testing

/// A gateway that, at the instant of every hand-off, reads the contact point's
/// consent and the message's event from its own test's database and records any
/// hand-off G1 forbids. It keeps no state shared with other tests: the one
/// message G1 allows to an opted-out number, the opt-out confirmation, is
/// recognized by its event in the same database.
final class ConsentCheckingGateway: MessageGateway, Sendable {
    let name = "checking"
    let path: String
    let violations = Mutex<[String]>([])
    let handed = Mutex(0)

    init(path: String) { self.path = path }

    func send(_ message: OutboundMessage) async -> GatewayOutcome {
        handed.withLock { $0 += 1 }
        do {
            let (state, event, held) = try await DatabaseQueue(path: path).read { db in
                (
                    try String.fetchOne(db, sql: "SELECT consent_state FROM contact_points WHERE address = ?", arguments: [message.to]),
                    try String.fetchOne(db, sql: "SELECT event FROM messages WHERE id = ?", arguments: [message.messageId]),
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT EXISTS (SELECT 1 FROM opt_out_holds h JOIN contact_points cp ON cp.id = h.contact_point_id
                                           WHERE cp.address = ? AND h.resolved_at IS NULL)
                            """, arguments: [message.to]) ?? false
                )
            }
            if state != "opted_in" && event != Event.optOutConfirmation.rawValue {
                violations.withLock {
                    $0.append("message \(message.messageId) (\(event ?? "?")) handed off while the contact point was \(state ?? "?")")
                }
            }
            // A possible opt-out holds routine messages (SPEC §2.3): only urgent ones, answers and the confirmation go.
            if held, let event = event.flatMap(Event.init(rawValue:)), !event.isUrgent && !event.isReply && event != .optOutConfirmation {
                violations.withLock { $0.append("message \(message.messageId) (\(event.rawValue)) handed off during a possible opt-out's hold") }
            }
        } catch {
            violations.withLock { $0.append("message \(message.messageId): the database could not be read at hand-off: \(error)") }
        }
        return .sent(providerId: "chk-\(message.messageId)-\(message.attempt)")
    }
}

@Suite struct ConsentPropertyTests {
    @Test(arguments: 0..<40)
    func G1_noInterleavingHandsAMessageToAnOptedOutContactPoint(seed: Int) async throws {
        var random = SplitMix64(state: UInt64(seed) &* 7919 &+ 17)
        let fixture = try StoreFixture()
        try fixture.openCase()
        let phones = ["+18165550142", "+18165550143", "+18165550144"]
        var points: [Int64] = []
        for (index, phone) in phones.enumerated() {
            let victim = try fixture.addVictim("Victim \(index)", language: index == 2 ? "en" : "es", phone: phone)
            points.append(victim.contactPoints[0].id)
        }
        let gateway = ConsentCheckingGateway(path: fixture.store.path)
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway], clock: fixture.clock,
            settings: .init(batchSize: 2, retry: RetryPolicy(maxAttempts: 3, baseDelay: 1, maxDelay: 2)),
            logger: .init(label: "test"))
        for _ in 0..<80 {
            let phone = phones.randomElement(using: &random)!
            let point = points.randomElement(using: &random)!
            switch Int.random(in: 0..<12, using: &random) {
            case 0:
                _ = try? fixture.queue([Event.arrest, .plea, .escape, .caseClosed].randomElement(using: &random)!)
            case 1:
                _ = try fixture.store.receiveInbound(
                    providerId: nil, from: phone, body: ["ALTO", "stop", "No más mensajes"].randomElement(using: &random)!, planner: fixture.planner,
                    now: fixture.clock.now())
            case 2:
                _ = try fixture.store.receiveInbound(
                    providerId: nil, from: phone, body: ["START", "sí"].randomElement(using: &random)!, planner: fixture.planner,
                    now: fixture.clock.now())
            case 3:
                try fixture.optOut(contactPoint: point)
            case 5, 8:
                // Unclear replies, and staff deciding them either way.
                _ = try fixture.store.receiveInbound(
                    providerId: nil, from: phone,
                    body: ["Dejen de llamar a mi mamá, alto", "No gracias", "Stop calling my mother"].randomElement(using: &random)!,
                    planner: fixture.planner, now: fixture.clock.now())
            case 6:
                let open = try await DatabaseQueue(path: fixture.store.path).read { db in
                    try Int64.fetchAll(db, sql: "SELECT inbound_id FROM opt_out_holds WHERE resolved_at IS NULL")
                }
                if let inbound = open.randomElement(using: &random) {
                    try fixture.store.decidePossibleOptOut(
                        inboundId: inbound, optOut: Bool.random(using: &random), by: fixture.captain, now: fixture.clock.now())
                }
            case 7 where Int.random(in: 0..<4, using: &random) == 0:
                // Long enough for an undecided hold to run out.
                fixture.clock.advance(by: 25 * 3600)
            case 4:
                // After the victim's own STOP, staff opting in again need a reason (SPEC §2.3).
                _ = try fixture.store.recordConsent(
                    ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "2026-01", overrideReason: "the victim asked in person"),
                    contactPointId: point, by: fixture.captain,
                    planner: fixture.planner,
                    now: fixture.clock.now())
            default:
                try await dispatcher.runOnce()
            }
            fixture.clock.advance(by: Double.random(in: 0...5, using: &random))
        }
        #expect(gateway.handed.withLock { $0 } > 0, "seed \(seed) handed nothing off: the property was not exercised")
        let holds = try await DatabaseQueue(path: fixture.store.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM opt_out_holds") }
        #expect((holds ?? 0) > 0, "seed \(seed) opened no hold: possible opt-outs were not exercised")
        #expect(gateway.violations.withLock { $0 } == [], "seed \(seed)")
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }
}
