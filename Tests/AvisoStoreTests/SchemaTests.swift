import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Testing

@Suite struct SchemaTests {
    @Test func consentAndContactLogsAreAppendOnly() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let dispatcher = fixture.dispatcher(gateway: RecordingGateway())
        try await dispatcher.runOnce()
        let db = try DatabaseQueue(path: fixture.store.path)
        for sql in [
            "UPDATE consent_records SET state = 'opted_out'", "DELETE FROM consent_records", "UPDATE contact_log SET detail = 'edited'",
            "DELETE FROM contact_log",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try db.write { try $0.execute(sql: sql) } }
        }
        let counts = try await db.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM consent_records")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM contact_log")!)
        }
        #expect(counts.0 == 1 && counts.1 == 2)
    }

    @Test func theAccessLogIsAppendOnlyAndVerified() async throws {
        let fixture = try StoreFixture()
        for index in 1...3 {
            try fixture.store.recordAccess(
                actor: fixture.captain.actor, action: "GET /v1/victims/{id}", object: "/v1/victims/\(index)", client: "127.0.0.1", outcome: 200,
                at: fixture.clock.now())
        }
        let db = try DatabaseQueue(path: fixture.store.path)
        for sql in ["UPDATE access_log SET outcome = 404", "DELETE FROM access_log"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try db.write { try $0.execute(sql: sql) } }
        }
        #expect(try fixture.store.verifyAuditChains().isEmpty)
        try await db.write { db in
            try db.execute(sql: "DROP TRIGGER access_log_no_update")
            try db.execute(sql: "UPDATE access_log SET object = '/v1/victims/9' WHERE id = 2")
        }
        #expect(
            try fixture.store.verifyAuditChains().map(\.description) == [
                "access_log row 2: the content does not match its hash (the row was altered)"
            ])
    }

    @Test func theSchemaHoldsNoImmigrationData() throws {
        let fixture = try StoreFixture()
        let columns = try DatabaseQueue(path: fixture.store.path).read { db in
            try String.fetchAll(db, sql: "SELECT p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'")
        }
        #expect(columns.count > 50)
        for column in columns {
            for word in ["immigra", "citizen", "birth", "nationality", "passport", "visa", "ssn", "alien", "document"] {
                #expect(!column.lowercased().contains(word), "column \(column)")
            }
        }
    }

    @Test func invariantsAreEnforcedByTheSchema() throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let db = try DatabaseQueue(path: fixture.store.path)
        try db.write { db in
            try db.execute(sql: "INSERT INTO victims (display_name, language, time_zone, created_at) VALUES ('A', 'es', 'America/Chicago', 0)")
        }
        // A phone number must be E.164, a channel must be known, a message state must be known, a victim must exist.
        for sql in [
            "INSERT INTO contact_points (victim_id, channel, address, created_at) VALUES (1, 'sms', '8165550142', 0)",
            "INSERT INTO contact_points (victim_id, channel, address, created_at) VALUES (1, 'fax', '+18165550142', 0)",
            "INSERT INTO contact_points (victim_id, channel, address, created_at) VALUES (99, 'sms', '+18165550142', 0)",
            "UPDATE cases SET status = 'archived'",
        ] {
            #expect(throws: DatabaseError.self, "\(sql)") { try db.write { try $0.execute(sql: sql) } }
        }
    }

    @Test func theHashChainNamesTheFirstAlteredRow() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        try await fixture.dispatcher(gateway: RecordingGateway()).runOnce()
        #expect(try fixture.store.verifyAuditChains().isEmpty)
        let db = try DatabaseQueue(path: fixture.store.path)
        try await db.write { db in
            try db.execute(sql: "DROP TRIGGER contact_log_no_update")
            try db.execute(sql: "UPDATE contact_log SET detail = 'attempt 9' WHERE id = 2")
        }
        let breaks = try fixture.store.verifyAuditChains()
        #expect(breaks == [ChainBreak(table: "contact_log", rowId: 2, reason: "the content does not match its hash (the row was altered)")])
    }
}

extension StoreFixture {
    func dispatcher(gateway: RecordingGateway, retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 60, maxDelay: 600)) -> Dispatcher {
        let gateways: [Channel: any MessageGateway] = [.sms: gateway, .email: gateway]
        return Dispatcher(store: store, gateways: gateways, clock: clock, settings: .init(batchSize: 50, retry: retry), logger: .init(label: "test"))
    }
}

/// `avisod audit verify` must catch every kind of tampering done directly in SQLite.
@Suite struct AuditChainTests {
    func fixtureWithHistory() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        try fixture.queue(.arrest)
        try await fixture.dispatcher(gateway: RecordingGateway()).runOnce()
        try await fixture.dispatcher(gateway: RecordingGateway()).runOnce()
        #expect(try fixture.store.verifyAuditChains().isEmpty)
        return fixture
    }

    func tamper(_ fixture: StoreFixture, _ sql: String...) async throws {
        let db = try DatabaseQueue(path: fixture.store.path)
        try await db.write { db in
            for trigger in ["contact_log_no_update", "contact_log_no_delete", "consent_records_no_update", "consent_records_no_delete"] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
            for statement in sql { try db.execute(sql: statement) }
        }
    }

    @Test func anEditedRowIsNamed() async throws {
        let fixture = try await fixtureWithHistory()
        try await tamper(fixture, "UPDATE contact_log SET actor = 'staff:9' WHERE id = 4")
        #expect(
            try fixture.store.verifyAuditChains().map(\.description) == [
                "contact_log row 4: the content does not match its hash (the row was altered)"
            ])
    }

    @Test func anEditedConsentRecordIsNamed() async throws {
        let fixture = try await fixtureWithHistory()
        try await tamper(fixture, "UPDATE consent_records SET method = 'written' WHERE id = 2")
        #expect(
            try fixture.store.verifyAuditChains().map(\.description) == [
                "consent_records row 2: the content does not match its hash (the row was altered)"
            ])
    }

    @Test func aDeletedRowIsNamed() async throws {
        let fixture = try await fixtureWithHistory()
        try await tamper(fixture, "DELETE FROM contact_log WHERE id = 3")
        #expect(try fixture.store.verifyAuditChains().first?.description.hasPrefix("contact_log row 4: expected row 3 here") == true)
    }

    @Test func rowsDeletedFromTheEndAreNamed() async throws {
        let fixture = try await fixtureWithHistory()
        try await tamper(fixture, "DELETE FROM consent_records WHERE id = (SELECT max(id) FROM consent_records)")
        #expect(try fixture.store.verifyAuditChains().first?.description == "consent_records row 3: rows 3 to 3 were deleted from the end of the log")
    }

    @Test func reorderedRowsAreNamed() async throws {
        let fixture = try await fixtureWithHistory()
        // Swap the content of rows 2 and 3, keeping each row's own hash: the chain links break.
        try await tamper(
            fixture,
            "UPDATE contact_log SET id = -2 WHERE id = 2", "UPDATE contact_log SET id = 2 WHERE id = 3", "UPDATE contact_log SET id = 3 WHERE id = -2"
        )
        let breaks = try fixture.store.verifyAuditChains()
        #expect(breaks.first?.table == "contact_log" && breaks.first?.rowId == 2)
    }

    @Test func aPurgedBodyDoesNotBreakTheChain() async throws {
        let fixture = try await fixtureWithHistory()
        let db = try DatabaseQueue(path: fixture.store.path)
        try await db.write { try $0.execute(sql: "UPDATE messages SET body = NULL") }
        #expect(try fixture.store.verifyAuditChains().isEmpty)
    }
}
