import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import HummingbirdTesting
import Testing

/// `/v1/patterns` and the reach, update and hearing lists, through the router.
@Suite struct PatternAPITests {
    @Test func aPatternIsBuiltAndAnUpdateToItTellsEachVictimOnce() async throws {
        let harness = try APIHarness()
        let fixture = harness.fixture
        try fixture.openCase("KC-2025-004512")
        try fixture.openCase("KC-2025-004519")
        let jose = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", caseNumber: "KC-2025-004512")
        _ = try fixture.store.linkVictim(jose.id, toCase: "KC-2025-004519", now: fixture.clock.now())
        try fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org", caseNumber: "KC-2025-004519")
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            let created = try await client.call(
                .post, "/v1/patterns", as: captain, json: #"{"name": "24th & Quincy robberies", "case_numbers": ["KC-2025-004512"]}"#)
            #expect(created.status == .created, "\(created.body)")
            let pattern = try JSONDecoder.iso.decode(PatternView.self, from: Data(created.body.utf8))
            let linked = try await client.call(.post, "/v1/patterns/\(pattern.id)/cases", as: captain, json: #"{"case_number": "KC-2025-004519"}"#)
            #expect(linked.status == .created)
            #expect(try JSONDecoder.iso.decode(PatternView.self, from: Data(linked.body.utf8)).cases == ["KC-2025-004512", "KC-2025-004519"])
            // Bad input: a problem, nothing changed.
            let unknown = try await client.call(.post, "/v1/patterns", as: captain, json: #"{"name": "X", "nationality": "MX"}"#)
            #expect(unknown.status == .unprocessableContent)
            let empty = try await client.call(.patch, "/v1/patterns/\(pattern.id)", as: captain, json: #"{"name": " "}"#)
            #expect(empty.status == .unprocessableContent)
            #expect(try problem(empty.body).field == "name")
            let noCase = try await client.call(.post, "/v1/patterns/\(pattern.id)/cases", as: captain, json: #"{"case_number": "KC-0000"}"#)
            #expect(noCase.status == .notFound)
            let taken = try await client.call(.post, "/v1/patterns", as: captain, json: #"{"name": "24th & Quincy robberies"}"#)
            #expect(taken.status == .conflict)

            let preview = try await client.call(.post, "/v1/patterns/\(pattern.id)/updates/preview", as: captain, json: #"{"event": "arrest"}"#)
            #expect(preview.status == .ok)
            let previewed = try JSONDecoder.iso.decode(UpdateView.self, from: Data(preview.body.utf8))
            #expect(previewed.target == .pattern && previewed.messageCount == 2 && previewed.reach?.summary == "2 victims: 2 told")
            let queued = try await client.call(.post, "/v1/patterns/\(pattern.id)/updates", as: captain, json: #"{"event": "arrest"}"#)
            #expect(queued.status == .created)
            let update = try JSONDecoder.iso.decode(UpdateView.self, from: Data(queued.body.utf8))
            let updateId = try #require(update.id)
            #expect(Set(update.messages.map(\.caseNumber)) == ["KC-2025-004512", "KC-2025-004519"] && update.messageCount == 2)
            let list = try await client.call(.get, "/v1/patterns/\(pattern.id)/updates", as: captain)
            #expect(try JSONDecoder.iso.decode(UpdateList.self, from: Data(list.body.utf8)).updates.map(\.id) == [updateId])
            let caseList = try await client.call(.get, "/v1/cases/KC-2025-004519/updates", as: captain)
            #expect(try JSONDecoder.iso.decode(UpdateList.self, from: Data(caseList.body.utf8)).updates.first?.patternId == pattern.id)
            let shown = try await client.call(.get, "/v1/patterns/\(pattern.id)", as: captain)
            let view = try JSONDecoder.iso.decode(PatternView.self, from: Data(shown.body.utf8))
            #expect(view.victims?.count == 2 && view.updates?.map(\.id) == [updateId])
            _ = try fixture.store.receiveInbound(
                providerId: "SMp1", from: "+18165550142", body: "¿Cuándo es la corte?", planner: fixture.planner, now: fixture.clock.now())
            let inbox = try await client.call(.get, "/v1/patterns/\(pattern.id)/inbox", as: captain)
            #expect(try JSONDecoder.iso.decode(InboxList.self, from: Data(inbox.body.utf8)).replies.map(\.body) == ["¿Cuándo es la corte?"])
            let export = try await client.call(.get, "/v1/patterns/\(pattern.id)/export", as: harness.tokens[.auditor])
            #expect(try JSONDecoder.iso.decode(HistoryExport.self, from: Data(export.body.utf8)).cases.count == 2)
            let unlinked = try await client.call(.delete, "/v1/patterns/\(pattern.id)/cases/KC-2025-004519", as: captain)
            #expect(try JSONDecoder.iso.decode(PatternView.self, from: Data(unlinked.body.utf8)).cases == ["KC-2025-004512"])
        }
    }

    @Test func aCaseShowsWhoWasNeverReachedAndItsHearings() async throws {
        let harness = try APIHarness(now: instant("2026-06-10T22:00"))
        let fixture = harness.fixture
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.addVictim("Ana López", language: "es", phone: "+18165550144", consent: false)
        let hearing = try fixture.queue(.courtDate, UpdateFields(startsAt: "2026-07-03T09:00", place: "Jackson County Courthouse"))
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            let shown = try await client.call(.get, "/v1/cases/KC-2025-004512", as: captain)
            let view = try JSONDecoder.iso.decode(CaseView.self, from: Data(shown.body.utf8))
            // Nothing has gone yet (it is night): both are unreached, each with why.
            #expect(view.neverReached?.map(\.outcome) == [.notReachedYet, .consentPending])
            let hearings = try await client.call(.get, "/v1/cases/KC-2025-004512/hearings", as: captain)
            let list = try JSONDecoder.iso.decode(HearingList.self, from: Data(hearings.body.utf8))
            #expect(list.hearings.map(\.updateId) == [try #require(hearing.id)])
            #expect(list.hearings.first?.place == "Jackson County Courthouse")
            let cancelled = try await client.call(
                .post, "/v1/cases/KC-2025-004512/updates", as: captain,
                json: #"{"event": "hearing_cancelled", "fields": {"hearing_update_id": \#(hearing.id ?? 0)}}"#)
            #expect(cancelled.status == .created, "\(cancelled.body)")
            let after = try await client.call(.get, "/v1/cases/KC-2025-004512/hearings", as: captain)
            #expect(try JSONDecoder.iso.decode(HearingList.self, from: Data(after.body.utf8)).hearings.first?.status == .cancelled)
            // The announcement still waiting for 08:00 is cancelled with its reminders.
            let original = try await client.call(.get, "/v1/updates/\(hearing.id ?? 0)", as: captain)
            #expect(try JSONDecoder.iso.decode(UpdateView.self, from: Data(original.body.utf8)).messageStates?.keys.sorted() == ["cancelled"])
            let wrong = try await client.call(
                .post, "/v1/cases/KC-2025-004512/updates", as: captain, json: #"{"event": "hearing_cancelled", "fields": {"hearing_update_id": 999}}"#
            )
            #expect(wrong.status == .unprocessableContent)
            #expect(try problem(wrong.body).field == "fields.hearing_update_id")
        }
    }
}
