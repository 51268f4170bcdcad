import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Testing

/// A reply that may ask to stop but is not clear (SPEC §2.3): staff see it
/// flagged, routine messages to the number wait until staff decide, the
/// victim replies again, or the hold runs out (then it is an opt-out); the
/// hold and its end are in the contact log and the chains stay intact.
@Suite struct PossibleOptOutTests {
    static let jose = "+18165550142"

    /// A Spanish-speaking victim, welcomed, who then writes something unclear.
    func heldVictim(_ reply: String = "Dejen de llamar a mi mamá, alto") async throws -> (StoreFixture, Int64, InboundResult) {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let victim = try fixture.addVictim("José Pérez", language: "es", phone: Self.jose)
        _ = try await send(fixture)
        let result = try fixture.store.receiveInbound(
            providerId: UUID().uuidString, from: Self.jose, body: reply, planner: fixture.planner, now: fixture.clock.now())
        return (fixture, victim.contactPoints[0].id, result)
    }

    func send(_ fixture: StoreFixture) async throws -> [OutboundMessage] {
        let gateway = RecordingGateway()
        let dispatcher = fixture.dispatcher(gateway: gateway)
        while try await dispatcher.runOnce() > 0 {}
        return gateway.sent
    }

    func reply(_ fixture: StoreFixture, _ body: String) throws -> InboundResult {
        try fixture.store.receiveInbound(
            providerId: UUID().uuidString, from: Self.jose, body: body, planner: fixture.planner, now: fixture.clock.now())
    }

    func state(_ fixture: StoreFixture, _ contactPoint: Int64) throws -> ConsentState {
        try fixture.store.victim(id: 1).contactPoints.first { $0.id == contactPoint }!.consentState
    }

