import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import GRDB
import Testing

extension StoreFixture {
    /// Queues (or previews) an update on a pattern as `staff` (the fixture's captain by default).
    @discardableResult
    func queue(
        _ event: Event, _ fields: UpdateFields = UpdateFields(), pattern: Int64, by staff: StaffAccount? = nil, dryRun: Bool = false
    ) throws -> UpdateView {
        let validated = try fields.validated(for: event, catalog: planner.catalog, departmentZone: chicago)
        return try store.queueUpdate(
            UpdateRequest(event: event, fields: validated, sendAt: nil), target: .pattern(pattern), by: staff ?? captain, planner: planner,
            now: clock.now(), dryRun: dryRun)
    }

    /// Two robbery cases at 24th and Quincy linked into a pattern; José is a victim of both.
    func robberyPattern() throws -> (pattern: PatternView, jose: VictimView, luis: VictimView, robert: VictimView) {
        try openCase("KC-2025-004512")
        try openCase("KC-2025-004519")
        let jose = try addVictim("José Pérez", language: "es", phone: "+18165550142", caseNumber: "KC-2025-004512")
        let luis = try addVictim("Luis Gómez", language: "es-MX", phone: "+18165550143", email: "luis@example.org", caseNumber: "KC-2025-004519")
        let robert = try addVictim("Robert Hill", language: "en", email: "robert@example.org", caseNumber: "KC-2025-004519")
        _ = try store.linkVictim(jose.id, toCase: "KC-2025-004519", now: clock.now())
        let pattern = try store.createPattern(
            PatternCreate(name: "24th & Quincy robberies", caseNumbers: ["KC-2025-004512", "KC-2025-004519"]), by: captain, now: clock.now())
        return (pattern, jose, luis, robert)
    }
}

