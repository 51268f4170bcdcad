import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// A person answers a person (SPEC §2.5): staff replies, the thread, handled notes.
@Suite struct ConversationTests {
    static let jose = "+18165550142"
    static let robert = "+18165550177"

    /// At 23:00 in Chicago: quiet hours, so only what ignores them goes now.
    func harness() async throws -> APIHarness {
        let harness = try APIHarness(now: instant("2026-06-10T12:00"))
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: Self.jose)
        try harness.fixture.addVictim("Robert Hill", language: "en", phone: Self.robert, discreet: true)
        _ = try await dispatchAll(harness.fixture)
        harness.fixture.clock.advance(by: 11 * 3600)
        return harness
    }

    func inbound(_ harness: APIHarness, from: String, _ body: String) throws -> Int64 {
        try harness.fixture.store.receiveInbound(
            providerId: nil, from: from, body: body, planner: harness.fixture.planner, now: harness.fixture.clock.now()
        )
        .inboundId
    }

    @Test func aStaffReplyGoesAtOnceAtNightOnTheNumberTheVictimWroteFromAndJoinsTheThread() async throws {
        let harness = try await harness()
        let question = try inbound(harness, from: Self.jose, "¿Cuándo es la corte?")
        _ = try await dispatchAll(harness.fixture)  // the reply_ack
        try await harness.run { client in
            let answer = try await client.call(
                .post, "/v1/inbox/\(question)/reply", as: harness.fixture.captainToken,
                json: #"{"text": "El 3 de marzo a las 9:00. Le llamo mañana."}"#)
            #expect(answer.status == .created)
            let view = try JSONDecoder.iso.decode(StaffReplyView.self, from: Data(answer.body.utf8))
            #expect(view.message.event == .staffReply && view.message.address == Self.jose && view.message.channel == .sms)
            #expect(view.message.body == "El 3 de marzo a las 9:00. Le llamo mañana.")
            #expect(view.message.scheduledFor == harness.fixture.clock.now())
            // The captain speaks Spanish and José is not discreet: nothing to warn about.
            #expect(view.warnings.isEmpty)
        }
        let sent = try await dispatchAll(harness.fixture).sent
        #expect(sent.map(\.to) == [Self.jose])
        #expect(sent.first?.body == "El 3 de marzo a las 9:00. Le llamo mañana.")
        try await harness.run { client in
            #expect(
                try await client.call(
                    .post, "/v1/inbox/\(question)/handled", as: harness.fixture.captainToken, json: #"{"note": "Called him back; date explained."}"#
                ).status == .noContent)
            let response = try await client.call(.get, "/v1/victims/1/conversation", as: harness.fixture.captainToken)
            #expect(response.status == .ok)
            let thread = try JSONDecoder.iso.decode(ConversationView.self, from: Data(response.body.utf8))
            #expect(thread.entries.map(\.direction) == ["outbound", "inbound", "outbound", "outbound"])
            #expect(thread.entries.map(\.event) == ["welcome", nil, "reply_ack", "staff_reply"])
            #expect(thread.entries[1].body == "¿Cuándo es la corte?" && thread.entries[1].state == "handled")
            #expect(thread.entries[1].note == "Called him back; date explained.")
            #expect(thread.entries[3].staff == harness.fixture.captain.name && thread.entries[3].inReplyTo == question)
            #expect(thread.entries[3].state == "sent")
            let inbox = try await client.call(.get, "/v1/inbox?handled=true", as: harness.fixture.captainToken)
            #expect(
                try JSONDecoder.iso.decode(InboxList.self, from: Data(inbox.body.utf8)).replies.first?.handledNote
                    == "Called him back; date explained.")
        }
        // The contact log has the hand-off of the staff reply like any message's.
        let messageId = try #require(try harness.fixture.allMessages().first { $0.event == .staffReply }?.id)
        #expect(try harness.fixture.store.contactLog(messageId: messageId).map(\.kind) == ["attempt", "sent"])
    }

    @Test func theStaffMemberIsWarnedAboutALanguageTheyDoNotListAndADiscreetVictim() async throws {
        let harness = try await harness()
        let question = try inbound(harness, from: Self.robert, "When is court?")
        try await harness.run { client in
            let answer = try await client.call(.post, "/v1/inbox/\(question)/reply", as: harness.fixture.captainToken, json: #"{"text": "Call me."}"#)
            #expect(answer.status == .created)
            let view = try JSONDecoder.iso.decode(StaffReplyView.self, from: Data(answer.body.utf8))
            #expect(view.warnings.count == 2)
            #expect(view.warnings[0].contains("language is en"))
            #expect(view.warnings[1].contains("discreet mode"))
            // Discreet or not, it is the staff member's own text that goes.
            #expect(view.message.body == "Call me.")
        }
    }

    @Test func G1_aStaffReplyGoesThroughTheHandOffConsentCheck() async throws {
        let harness = try await harness()
        let question = try inbound(harness, from: Self.jose, "¿Qué pasó?")
        try await harness.run { client in
            let queued = try await client.call(.post, "/v1/inbox/\(question)/reply", as: harness.fixture.captainToken, json: #"{"text": "Hola"}"#)
            #expect(queued.status == .created)
        }
        // The victim says STOP after the answer was queued, before it was handed off: it is not sent.
        _ = try inbound(harness, from: Self.jose, "ALTO")
        let sent = try await dispatchAll(harness.fixture).sent
        #expect(!sent.contains { $0.body == "Hola" })
        #expect(try harness.fixture.allMessages().first { $0.event == .staffReply }?.state == .suppressed)
        // And once opted out, an answer is refused outright, saying how the victim opts in again.
        try await harness.run { client in
            let refused = try await client.call(.post, "/v1/inbox/\(question)/reply", as: harness.fixture.captainToken, json: #"{"text": "Hola"}"#)
            #expect(refused.status == .conflict)
            #expect(try problem(refused.body).detail.contains("START"))
            let blank = try await client.call(.post, "/v1/inbox/\(question)/reply", as: harness.fixture.captainToken, json: #"{"text": "  "}"#)
            #expect(blank.status == .unprocessableContent)
            #expect(try problem(blank.body).field == "text")
        }
    }

    @Test func staffOptingInANumberTheVictimOptedOutThemselvesNeedAReasonKeptInTheConsentLog() async throws {
        let harness = try await harness()
        _ = try inbound(harness, from: Self.jose, "STOP")
        let uri = "/v1/contact-points/1/consent"
        try await harness.run { client in
            let refused = try await client.call(
                .post, uri, as: harness.fixture.captainToken, json: #"{"state": "opted_in", "method": "verbal", "wording_version": "2026-01"}"#)
            #expect(refused.status == .conflict)
            let refusal = try problem(refused.body)
            #expect(refusal.field == "override_reason" && refusal.detail.contains("replying START"))
            let accepted = try await client.call(
                .post, uri, as: harness.fixture.captainToken,
                json:
                    #"{"state": "opted_in", "method": "verbal", "wording_version": "2026-01", "override_reason": "He asked in person at the station."}"#
            )
            #expect(accepted.status == .created)
        }
        let record = try #require(try harness.fixture.store.victim(id: 1).contactPoints[0].consent.last)
        #expect(record.state == .optedIn)
        #expect(record.wording?.contains("Override of the victim's own opt-out (keyword): He asked in person at the station.") == true)
        #expect(try harness.fixture.store.verifyAuditChains().isEmpty)
    }
}

@Suite struct DepartmentTimeTests {
    @Test func aSendAtInThePastIsRefusedAndTimesWithoutAnOffsetAreTheDepartments() async throws {
        let harness = try APIHarness(now: instant("2026-06-10T12:00"))
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try await harness.run { client in
            let past = try await client.call(
                .post, "/v1/cases/KC-2025-004512/updates/preview", as: harness.fixture.captainToken,
                json: #"{"event": "arrest", "send_at": "2026-06-10T09:00"}"#)
            #expect(past.status == .unprocessableContent)
            let refusal = try problem(past.body)
            #expect(refusal.field == "send_at" && refusal.detail.contains("in the past"))
            // 13:00 typed without an offset is Chicago's 13:00, as is a court date's time.
            let later = try await client.call(
                .post, "/v1/cases/KC-2025-004512/updates/preview", as: harness.fixture.captainToken,
                json:
                    #"{"event": "court_date", "fields": {"starts_at": "2026-07-01T09:00", "place": "Jackson County Courthouse"}, "send_at": "2026-06-10T13:00"}"#
            )
            #expect(later.status == .ok)
            let view = try JSONDecoder.iso.decode(UpdateView.self, from: Data(later.body.utf8))
            #expect(view.messages.first { $0.event == .courtDate }?.scheduledFor == instant("2026-06-10T13:00"))
            // The reminders count back from Chicago's 09:00 on July 1: the day before at 10:00 victim-local.
            #expect(view.messages.contains { $0.event == .courtDateReminder && $0.scheduledFor == instant("2026-06-30T10:00") })
        }
    }

    @Test func everyAnswerNamesTheDepartmentsTimeZone() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            try await client.execute(uri: "/v1/me", method: .get, headers: [.authorization: "Bearer \(harness.fixture.captainToken)"]) { response in
                #expect(response.headers[HTTPField.Name("Aviso-Time-Zone")!] == "America/Chicago")
            }
        }
    }

    @Test func theOffensesAreListedWithTheirWordingPerLanguage() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let response = try await client.call(.get, "/v1/offenses", as: harness.tokens[.auditor])
            #expect(response.status == .ok)
            let list = try JSONDecoder().decode(OffenseList.self, from: Data(response.body.utf8))
            let robbery = try #require(list.offenses.first { $0.code == "armed_robbery" })
            #expect(robbery.names["es"]?.isEmpty == false && robbery.names["en"]?.isEmpty == false)
            #expect(robbery.names["es"] != robbery.names["en"])
            #expect(list.offenses.map(\.code) == list.offenses.map(\.code).sorted())
        }
    }
}
