import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import Testing

@Suite struct DispatchTests {
    @Test func welcomeGoesFirstThenTheUpdateInTheVictimsLanguage() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        try fixture.queue(.arrest)
        let gateway = RecordingGateway()
        let dispatcher = fixture.dispatcher(gateway: gateway)
        while try await dispatcher.runOnce() > 0 {}
        let sent = gateway.sent
        #expect(sent.count == 4)
        for address in ["+18165550142", "robert@example.org"] {
            let mine = sent.filter { $0.to == address }
            #expect(mine.count == 2)
            #expect(mine.first?.body.contains(address == "+18165550142" ? "migratorio" : "immigration status") == true)
        }
        #expect(sent.first { $0.to == "+18165550142" && $0.body.contains("KC-2025-004512") }?.language == "es")
        #expect(try fixture.allMessages().allSatisfy { $0.state == .sent })
    }

    @Test func G1_aContactPointOptedOutBetweenQueueingAndDispatchReceivesNothing() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        try fixture.queue(.chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2)]))
        try fixture.optOut(contactPoint: jose.contactPoints[0].id)
        let gateway = RecordingGateway()
        let dispatcher = fixture.dispatcher(gateway: gateway)
        while try await dispatcher.runOnce() > 0 {}
        #expect(!gateway.sent.contains { $0.to == "+18165550142" })
        #expect(gateway.sent.filter { $0.to == "robert@example.org" }.count == 2)
        let joseMessages = try fixture.allMessages().filter { $0.contactPointId == jose.contactPoints[0].id }
        #expect(joseMessages.count == 2 && joseMessages.allSatisfy { $0.state == .suppressed })
    }

    @Test func G1_consentWithdrawnWhileAMessageWaitsForRetryStopsTheRetry() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let gateway = RecordingGateway(script: [.transient(reason: "503 from provider")])
        let dispatcher = fixture.dispatcher(gateway: gateway)
        try await dispatcher.runOnce()
        try fixture.optOut(contactPoint: jose.contactPoints[0].id)
        fixture.clock.advance(by: 3600)
        try await dispatcher.runOnce()
        #expect(gateway.sent.count == 1)
        #expect(try fixture.allMessages().first?.state == .suppressed)
    }

    @Test func G6_aMissingTranslationQueuesNothing() throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        let before = try fixture.allMessages().count
        #expect {
            try fixture.queue(.custom, UpdateFields(text: ["en": "Only English was written."]))
        } throws: { error in
            (error as? AvisoError)?.kind == .missingTranslation && (error as? AvisoError)?.detail.contains("'es'") == true
        }
        #expect(try fixture.allMessages().count == before)
    }

    @Test func transientFailuresRetryWithBackoffThenSucceed() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let gateway = RecordingGateway(script: [.transient(reason: "timeout"), .transient(reason: "429")])
        let dispatcher = fixture.dispatcher(gateway: gateway)
        try await dispatcher.runOnce()
        var message = try #require(try fixture.allMessages().first)
        #expect(message.state == .queued && message.attempts == 1 && message.lastError == "timeout")
        // Backoff: first retry 30–60 s after, with jitter; nothing is due before that.
        #expect(message.scheduledFor.timeIntervalSince(fixture.clock.now()) >= 30)
        #expect(try await dispatcher.runOnce() == 0)
        fixture.clock.advance(by: 61)
        try await dispatcher.runOnce()
        fixture.clock.advance(by: 121)
        try await dispatcher.runOnce()
        message = try #require(try fixture.allMessages().first)
        #expect(message.state == .sent && message.attempts == 3 && message.providerId != nil)
    }

    @Test func retriesStopAtTheLimitAndPermanentFailuresStopAtOnce() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        let gateway = RecordingGateway { message in
            message.channel == .sms ? .transient(reason: "connection refused") : .permanent(reason: "550 mailbox unavailable")
        }
        let dispatcher = fixture.dispatcher(gateway: gateway, retry: RetryPolicy(maxAttempts: 3, baseDelay: 10, maxDelay: 10))
        for _ in 0..<5 {
            try await dispatcher.runOnce()
            fixture.clock.advance(by: 11)
        }
        let messages = try fixture.allMessages()
        let sms = try #require(messages.first { $0.channel == .sms })
        let email = try #require(messages.first { $0.channel == .email })
        #expect(sms.state == .failed && sms.attempts == 3 && sms.lastError?.contains("gave up after 3 attempts") == true)
        #expect(email.state == .failed && email.attempts == 1 && email.lastError?.contains("550") == true)
    }

    @Test func aCancelledUpdateSendsNothingMore() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let gateway = RecordingGateway()
        let dispatcher = fixture.dispatcher(gateway: gateway)
        try await dispatcher.runOnce()
        let update = try fixture.queue(.arrest)
        let cancelled = try fixture.store.cancelUpdate(id: try #require(update.id), by: fixture.captain, now: fixture.clock.now())
        #expect(cancelled.state == .cancelled && cancelled.messages.allSatisfy { $0.state == .cancelled })
        #expect(try await dispatcher.runOnce() == 0)
        #expect(gateway.sent.count == 1)
        #expect(throws: AvisoError.self) { try fixture.store.cancelUpdate(id: update.id!, by: fixture.captain, now: fixture.clock.now()) }
    }

    @Test func anUpdateWhoseMessagesWereAllHandedOffCannotBeCancelled() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let update = try fixture.queue(.arrest)
        let dispatcher = fixture.dispatcher(gateway: RecordingGateway())
        while try await dispatcher.runOnce() > 0 {}
        #expect(throws: AvisoError.self) { try fixture.store.cancelUpdate(id: update.id!, by: fixture.captain, now: fixture.clock.now()) }
    }

    @Test func quietHoursHoldRoutineMessagesUntilMorning() async throws {
        let fixture = try StoreFixture(now: instant("2026-06-10T22:15"))
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.queue(.arrest)
        try fixture.queue(.escape)
        let gateway = RecordingGateway()
        let dispatcher = fixture.dispatcher(gateway: gateway)
        while try await dispatcher.runOnce() > 0 {}
        // The escape is urgent: it goes at night, right after the welcome it pulls forward. The arrest waits for 08:00.
        #expect(gateway.sent.count == 2)
        #expect(gateway.sent.first?.body.contains("migratorio") == true)
        #expect(gateway.sent.last?.body.contains("KC-2025-004512") == true)
        fixture.clock.set(instant("2026-06-11T07:59"))
        #expect(try await dispatcher.runOnce() == 0)
        fixture.clock.set(instant("2026-06-11T08:00"))
        while try await dispatcher.runOnce() > 0 {}
        #expect(gateway.sent.count == 3)
    }

    @Test func messagesInFlightWhenTheDaemonDiedAreDueAgainAndTheLogSaysSo() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(claimed.count == 1)
        #expect(try fixture.store.recoverInFlight(now: fixture.clock.now()) == 1)
        let again = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(again.map(\.outbound.messageId) == claimed.map(\.outbound.messageId))
        #expect(again.first?.outbound.attempt == 2)
        let export = try fixture.store.contactLog(messageId: claimed[0].outbound.messageId)
        #expect(export.map(\.kind) == ["attempt", "recovered", "attempt"])
        #expect(export[1].detail?.contains("may arrive twice") == true)
    }

    @Test func aCourtDateChangeCancelsTheOldRemindersAndSchedulesNewOnes() throws {
        let fixture = try StoreFixture(now: instant("2026-02-02T12:00"))
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let first = try fixture.queue(.courtDate, UpdateFields(startsAt: "2026-03-03T09:00", place: "Jackson County Courthouse"))
        #expect(first.messages.filter { $0.event == .courtDateReminder }.count == 2)
        let changed = try fixture.queue(
            .courtDateChanged, UpdateFields(startsAt: "2026-03-17T09:00", place: "Jackson County Courthouse", hearingUpdateId: first.id))
        let old = try fixture.store.update(id: first.id!)
        #expect(old.messages.filter { $0.event == .courtDateReminder }.allSatisfy { $0.state == .cancelled })
        #expect(
            changed.messages.filter { $0.event == .courtDateReminder }.map(\.scheduledFor) == [
                instant("2026-03-10T10:00"), instant("2026-03-16T10:00"),
            ])
        #expect(changed.messages.first?.body?.contains("3 de marzo") == true)
        #expect(changed.messages.first?.body?.contains("17 de marzo") == true)
    }

    @Test func aPreviewQueuesNothing() throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let before = try fixture.allMessages().count
        let preview = try fixture.queue(.chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2)]), dryRun: true)
        #expect(preview.id == nil && preview.messages.count == 1)
        #expect(preview.messages[0].segments != nil && preview.messages[0].encoding == .ucs2)
        #expect(try fixture.allMessages().count == before)
    }

    @Test func aPersonInTwoCasesIsOneVictim() throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.openCase("KC-2025-004600")
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        #expect(throws: AvisoError.self) {
            try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", caseNumber: "KC-2025-004600")
        }
        let linked = try fixture.store.linkVictim(jose.id, toCase: "KC-2025-004600", now: fixture.clock.now())
        #expect(linked.cases == ["KC-2025-004512", "KC-2025-004600"])
    }
}