@Suite struct PatternTests {
    @Test func aPatternIsCreatedRenamedLinkedAndUnlinked() throws {
        let fixture = try StoreFixture()
        let (pattern, jose, _, _) = try fixture.robberyPattern()
        #expect(pattern.cases == ["KC-2025-004512", "KC-2025-004519"] && pattern.otherCases == 0)
        let renamed = try fixture.store.renamePattern(id: pattern.id, to: "  24th & Quincy series ", by: fixture.captain)
        #expect(renamed.name == "24th & Quincy series")
        #expect(throws: AvisoError.self) { try fixture.store.renamePattern(id: pattern.id, to: "   ", by: fixture.captain) }
        #expect(throws: AvisoError.self) {
            try fixture.store.createPattern(PatternCreate(name: "24th & Quincy series"), by: fixture.captain, now: fixture.clock.now())
        }
        // A case may be in two patterns.
        let other = try fixture.store.createPattern(
            PatternCreate(name: "Prospect Ave robberies", caseNumbers: ["KC-2025-004512"]), by: fixture.captain, now: fixture.clock.now())
        #expect(other.cases == ["KC-2025-004512"])
        let shown = try fixture.store.pattern(id: pattern.id, for: fixture.captain)
        // José is on both cases and is listed once.
        #expect(shown.victims?.map(\.displayName) == ["José Pérez", "Luis Gómez", "Robert Hill"])
        #expect(shown.victims?.filter { $0.id == jose.id }.count == 1)
        let unlinked = try fixture.store.unlinkCase("KC-2025-004519", fromPattern: pattern.id, by: fixture.captain)
        #expect(unlinked.cases == ["KC-2025-004512"])
        #expect { try fixture.store.unlinkCase("KC-2025-004519", fromPattern: pattern.id, by: fixture.captain) } throws: {
            ($0 as? AvisoError)?.kind == .notFound
        }
        #expect(try fixture.store.patterns(for: fixture.captain).map(\.name) == ["24th & Quincy series", "Prospect Ave robberies"])
    }

    @Test func aPatternUpdateTellsEachVictimOnceInTheirLanguageWithTheirOwnCase() throws {
        let fixture = try StoreFixture()
        let (pattern, jose, luis, robert) = try fixture.robberyPattern()
        let before = try fixture.allMessages().count
        let update = try fixture.queue(.arrest, pattern: pattern.id)
        #expect(update.target == .pattern && update.patternId == pattern.id && update.caseNumber == nil)
        let messages = try fixture.allMessages().dropFirst(before).filter { $0.updateId == update.id }
        // One per contact point: José (on both cases) one SMS, Luis an SMS and an email, Robert an email.
        #expect(messages.count == 4)
        #expect(messages.filter { $0.victimId == jose.id }.count == 1)
        let joseMessage = try #require(messages.first { $0.victimId == jose.id })
        #expect(joseMessage.language == "es" && joseMessage.body?.contains("Hubo un arresto en su caso KC-2025-004512") == true)
        #expect(joseMessage.caseNumber == "KC-2025-004512")
        for message in messages where message.victimId == luis.id {
            #expect(message.language == "es" && message.caseNumber == "KC-2025-004519")
            #expect(message.body?.contains("KC-2025-004519") == true)
        }
        let robertMessage = try #require(messages.first { $0.victimId == robert.id })
        #expect(robertMessage.language == "en" && robertMessage.body?.contains("arrest in your case KC-2025-004519") == true)
        #expect(update.reach?.summary == "3 victims: 3 told; of those told: 3 queued")
        // The update shows, cancels and lists like a case update.
        let shown = try fixture.store.update(id: try #require(update.id))
        #expect(shown.patternName == "24th & Quincy robberies" && shown.messageCount == 4 && shown.progress == .queued)
        #expect(try fixture.store.updates(target: .pattern(pattern.id)).map(\.id) == [update.id])
        #expect(try fixture.store.updates(target: .caseNumber("KC-2025-004519")).map(\.id) == [update.id])
        let cancelled = try fixture.store.cancelUpdate(id: try #require(update.id), by: fixture.captain, now: fixture.clock.now())
        #expect(cancelled.progress == .cancelled && cancelled.messageStates == ["cancelled": 4])
    }

    @Test func aCaptainsPatternUpdateReachesOnlyTheCasesAssignedToThem() throws {
        let fixture = try StoreFixture()
        let (pattern, _, _, _) = try fixture.robberyPattern()
        let (captainB, _) = try fixture.store.createStaff(StaffCreate(name: "Capt. Omar Said", role: .captain), now: fixture.clock.now())
        _ = try fixture.store.createCase(
            CaseCreate(number: "KC-2025-004600", offense: "armed_robbery", unit: "Robbery Unit").validated(catalog: fixture.planner.catalog),
            by: captainB, now: fixture.clock.now())
        let marta = try fixture.store.addVictim(
            VictimCreate(
                displayName: "Marta Ruiz", language: "es", timeZone: "America/Chicago",
                contactPoints: [
                    ContactPointCreate(
                        channel: .sms, address: "+18165550177", consent: ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "2026-01"))
                ]
            ).validated(catalog: fixture.planner.catalog), toCase: "KC-2025-004600", by: captainB, planner: fixture.planner, now: fixture.clock.now())
        // Captain B may not link a case they cannot see, nor see the pattern before they link one of theirs.
        #expect { try fixture.store.requireAccess(captainB, patternId: pattern.id) } throws: { ($0 as? AvisoError)?.kind == .notFound }
        _ = try fixture.store.linkCase("KC-2025-004600", toPattern: pattern.id, by: captainB, now: fixture.clock.now())
        try fixture.store.requireAccess(captainB, patternId: pattern.id)
        let seenByB = try fixture.store.pattern(id: pattern.id, for: captainB)
        #expect(seenByB.cases == ["KC-2025-004600"] && seenByB.otherCases == 2 && seenByB.victims?.map(\.id) == [marta.id])

        let byB = try fixture.queue(.arrest, pattern: pattern.id, by: captainB)
        #expect(Set(byB.messages.map(\.victimId)) == [marta.id])
        #expect(byB.warnings?.contains { $0.contains("2 linked cases are not assigned to you") } == true)
        let byA = try fixture.queue(.arrest, pattern: pattern.id)
        #expect(byA.messages.allSatisfy { $0.victimId != marta.id } && byA.messageCount == 4)
        // Captain A sees the update B queued, but none of the messages on B's case.
        let seenByA = try fixture.store.update(id: try #require(byB.id), for: fixture.captain)
        #expect(seenByA.messages.isEmpty && seenByA.reach?.victimCount == 0)
        // A supervisor reaches every linked case.
        let (supervisor, _) = try fixture.store.createStaff(StaffCreate(name: "Sgt. Ines Mora", role: .supervisor), now: fixture.clock.now())
        #expect(try fixture.queue(.arrest, pattern: pattern.id, by: supervisor).reach?.victimCount == 4)
    }

    @Test func theReachNamesWhoIsNotToldAndWhy() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        let pending = try fixture.addVictim("Ana López", language: "es", phone: "+18165550144", consent: false)
        let nothing = try fixture.addVictim("Pedro Díaz", language: "es")
        try fixture.addVictim("Rosa Vega", language: "es", phone: "+18165550145", discreet: true)
        let preview = try fixture.queue(.arrest, dryRun: true)
        let reach = try #require(preview.reach)
        #expect(reach.summary == "5 victims: 3 told (1 in discreet mode), 1 has not consented, 1 has no contact point")
        #expect(reach.victims.prefix(2).map(\.victimId) == [pending.id, nothing.id])
        #expect(reach.victims.first { $0.victimId == pending.id }?.outcome == .consentPending)
        let discreet = try #require(reach.victims.first { $0.victimName == "Rosa Vega" })
        #expect(discreet.outcome == .told && discreet.instead == "discreet" && discreet.contacts.map(\.channel) == [.sms])
        #expect(preview.messages.first { $0.victimName == "Rosa Vega" }?.event == .discreet)

        // A victim with no template in their language: the preview says so, queueing fails whole (G6).
        let custom = try fixture.queue(.custom, UpdateFields(text: ["es": "Hola."]), dryRun: true)
        let english = try #require(custom.reach?.victims.first { $0.victimName == "Robert Hill" })
        #expect(english.outcome == .noTemplate && english.detail?.contains("'en'") == true)
        #expect(custom.warnings?.contains { $0.hasPrefix("Queueing would fail") } == true)
        #expect(throws: AvisoError.self) { try fixture.queue(.custom, UpdateFields(text: ["es": "Hola."])) }

        // Opted out: told no more.
        try fixture.optOut(contactPoint: jose.contactPoints[0].id)
        let update = try fixture.queue(.arrest)
        #expect(update.reach?.outcomes == ["told": 2, "opted_out": 1, "consent_pending": 1, "no_contact_point": 1])
        // Recorded with the update: later consent does not rewrite who was not told.
        _ = try fixture.store.recordConsent(
            ConsentInput(state: .optedIn, method: .verbal, wordingVersion: "2026-01"), contactPointId: pending.contactPoints[0].id,
            by: fixture.captain, planner: fixture.planner, now: fixture.clock.now())
        let shown = try fixture.store.update(id: try #require(update.id))
        #expect(shown.reach?.outcomes == ["told": 2, "opted_out": 1, "consent_pending": 1, "no_contact_point": 1])
        #expect(shown.reach?.statuses == ["queued": 2])
    }

    @Test func afterSendingTheUpdateShowsEachMessagesRealState() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        let gateway = RecordingGateway { message in message.channel == .email ? .permanent(reason: "550 mailbox unavailable") : nil }
        let dispatcher = fixture.dispatcher(gateway: gateway)
        try await dispatcher.runOnce()
        let update = try fixture.queue(.arrest)
        #expect(update.progress == .queued && update.messageStates == ["queued": 2])
        for _ in 0..<3 { try await dispatcher.runOnce() }
        let sms = try #require(try fixture.allMessages().first { $0.updateId == update.id && $0.channel == .sms })
        _ = try fixture.store.recordDeliveryReport(
            providerId: try #require(sms.providerId), status: "delivered", errorCode: nil, now: fixture.clock.now())
        let shown = try fixture.store.update(id: try #require(update.id))
        #expect(shown.progress == .done)
        #expect(shown.messageStates == ["delivered": 1, "failed": 1])
        #expect(shown.reach?.statuses == ["delivered": 1, "failed": 1])
        let robert = try #require(shown.reach?.victims.first { $0.victimName == "Robert Hill" })
        #expect(robert.status == .failed && robert.contacts.first?.lastError?.contains("550") == true)
        #expect(shown.reach?.summary == "2 victims: 2 told; of those told: 1 delivered, 1 failed")
        // The case names Robert among those never reached.
        let never = try fixture.store.neverReached(caseNumber: "KC-2025-004512")
        #expect(never.map(\.victimName) == ["Robert Hill"] && never.first?.outcome == .notReachedYet)
    }

    @Test func aChangedHearingCancelsTheOriginalAnnouncementStillQueued() throws {
        let fixture = try StoreFixture(now: instant("2026-06-10T22:00"))
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        // At night: the court_date waits for 08:00; then the date changes before it goes.
        let original = try fixture.queue(.courtDate, UpdateFields(startsAt: "2026-07-03T09:00", place: "Jackson County Courthouse"))
        let originalId = try #require(original.id)
        let hearings = try fixture.store.hearings(target: .caseNumber("KC-2025-004512"))
        #expect(hearings.map(\.updateId) == [originalId] && hearings.first?.status == .scheduled)
        let changed = try fixture.queue(
            .courtDateChanged, UpdateFields(startsAt: "2026-07-10T09:00", place: "Jackson County Courthouse", hearingUpdateId: originalId))
        let old = try fixture.allMessages().filter { $0.updateId == originalId }
        #expect(old.count >= 2 && old.allSatisfy { $0.state == .cancelled })
        let new = try fixture.allMessages().filter { $0.updateId == changed.id && $0.event == .courtDateChanged }
        #expect(new.count == 1 && new.first?.state == .queued)
        let after = try fixture.store.hearings(target: .caseNumber("KC-2025-004512"))
        #expect(after.first { $0.updateId == originalId }?.status == .changed)
        #expect(after.first { $0.updateId == originalId }?.replacedBy == changed.id)
        let list = try fixture.store.updates(target: .caseNumber("KC-2025-004512"))
        #expect(list.map(\.id) == [changed.id, originalId] && list.first?.hearingUpdateId == originalId)
        #expect(list.last?.progress == .done && list.last?.messageStates["cancelled"] == old.count)
    }

    @Test func updatesQueuedBeforePatternsSurviveTheMigration() throws {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("aviso.sqlite").path
        try AvisoStore.migrate(path: path, upTo: "v9: dispatch lanes")
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    INSERT INTO staff_accounts (id, name, role, created_at) VALUES (1, 'Capt. Ana Ruiz', 'captain', 0);
                    INSERT INTO cases (id, number, offense, unit, created_by, created_at) VALUES (1, 'KC-2025-004512', 'armed_robbery', 'Robbery Unit', 1, 0);
                    INSERT INTO case_staff (case_id, staff_id, assigned_at) VALUES (1, 1, 0);
                    INSERT INTO victims (id, display_name, language, time_zone, created_at) VALUES (1, 'José Pérez', 'es', 'America/Chicago', 0);
                    INSERT INTO case_victims (case_id, victim_id, added_at) VALUES (1, 1, 0);
                    INSERT INTO contact_points (id, victim_id, channel, address, created_at) VALUES (1, 1, 'sms', '+18165550142', 0);
                    INSERT INTO updates (id, case_id, event, created_by, created_at) VALUES (7, 1, 'arrest', 1, 0);
                    INSERT INTO messages (id, update_id, case_id, victim_id, contact_point_id, channel, language, event, body, body_digest, segments, due_at, created_at, updated_at)
                      VALUES (1, 7, 1, 1, 1, 'sms', 'es', 'arrest', 'Hubo un arresto', '\(String(repeating: "0", count: 64))', 1, 0, 0, 0);
                    """)
        }
        let store = try AvisoStore(path: path)
        let update = try store.update(id: 7)
        #expect(update.caseNumber == "KC-2025-004512" && update.target == .case && update.messageCount == 1)
        let checks = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }
        #expect(checks.isEmpty)
        // An update targets a case or a pattern, never both nor neither.
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { try $0.execute(sql: "INSERT INTO updates (event, created_by, created_at) VALUES ('arrest', 1, 0)") }
        }
    }
}
