import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A captain sees the cases assigned to them, and nothing of anyone else's.
@Suite struct AccessTests {
    @Test func aCaptainSeesOnlyTheCasesAssignedToThem() async throws {
        let harness = try APIHarness()
        let other = try harness.fixture.store.createStaff(
            StaffCreate(name: "Capt. Omar Said", role: .captain, languages: [try LanguageTag("ar")]), now: harness.fixture.clock.now())
        try await harness.run { client in
            let mine = harness.tokens[.captain]
            #expect(try await client.call(.post, "/v1/cases", as: mine, json: caseJSON).status == .created)
            #expect(try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: mine, json: victimJSON).status == .created)
            let update = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: mine, json: #"{"event": "arrest"}"#)
            let updateId = try #require(try JSONDecoder.iso.decode(UpdateView.self, from: Data(update.body.utf8)).id)

            // Another captain: the case, its victim, its update and its messages do not exist for them.
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/v1/cases/KC-2025-004512", nil as String?), (.get, "/v1/victims/1", nil),
                (.get, "/v1/updates/\(updateId)", nil),
                (.post, "/v1/updates/\(updateId)/cancel", "{}"), (.get, "/v1/messages?case=KC-2025-004512", nil),
                (.post, "/v1/cases/KC-2025-004512/updates", #"{"event": "arrest"}"#), (.post, "/v1/cases/KC-2025-004512/victims", victimJSON),
                (.post, "/v1/contact-points/1/consent", #"{"state": "opted_out", "method": "verbal", "wording_version": "2026-01"}"#),
                (.post, "/v1/cases/KC-2025-004512/close", "{}"),
            ] {
                let answer = try await client.call(method, path, as: other.token, json: body)
                #expect(answer.status == .notFound, "\(method) \(path): \(answer.status)")
            }
            #expect(try await client.call(.get, "/v1/cases", as: other.token).body == "[]")
            let messages = try await client.call(.get, "/v1/messages", as: other.token)
            #expect(try JSONDecoder.iso.decode(MessageList.self, from: Data(messages.body.utf8)).messages.isEmpty)

            // Supervisors and auditors see every case; once assigned, the other captain does too.
            #expect(try await client.call(.get, "/v1/cases/KC-2025-004512", as: harness.tokens[.auditor]).status == .ok)
            let assign = try await client.call(.post, "/v1/cases/KC-2025-004512/staff", as: mine, json: #"{"staff_id": \#(other.0.id)}"#)
            #expect(assign.status == .ok && assign.body.contains("Omar Said"))
            #expect(try await client.call(.get, "/v1/cases/KC-2025-004512", as: other.token).status == .ok)
            let auditorId = try harness.fixture.store.staffAccounts().first { $0.role == .auditor }!.id
            let refused = try await client.call(.post, "/v1/cases/KC-2025-004512/staff", as: mine, json: #"{"staff_id": \#(auditorId)}"#)
            #expect(refused.status == .unprocessableContent)
        }
    }
}

extension AccessTests {
    /// No oracle across cases: a number registered on a case the captain cannot see is refused without naming or numbering the victim.
    @Test func aDuplicateNumberOnACaseTheCaptainCannotSeeNamesNoOne() async throws {
        let harness = try APIHarness()
        let other = try harness.fixture.store.createStaff(StaffCreate(name: "Capt. Omar Said", role: .captain), now: harness.fixture.clock.now())
        try await harness.run { client in
            let mine = harness.tokens[.captain]
            #expect(try await client.call(.post, "/v1/cases", as: mine, json: caseJSON).status == .created)
            let first = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: mine, json: victimJSON)
            #expect(first.status == .created)
            let theirCase = #"{"number": "KC-2025-000900", "offense": "armed_robbery", "unit": "Robbery Unit"}"#
            #expect(try await client.call(.post, "/v1/cases", as: other.token, json: theirCase).status == .created)
            let refused = try await client.call(.post, "/v1/cases/KC-2025-000900/victims", as: other.token, json: victimJSON)
            #expect(refused.status == .conflict)
            let detail = try problem(refused.body).detail
            #expect(!detail.contains("victim 1") && !detail.contains("José") && !detail.contains("KC-2025-004512"), "\(detail)")
            #expect(detail.contains("supervisor can link"))
            // Whoever may see the first case is told which victim it is.
            let supervisor = try await client.call(.post, "/v1/cases/KC-2025-000900/victims", as: harness.tokens[.supervisor], json: victimJSON)
            #expect(supervisor.status == .conflict)
            #expect(try problem(supervisor.body).detail.contains("victim 1"))
        }
    }
}