/// The daemon's two-deep loop: while one batch is with the gateway the next
/// is claimed, and still each victim's messages go one at a time, welcome first.
@Suite struct PipelineTests {
    @Test func aVictimsMessagesGoOneAtATimeInOrderWelcomeFirst() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        for index in 0..<5 {
            try fixture.addVictim("Victim \(index)", language: index % 2 == 0 ? "es" : "en", phone: "+1816555\(String(format: "%04d", 100 + index))")
        }
        try fixture.queue(.arrest)
        try fixture.queue(.plea)
        try fixture.queue(.sentencing)
        let gateway = StallingGateway(delay: .milliseconds(5))
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: gateway], clock: fixture.clock, settings: .init(batchSize: 3, concurrency: 3),
            logger: .init(label: "test"))
        #expect(try await dispatcher.runUntilIdle() == 20)
        let messages = try fixture.allMessages()
        #expect(messages.count == 20 && messages.allSatisfy { $0.state == .sent })
        for point in Set(messages.map(\.contactPointId)) {
            let order = messages.filter { $0.contactPointId == point }.sorted { $0.id! < $1.id! }
            let attempts = try order.map { try fixture.store.contactLog(messageId: $0.id!).first { $0.kind == "attempt" }!.id }
            #expect(order.map(\.event) == [.welcome, .arrest, .plea, .sentencing])
            #expect(attempts == attempts.sorted(), "contact point \(point) was handed its messages out of order")
            let sentAt = try order.map { try fixture.store.contactLog(messageId: $0.id!).first { $0.kind == "sent" }!.id }
            for (attempt, previousSent) in zip(attempts.dropFirst(), sentAt) {
                #expect(attempt > previousSent, "a message was claimed before the previous one to the same victim was recorded")
            }
        }
    }
}