    /// The contact log's kinds and details for the contact point, oldest first.
    func log(_ fixture: StoreFixture, _ contactPoint: Int64) throws -> [(kind: String, detail: String)] {
        let queue = try DatabaseQueue(path: fixture.directory.appendingPathComponent("aviso.sqlite").path)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, detail FROM contact_log WHERE contact_point_id = ? ORDER BY id", arguments: [contactPoint])
                .map { ($0["kind"], $0["detail"] ?? "") }
        }
    }

    @Test func anUnclearReplyHoldsRoutineMessagesButNotUrgentOnesUntilStaffDecide() async throws {
        let (fixture, point, result) = try await heldVictim()
        #expect(result.possibleOptOut && result.intent == nil && result.reply == nil)
        #expect(try state(fixture, point) == .optedIn)
        let inbox = try fixture.store.inbox(for: fixture.captain, caseNumber: nil, includeHandled: false, includeKeywords: false, limit: 10)
        #expect(inbox.first?.possibleOptOut == true && inbox.first?.holdUntil == fixture.clock.now().addingTimeInterval(24 * 3600))
        try fixture.queue(.arrest)
        try fixture.queue(.released, UpdateFields(reason: .bond))
        // No acknowledgment, no arrest: only the urgent release goes.
        let during = try await send(fixture)
        #expect(during.count == 1 && during.first?.body.contains("fianza") == true)
        try fixture.store.decidePossibleOptOut(inboundId: result.inboundId, optOut: false, by: fixture.captain, now: fixture.clock.now())
        let after = try await send(fixture)
        #expect(after.count == 1 && after.first?.body.contains("arresto") == true)
        #expect(try state(fixture, point) == .optedIn)
        let kinds = try log(fixture, point).map(\.kind)
        #expect(kinds.contains("held") && kinds.contains("hold_released") && kinds.contains("cancelled"))
        #expect(try log(fixture, point).contains { $0.kind == "hold_released" && $0.detail.contains("not an opt-out") })
        #expect(
            try fixture.store.inbox(for: fixture.captain, caseNumber: nil, includeHandled: true, includeKeywords: false, limit: 10).first?
                .holdResolution == "not_opt_out")
        #expect(try fixture.store.verifyAuditChains().isEmpty)
        // A decision is made once.
        #expect(throws: AvisoError.self) {
            try fixture.store.decidePossibleOptOut(inboundId: result.inboundId, optOut: true, by: fixture.captain, now: fixture.clock.now())
        }
    }

    @Test func staffDecidingItIsAnOptOutOptsOutWithOneConfirmation() async throws {
        let (fixture, point, result) = try await heldVictim()
        try fixture.queue(.arrest)
        try fixture.store.decidePossibleOptOut(inboundId: result.inboundId, optOut: true, by: fixture.captain, now: fixture.clock.now())
        #expect(try state(fixture, point) == .optedOut)
        let sent = try await send(fixture)
        #expect(sent.count == 1 && sent.first?.body.contains("No le enviaremos más mensajes") == true)
        let record = try fixture.store.victim(id: 1).contactPoints[0].consent.last
        #expect(record?.actor == fixture.captain.actor && record?.method == .keyword)
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func theVictimReplyingAgainReleasesTheHold() async throws {
        let (fixture, point, _) = try await heldVictim()
        try fixture.queue(.arrest)
        // Another unclear reply keeps the hold.
        #expect(try reply(fixture, "No gracias").possibleOptOut)
        #expect(try await send(fixture).isEmpty)
        let answer = try reply(fixture, "¿Cuándo es la corte?")
        #expect(answer.reply == .replyAck)
        let sent = try await send(fixture)
        #expect(sent.count == 2 && sent.contains { $0.body.contains("arresto") })
        #expect(try log(fixture, point).contains { $0.kind == "hold_released" && $0.detail.contains("replied again") })
        #expect(try state(fixture, point) == .optedIn)
    }

    @Test func theVictimOptingOutDuringTheHoldGetsOneConfirmation() async throws {
        let (fixture, point, _) = try await heldVictim()
        try fixture.queue(.arrest)
        #expect(try reply(fixture, "ALTO").reply == .optOutConfirmation)
        let sent = try await send(fixture)
        #expect(sent.count == 1 && sent.first?.body.contains("No le enviaremos más mensajes") == true)
        #expect(try state(fixture, point) == .optedOut)
        // The hold ended with her opt-out: its own confirmation never goes.
        fixture.clock.advance(by: 25 * 3600)
        #expect(try await send(fixture).isEmpty)
        #expect(try log(fixture, point).contains { $0.kind == "hold_released" && $0.detail.contains("opted out") })
    }

    @Test func withoutADecisionTheHoldBecomesAnOptOut() async throws {
        let (fixture, point, _) = try await heldVictim()
        try fixture.queue(.arrest)
        fixture.clock.advance(by: 23 * 3600)
        #expect(try await send(fixture).isEmpty)
        #expect(try state(fixture, point) == .optedIn)
        fixture.clock.advance(by: 3600)
        let sent = try await send(fixture)
        #expect(sent.count == 1 && sent.first?.body.contains("No le enviaremos más mensajes") == true)
        #expect(try state(fixture, point) == .optedOut)
        #expect(try fixture.allMessages().contains { $0.event == .arrest && $0.state == .suppressed })
        #expect(try log(fixture, point).contains { $0.kind == "hold_released" && $0.detail.contains("treated as an opt-out") })
        #expect(try fixture.store.victim(id: 1).contactPoints[0].consent.last?.wording?.contains("no decision in time") == true)
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func clearOptOutsNeedNoDecision() async throws {
        for body in ["Stop, please.", "Please stop texting me", "Gracias. No me manden más mensajes, por favor"] {
            let (fixture, point, result) = try await heldVictim(body)
            #expect(result.intent == .optOut && !result.possibleOptOut, "\(body)")
            #expect(try state(fixture, point) == .optedOut)
        }
    }
}

/// Migration v8 copies the contact log into a table with a wider CHECK; a
/// database that already has a log keeps every row, id and hash, and the
/// chain goes on from where it was.
@Suite struct ContactLogMigrationTests {
    /// Every row of the contact log, every column, in order.
    static func rows(_ db: Database) throws -> [String] {
        try Row.fetchAll(db, sql: "SELECT * FROM contact_log ORDER BY id").map { row in
            row.columnNames.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
        }
    }

    @Test func aLogWrittenBeforeV8SurvivesItUnchanged() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("aviso.sqlite").path
        let now = instant("2026-06-10T12:00")
        do {
            let store = try AvisoStore(path: path)
            let planner = UpdatePlanner(catalog: try repositoryTemplates(), policy: testPolicy())
            let (captain, _) = try store.createStaff(StaffCreate(name: "Capt. Ana Ruiz", role: .captain), now: now)
            _ = try store.createCase(
                CaseCreate(number: "KC-1", offense: "robbery", unit: "Robbery Unit").validated(catalog: planner.catalog), by: captain, now: now)
            let victim = try VictimCreate(
                displayName: "José", language: "es", timeZone: "America/Chicago",
                contactPoints: [
                    ContactPointCreate(
                        channel: .sms, address: "+18165550142", consent: ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "1"))
                ]
            ).validated(catalog: planner.catalog)
            _ = try store.addVictim(victim, toCase: "KC-1", by: captain, planner: planner, now: now)
            _ = try store.claimDue(limit: 10, now: now)
            _ = try store.receiveInbound(providerId: "SM1", from: "+18165550142", body: "¿Cuándo?", planner: planner, now: now)
        }
        // Put the database back as v7 left it: the old CHECK, no holds, no flag, v8 not applied.
        let queue = try DatabaseQueue(path: path)
        let before: [String] = try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE contact_log_v7 (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL CHECK (length(actor) > 0),
                      message_id INTEGER REFERENCES messages(id), contact_point_id INTEGER REFERENCES contact_points(id),
                      kind TEXT NOT NULL CHECK (kind IN ('attempt', 'sent', 'retry', 'failed', 'delivered', 'undelivered',
                        'cancelled', 'suppressed', 'expired', 'recovered', 'inbound', 'purged')),
                      detail TEXT, body_digest TEXT, prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
                      hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64));
                    INSERT INTO contact_log_v7 SELECT * FROM contact_log;
                    DROP TABLE contact_log;
                    ALTER TABLE contact_log_v7 RENAME TO contact_log;
                    UPDATE sqlite_sequence SET name = 'contact_log' WHERE name = 'contact_log_v7';
                    CREATE INDEX contact_log_by_message ON contact_log(message_id);
                    CREATE TRIGGER contact_log_no_update BEFORE UPDATE ON contact_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
                    CREATE TRIGGER contact_log_no_delete BEFORE DELETE ON contact_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;
                    DROP TABLE opt_out_holds;
                    ALTER TABLE inbound_messages DROP COLUMN possible_opt_out;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v8:%';
                    """)
            return try Self.rows(db)
        }
        #expect(before.count >= 2)
        let store = try AvisoStore(path: path)
        let after = try queue.read { db in try Self.rows(db) }
        #expect(after == before)
        #expect(try store.verifyAuditChains().isEmpty)
        // The chain goes on, with the new kinds.
        let planner = UpdatePlanner(catalog: try repositoryTemplates(), policy: testPolicy())
        let held = try store.receiveInbound(providerId: "SM2", from: "+18165550142", body: "No gracias", planner: planner, now: now)
        #expect(held.possibleOptOut)
        let kinds = try queue.read { db in
            try String.fetchAll(db, sql: "SELECT kind FROM contact_log WHERE id > ? ORDER BY id", arguments: [before.count])
        }
        #expect(kinds.contains("held"))
        #expect(try store.verifyAuditChains().isEmpty)
    }
}
