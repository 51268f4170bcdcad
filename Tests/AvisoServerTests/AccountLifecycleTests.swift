import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Tokens expire and are revoked, accounts are disabled, wrong tokens lock an
/// address out, and every request lands in the access log (CJIS 5.4–5.6).
@Suite struct AccountLifecycleTests {
    static func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(body.utf8))
    }

    @Test func aRevokedTokenIsRefusedAtOnceAndTheRevocationIsLogged() async throws {
        let harness = try APIHarness()
        let admin = try #require(harness.tokens[.admin])
        let captain = harness.fixture.captain
        try await harness.run { client in
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .ok)
            let list = try Self.decode(TokenList.self, try await client.call(.get, "/v1/staff/\(captain.id)/tokens", as: admin).body)
            let token = try #require(list.tokens.first)
            #expect(token.state == "active")
            #expect(token.expiresAt == harness.fixture.clock.now().addingTimeInterval(90 * 86_400))
            let revoked = try await client.call(.post, "/v1/tokens/\(token.id)/revoke", as: admin, json: "{}")
            #expect(revoked.status == .ok)
            #expect(try Self.decode(TokenView.self, revoked.body).state == "revoked")
            let refused = try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken)
            #expect(refused.status == .unauthorized)
            #expect(try problem(refused.body).detail.contains("revoked"))
        }
        let log = try harness.fixture.store.accessLog(limit: 100)
        #expect(
            log.contains { $0.action == "token.revoke" && $0.actor.hasPrefix("staff:") && $0.object?.contains("staff account \(captain.id)") == true }
        )
    }

    @Test func anExpiredTokenIsRefusedAndANewOneWorks() async throws {
        let harness = try APIHarness()
        let admin = try #require(harness.tokens[.admin])
        let captain = harness.fixture.captain
        try await harness.run { client in
            let made = try await client.call(.post, "/v1/staff/\(captain.id)/tokens", as: admin, json: #"{"label": "laptop", "lifetime_days": 1}"#)
            #expect(made.status == .created)
            let token = try Self.decode(TokenView.self, made.body)
            let secret = try #require(token.token)
            #expect(token.label == "laptop")
            #expect(try await client.call(.get, "/v1/me", as: secret).status == .ok)
            harness.fixture.clock.advance(by: 86_400 + 1)
            #expect(try await client.call(.get, "/v1/me", as: secret).status == .unauthorized)
            // The captain's first token lives 90 days; it still works.
            #expect(try await client.call(.get, "/v1/me", as: harness.fixture.captainToken).status == .ok)
            let listed = try Self.decode(TokenList.self, try await client.call(.get, "/v1/me/tokens", as: harness.fixture.captainToken).body)
            #expect(listed.tokens.first { $0.id == token.id }?.state == "expired")
            #expect(listed.tokens.allSatisfy { $0.token == nil }, "a token list never shows a token")
            let bad = try await client.call(.post, "/v1/staff/\(captain.id)/tokens", as: admin, json: #"{"lifetime_days": 0}"#)
            #expect(bad.status == .unprocessableContent)
            #expect(try problem(bad.body).field == "lifetime_days")
        }
    }

    @Test func aDisabledAccountsTokensStopAtOnceAndWorkAgainWhenEnabled() async throws {
        let harness = try APIHarness()
        let admin = try #require(harness.tokens[.admin])
        let captain = harness.fixture.captain
        try await harness.run { client in
            let disabled = try await client.call(.post, "/v1/staff/\(captain.id)/disable", as: admin, json: "{}")
            #expect(disabled.status == .ok)
            #expect(try Self.decode(StaffView.self, disabled.body).disabledAt != nil)
            #expect(try await client.call(.get, "/v1/me", as: harness.fixture.captainToken).status == .unauthorized)
            let listed = try Self.decode([StaffView].self, try await client.call(.get, "/v1/staff", as: admin).body)
            #expect(listed.first { $0.id == captain.id }?.disabledAt != nil)
            // A disabled account gets no new token.
            #expect(try await client.call(.post, "/v1/staff/\(captain.id)/tokens", as: admin, json: "{}").status == .conflict)
            #expect(try await client.call(.post, "/v1/staff/\(captain.id)/enable", as: admin, json: "{}").status == .ok)
            #expect(try await client.call(.get, "/v1/me", as: harness.fixture.captainToken).status == .ok)
            // Nobody disables their own account through the API.
            let me = try Self.decode(StaffView.self, try await client.call(.get, "/v1/me", as: admin).body)
            #expect(try await client.call(.post, "/v1/staff/\(me.id)/disable", as: admin, json: "{}").status == .conflict)
        }
        let actions = try harness.fixture.store.accessLog(limit: 100).map(\.action)
        #expect(actions.contains("account.disable") && actions.contains("account.enable"))
    }

    @Test func aCaptainRevokesTheirOwnTokenButNoOneElses() async throws {
        let harness = try APIHarness()
        let (other, otherToken) = try harness.fixture.store.createStaff(
            StaffCreate(name: "Capt. Omar Said", role: .captain), now: harness.fixture.clock.now())
        let otherTokens = try harness.fixture.store.tokens(staffId: other.id, now: harness.fixture.clock.now())
        let mine = try harness.fixture.store.tokens(staffId: harness.fixture.captain.id, now: harness.fixture.clock.now())
        try await harness.run { client in
            let foreign = try await client.call(
                .post, "/v1/tokens/\(try #require(otherTokens.first).id)/revoke", as: harness.fixture.captainToken, json: "{}")
            #expect(foreign.status == .notFound)
            #expect(try await client.call(.get, "/v1/me", as: otherToken).status == .ok)
            #expect(try await client.call(.get, "/v1/staff/\(other.id)/tokens", as: harness.fixture.captainToken).status == .forbidden)
            let own = try await client.call(.post, "/v1/tokens/\(try #require(mine.first).id)/revoke", as: harness.fixture.captainToken, json: "{}")
            #expect(own.status == .ok)
            #expect(try await client.call(.get, "/v1/me", as: harness.fixture.captainToken).status == .unauthorized)
        }
    }

    @Test func fiveWrongTokensLockTheAddressOutForTenMinutes() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            for attempt in 1...5 {
                let wrong = try await client.call(.get, "/v1/cases", as: "aviso_wrong_\(attempt)")
                #expect(wrong.status == .unauthorized, "attempt \(attempt)")
            }
            // Locked: even a valid token from this address waits, and so does a sixth guess.
            for token in [harness.fixture.captainToken, "aviso_wrong_6"] {
                let locked = try await client.execute(uri: "/v1/cases", method: .get, headers: [.authorization: "Bearer \(token)"]) { $0 }
                #expect(locked.status == .tooManyRequests)
                #expect(locked.headers[.retryAfter] == "600")
                #expect(try problem(String(buffer: locked.body)).status == 429)
            }
            harness.fixture.clock.advance(by: 599)
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .tooManyRequests)
            harness.fixture.clock.advance(by: 2)
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .ok)
            // Failures spread over more than ten minutes never lock.
            for _ in 1...8 {
                #expect(try await client.call(.get, "/v1/cases", as: "aviso_slow_guess").status == .unauthorized)
                harness.fixture.clock.advance(by: 150)
            }
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .ok)
        }
        let refused = try harness.fixture.store.accessLog(actor: "unauthenticated", limit: 100)
        #expect(refused.count == 5 + 8)
        #expect(refused.allSatisfy { $0.outcome == 401 })
    }

    @Test func missingTokensDoNotCountTowardsALockout() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            for _ in 1...10 {
                let status = try await client.call(.get, "/v1/cases", as: nil).status
                #expect(status == .unauthorized)
            }
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .ok)
        }
    }

    @Test func everyReadOfVictimDataIsInTheAccessLogWithItsAccountAndOutcome() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let victim = try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let captain = harness.fixture.captain
        try await harness.run { client in
            #expect(try await client.call(.get, "/v1/victims/\(victim.id)", as: harness.fixture.captainToken).status == .ok)
            #expect(try await client.call(.get, "/v1/cases/KC-2025-004512", as: harness.fixture.captainToken).status == .ok)
            #expect(try await client.call(.get, "/v1/victims/999", as: harness.fixture.captainToken).status == .notFound)
            #expect(try await client.call(.get, "/v1/messages?case=KC-2025-004512", as: harness.fixture.captainToken).status == .ok)
            // Captains do not read the access log; auditors and supervisors do.
            #expect(try await client.call(.get, "/v1/access-log", as: harness.fixture.captainToken).status == .forbidden)
            let answer = try await client.call(.get, "/v1/access-log?actor=staff:\(captain.id)", as: harness.tokens[.auditor])
            #expect(answer.status == .ok)
            let entries = try Self.decode(AccessLogList.self, answer.body).entries
            let rows = entries.map { "\($0.action) \($0.object ?? "") \($0.outcome)" }
            #expect(
                rows == [
                    "GET /v1/victims/{id} /v1/victims/\(victim.id) 200", "GET /v1/cases/{number} /v1/cases/KC-2025-004512 200",
                    "GET /v1/victims/{id} /v1/victims/999 404", "GET /v1/messages /v1/messages?case=KC-2025-004512 200",
                    "GET /v1/access-log /v1/access-log 403",
                ], "\(rows)")
            #expect(entries.allSatisfy { $0.actor == captain.actor && $0.at == harness.fixture.clock.now() && $0.client != nil })
            let page = try Self.decode(
                AccessLogList.self, try await client.call(.get, "/v1/access-log?after=\(entries[1].id)&limit=2", as: harness.tokens[.auditor]).body)
            #expect(page.entries.map(\.id) == [entries[2].id, entries[3].id])
            #expect(try await client.call(.get, "/v1/access-log?since=yesterday", as: harness.tokens[.auditor]).status == .unprocessableContent)
        }
        #expect(try harness.fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func forgedWebhooksFromOneSourceAreRefusedWithoutReadingThem() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            for _ in 1...20 {
                let forged = try await client.execute(
                    uri: "/webhooks/twilio/inbound", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "MessageSid=SMx&From=%2B18165550142&Body=STOP")
                ) { $0.status }
                #expect(forged == .forbidden)
            }
            let locked = try await client.execute(
                uri: "/webhooks/twilio/inbound", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "MessageSid=SMx&From=%2B18165550142&Body=STOP")
            ) { $0 }
            #expect(locked.status == .tooManyRequests)
            #expect(locked.headers[.retryAfter] != nil)
            // Staff are not starved: the API still answers.
            #expect(try await client.call(.get, "/v1/cases", as: harness.fixture.captainToken).status == .ok)
        }
    }
}
