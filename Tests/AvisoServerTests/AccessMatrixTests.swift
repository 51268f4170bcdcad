import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Every route the router serves × every kind of caller → the status each gets.
/// The routes come from the router itself: a route added without a row here fails.
@Suite struct AccessMatrixTests {
    /// Who calls.
    enum Caller: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case admin, supervisor, auditor, assignedCaptain, unassignedCaptain, noToken, wrongToken
        var testDescription: String { rawValue }
    }

    /// Who may do what, in the few shapes the API has.
    enum Rule {
        /// Reads one case's data: supervisors and auditors see all, a captain only what is assigned (others get 404).
        case caseRead
        /// Changes one case's data: captains (assigned) and supervisors.
        case caseWrite(HTTPResponse.Status)
        /// Lists filtered to what the caller may see: every role that reads cases.
        case list
        /// Opens a case: captains and supervisors.
        case create
        /// Staff accounts: admins only.
        case staff(HTTPResponse.Status)
        /// One account's object (the unassigned captain's token): admins and its owner act on it; for everyone else it does not exist.
        case staffElseNotFound
        /// Exports for an audit: supervisors and auditors.
        case audit
        /// Legal hold: supervisors only.
        case supervisorOnly
        /// Approving another staff member's update: supervisors only, of what they may see.
        case approve
        /// Any authenticated staff member.
        case anyStaff
        /// Not an API route: the same answer whoever calls (tokens are not looked at).
        case open(HTTPResponse.Status)

        func expected(for caller: Caller) -> HTTPResponse.Status {
            if case .open(let status) = self { return status }
            if caller == .noToken || caller == .wrongToken { return .unauthorized }
            switch self {
            case .caseRead:
                return switch caller {
                case .admin: .forbidden
                case .unassignedCaptain: .notFound
                default: .ok
                }
            case .caseWrite(let success):
                return switch caller {
                case .admin, .auditor: .forbidden
                case .unassignedCaptain: .notFound
                default: success
                }
            case .list: return caller == .admin ? .forbidden : .ok
            case .create: return [.admin, .auditor].contains(caller) ? .forbidden : .created
            case .staff(let success): return caller == .admin ? success : .forbidden
            case .staffElseNotFound: return [.admin, .unassignedCaptain].contains(caller) ? .ok : .notFound
            case .audit: return [.supervisor, .auditor].contains(caller) ? .ok : .forbidden
            case .supervisorOnly: return caller == .supervisor ? .ok : .forbidden
            case .approve:
                return switch caller {
                case .supervisor: .created
                case .unassignedCaptain: .notFound
                default: .forbidden
                }
            case .anyStaff: return .ok
            case .open: fatalError("handled above")
            }
        }
    }

    /// One concrete request per route, on the case the assigned captain opened.
    struct Row {
        var uri: String
        var body: String?
        var rule: Rule
    }

    static let consentJSON = #"{"state": "opted_out", "method": "verbal", "wording_version": "2026-01"}"#
    static let newVictimJSON = """
        {"display_name": "Marta Ruiz", "language": "es", "time_zone": "America/Chicago",
         "contact_points": [{"channel": "sms", "address": "+1 816 555 0177",
                             "consent": {"state": "opted_in", "method": "verbal", "wording_version": "2026-01"}}]}
        """

    /// The rows, keyed by "METHOD /path/{parameter}" as the router lists its routes.
    static func rows(_ ids: Seeded) -> [String: Row] {
        let number = "KC-2025-004512"
        return [
            "GET /healthz": Row(uri: "/healthz", rule: .open(.ok)),
            "GET /readyz": Row(uri: "/readyz", rule: .open(.ok)),
            "GET /metrics": Row(uri: "/metrics", rule: .open(.ok)),
            "GET /v1/me": Row(uri: "/v1/me", rule: .anyStaff),
            "GET /v1/status": Row(uri: "/v1/status", rule: .anyStaff),
            "GET /v1/cases": Row(uri: "/v1/cases", rule: .list),
            "POST /v1/cases": Row(
                uri: "/v1/cases", body: #"{"number": "KC-2025-009999", "offense": "armed_robbery", "unit": "Robbery Unit"}"#, rule: .create),
            "GET /v1/cases/{number}": Row(uri: "/v1/cases/\(number)", rule: .caseRead),
            "POST /v1/cases/{number}/victims": Row(uri: "/v1/cases/\(number)/victims", body: newVictimJSON, rule: .caseWrite(.created)),
            "POST /v1/cases/{number}/victims/import": Row(
                uri: "/v1/cases/\(number)/victims/import",
                body: #"{"dry_run": false, "rows": [{"row": 2, "victim": \#(newVictimJSON)}]}"#, rule: .caseWrite(.created)),
            "POST /v1/inbox/{id}/reply": Row(
                uri: "/v1/inbox/\(ids.inbound)/reply", body: #"{"text": "Sí, el 3 de marzo."}"#, rule: .caseWrite(.created)),
            "GET /v1/victims/{id}/conversation": Row(uri: "/v1/victims/\(ids.victim)/conversation", rule: .caseRead),
            "GET /v1/offenses": Row(uri: "/v1/offenses", rule: .anyStaff),
            "POST /v1/cases/{number}/victim-links": Row(
                uri: "/v1/cases/\(number)/victim-links", body: #"{"victim_id": \#(ids.otherVictim)}"#, rule: .caseWrite(.created)),
            "POST /v1/cases/{number}/updates": Row(uri: "/v1/cases/\(number)/updates", body: #"{"event": "plea"}"#, rule: .caseWrite(.created)),
            "POST /v1/cases/{number}/updates/preview": Row(
                uri: "/v1/cases/\(number)/updates/preview", body: #"{"event": "plea"}"#, rule: .caseWrite(.ok)),
            "GET /v1/updates/{id}": Row(uri: "/v1/updates/\(ids.update)", rule: .caseRead),
            "POST /v1/updates/{id}/cancel": Row(uri: "/v1/updates/\(ids.update)/cancel", body: "{}", rule: .caseWrite(.ok)),
            "GET /v1/victims/{id}": Row(uri: "/v1/victims/\(ids.victim)", rule: .caseRead),
            "POST /v1/victims/{id}/contact-points": Row(
                uri: "/v1/victims/\(ids.victim)/contact-points",
                body:
                    #"{"channel": "email", "address": "jose.perez@example.org", "consent": \#(consentJSON.replacingOccurrences(of: "opted_out", with: "opted_in"))}"#,
                rule: .caseWrite(.created)),
            "POST /v1/contact-points/{id}/consent": Row(
                uri: "/v1/contact-points/\(ids.contactPoint)/consent", body: consentJSON, rule: .caseWrite(.created)),
            "GET /v1/messages": Row(uri: "/v1/messages", rule: .list),
            "GET /v1/staff": Row(uri: "/v1/staff", rule: .staff(.ok)),
            "POST /v1/staff": Row(uri: "/v1/staff", body: #"{"name": "Capt. Lena Hart", "role": "captain"}"#, rule: .staff(.created)),
            "GET /v1/staff/{id}/tokens": Row(uri: "/v1/staff/\(ids.unassignedCaptain)/tokens", rule: .staff(.ok)),
            "POST /v1/staff/{id}/tokens": Row(uri: "/v1/staff/\(ids.unassignedCaptain)/tokens", body: "{}", rule: .staff(.created)),
            "POST /v1/staff/{id}/disable": Row(uri: "/v1/staff/\(ids.unassignedCaptain)/disable", body: "{}", rule: .staff(.ok)),
            "POST /v1/staff/{id}/enable": Row(uri: "/v1/staff/\(ids.unassignedCaptain)/enable", body: "{}", rule: .staff(.ok)),
            // Only an administrator may revoke another account's token; for anyone else it does not exist.
            "POST /v1/tokens/{id}/revoke": Row(uri: "/v1/tokens/\(ids.unassignedCaptainTokenId)/revoke", body: "{}", rule: .staffElseNotFound),
            "GET /v1/me/tokens": Row(uri: "/v1/me/tokens", rule: .anyStaff),
            "GET /v1/access-log": Row(uri: "/v1/access-log", rule: .audit),
            "GET /v1/approvals": Row(uri: "/v1/approvals", rule: .list),
            "PATCH /v1/victims/{id}": Row(uri: "/v1/victims/\(ids.victim)", body: #"{"staff_notes": "prefers evenings"}"#, rule: .caseWrite(.ok)),
            "GET /v1/victims/{id}/changes": Row(uri: "/v1/victims/\(ids.victim)/changes", rule: .caseRead),
            "POST /v1/victims/{id}/merge": Row(
                uri: "/v1/victims/\(ids.victim)/merge", body: #"{"duplicate_victim_id": \#(ids.otherVictim)}"#, rule: .caseWrite(.ok)),
            // José is on both cases (linked in the seed): taking him off the second leaves him on the first.
            "DELETE /v1/cases/{number}/victims/{id}": Row(uri: "/v1/cases/KC-2025-000002/victims/\(ids.victim)", rule: .caseWrite(.ok)),
            "POST /v1/contact-points/{id}/retire": Row(uri: "/v1/contact-points/\(ids.contactPoint)/retire", body: "{}", rule: .caseWrite(.ok)),
            "POST /v1/contact-points/{id}/replace": Row(
                uri: "/v1/contact-points/\(ids.contactPoint)/replace",
                body:
                    #"{"channel": "sms", "address": "+1 816 555 0199", "consent": {"state": "opted_in", "method": "verbal", "wording_version": "2026-01"}}"#,
                rule: .caseWrite(.created)),
            "GET /v1/approvals/{id}": Row(uri: "/v1/approvals/\(ids.approval)", rule: .caseRead),
            "POST /v1/approvals/{id}/approve": Row(
                uri: "/v1/approvals/\(ids.approval)/approve", body: #"{"preview_digest": "\#(ids.approvalDigest)"}"#, rule: .approve),
            "POST /v1/approvals/{id}/reject": Row(uri: "/v1/approvals/\(ids.approval)/reject", body: "{}", rule: .caseWrite(.ok)),
            "GET /v1/inbox": Row(uri: "/v1/inbox", rule: .list),
            "POST /v1/inbox/{id}/handled": Row(uri: "/v1/inbox/\(ids.inbound)/handled", body: "{}", rule: .caseWrite(.noContent)),
            "POST /v1/inbox/{id}/opt-out": Row(
                uri: "/v1/inbox/\(ids.possibleOptOut)/opt-out", body: #"{"opt_out": false}"#, rule: .caseWrite(.noContent)),
            "GET /v1/cases/{number}/export": Row(uri: "/v1/cases/\(number)/export", rule: .audit),
            "GET /v1/victims/{id}/export": Row(uri: "/v1/victims/\(ids.victim)/export", rule: .audit),
            "POST /v1/cases/{number}/close": Row(uri: "/v1/cases/\(number)/close", body: "{}", rule: .caseWrite(.ok)),
            "POST /v1/cases/{number}/legal-hold": Row(uri: "/v1/cases/\(number)/legal-hold", body: #"{"hold": true}"#, rule: .supervisorOnly),
            "POST /v1/cases/{number}/staff": Row(
                uri: "/v1/cases/\(number)/staff", body: #"{"staff_id": \#(ids.unassignedCaptain)}"#, rule: .caseWrite(.ok)),
            "GET /v1/cases/{number}/updates": Row(uri: "/v1/cases/\(number)/updates", rule: .caseRead),
            "GET /v1/cases/{number}/hearings": Row(uri: "/v1/cases/\(number)/hearings", rule: .caseRead),
            // A pattern: its opener's, holding the assigned captain's case; the unassigned captain sees none of it.
            "GET /v1/patterns": Row(uri: "/v1/patterns", rule: .list),
            "POST /v1/patterns": Row(uri: "/v1/patterns", body: #"{"name": "Prospect Ave robberies"}"#, rule: .create),
            "GET /v1/patterns/{id}": Row(uri: "/v1/patterns/\(ids.pattern)", rule: .caseRead),
            "PATCH /v1/patterns/{id}": Row(uri: "/v1/patterns/\(ids.pattern)", body: #"{"name": "24th & Quincy series"}"#, rule: .caseWrite(.ok)),
            "POST /v1/patterns/{id}/cases": Row(
                uri: "/v1/patterns/\(ids.pattern)/cases", body: #"{"case_number": "KC-2025-000002"}"#, rule: .caseWrite(.created)),
            "DELETE /v1/patterns/{id}/cases/{number}": Row(uri: "/v1/patterns/\(ids.pattern)/cases/\(number)", rule: .caseWrite(.ok)),
            "POST /v1/patterns/{id}/staff": Row(
                uri: "/v1/patterns/\(ids.pattern)/staff", body: #"{"staff_id": \#(ids.unassignedCaptain)}"#, rule: .caseWrite(.ok)),
            "POST /v1/patterns/{id}/updates": Row(
                uri: "/v1/patterns/\(ids.pattern)/updates", body: #"{"event": "plea"}"#, rule: .caseWrite(.created)),
            "POST /v1/patterns/{id}/updates/preview": Row(
                uri: "/v1/patterns/\(ids.pattern)/updates/preview", body: #"{"event": "plea"}"#, rule: .caseWrite(.ok)),
            "GET /v1/patterns/{id}/updates": Row(uri: "/v1/patterns/\(ids.pattern)/updates", rule: .caseRead),
            "GET /v1/patterns/{id}/hearings": Row(uri: "/v1/patterns/\(ids.pattern)/hearings", rule: .caseRead),
            "GET /v1/patterns/{id}/inbox": Row(uri: "/v1/patterns/\(ids.pattern)/inbox", rule: .caseRead),
            "GET /v1/patterns/{id}/export": Row(uri: "/v1/patterns/\(ids.pattern)/export", rule: .audit),
            // Webhooks answer to Twilio's signature, never to a token: unsigned is refused whoever sends it.
            "POST /webhooks/twilio/status": Row(
                uri: "/webhooks/twilio/status", body: "MessageSid=SM1&MessageStatus=delivered", rule: .open(.forbidden)),
            "POST /webhooks/twilio/inbound": Row(
                uri: "/webhooks/twilio/inbound", body: "MessageSid=SM2&From=%2B18165550142&Body=hola", rule: .open(.forbidden)),
            "GET /unsubscribe/{token}": Row(uri: "/unsubscribe/\(ids.unsubscribeToken)", rule: .open(.ok)),
            "POST /unsubscribe/{token}": Row(uri: "/unsubscribe/\(ids.unsubscribeToken)", body: "List-Unsubscribe=One-Click", rule: .open(.ok)),
        ]
    }

    /// The ids of what each request acts on, made fresh for every request.
    struct Seeded {
        var victim: Int64
        var contactPoint: Int64
        var otherVictim: Int64
        var update: Int64
        var inbound: Int64
        var possibleOptOut: Int64
        var unassignedCaptain: Int64
        var unassignedCaptainToken: String
        var unassignedCaptainTokenId: Int64 = 1
        var unsubscribeToken: String
        var pattern: Int64
        var approval: Int64 = 1
        var approvalDigest = ""
    }

    static func seed(_ harness: APIHarness) throws -> Seeded {
        let fixture = harness.fixture
        try fixture.openCase()
        let victim = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        try fixture.openCase("KC-2025-000002")
        let other = try fixture.addVictim("Luis Gómez", language: "es", phone: "+18165550143", caseNumber: "KC-2025-000002")
        _ = try fixture.store.linkVictim(victim.id, toCase: "KC-2025-000002", now: fixture.clock.now())
        let update = try fixture.queue(.arrest, sendAt: fixture.clock.now().addingTimeInterval(86_400))
        _ = try fixture.store.receiveInbound(
            providerId: "SMq1", from: "+18165550142", body: "¿Cuándo es la corte?", planner: fixture.planner, now: fixture.clock.now())
        _ = try fixture.store.receiveInbound(
            providerId: "SMq2", from: "+18165550143", body: "stop calling my mother", planner: fixture.planner, now: fixture.clock.now())
        let replies = try fixture.store.inbox(for: fixture.captain, caseNumber: nil, includeHandled: true, includeKeywords: true, limit: 10)
        let inbound = try #require(replies.first { !$0.possibleOptOut })
        let possible = try #require(replies.first { $0.possibleOptOut }, "the possible opt-out was not flagged: \(replies.map(\.body))")
        let (captainB, tokenB) = try fixture.store.createStaff(StaffCreate(name: "Capt. Omar Said", role: .captain), now: fixture.clock.now())
        let preview = try fixture.queue(.plea, dryRun: true)
        let approval = try fixture.store.requestApproval(
            target: .caseNumber("KC-2025-004512"), input: UpdateCreate(event: "plea"), preview: preview, reason: "plea updates need approval",
            by: fixture.captain, now: fixture.clock.now())
        let pattern = try fixture.store.createPattern(
            PatternCreate(name: "24th & Quincy robberies", caseNumbers: ["KC-2025-004512"]), by: fixture.captain, now: fixture.clock.now())
        let email = try #require(victim.contactPoints.first { $0.channel == .email })
        let token = try #require(
            try fixture.store.unsubscribeToken(contactPointId: email.id), "the email contact point has no unsubscribe token")
        return Seeded(
            victim: victim.id, contactPoint: try #require(victim.contactPoints.first { $0.channel == .sms }).id, otherVictim: other.id,
            update: try #require(update.id), inbound: inbound.id, possibleOptOut: possible.id, unassignedCaptain: captainB.id,
            unassignedCaptainToken: tokenB,
            unassignedCaptainTokenId: try #require(try fixture.store.tokens(staffId: captainB.id, now: fixture.clock.now()).first).id,
            unsubscribeToken: token, pattern: pattern.id, approval: approval.id, approvalDigest: approval.previewDigest)
    }

    @Test(arguments: Caller.allCases)
    func everyRouteAnswersEachCallerAsTheRulesSay(_ caller: Caller) async throws {
        let served = try AvisoRoutes.router(state: APIHarness().state, readiness: { [] }).routes.map { "\($0.method.rawValue) \($0.path)" }
        let listed = Self.rows(
            Seeded(
                victim: 1, contactPoint: 1, otherVictim: 2, update: 1, inbound: 1, possibleOptOut: 2, unassignedCaptain: 1,
                unassignedCaptainToken: "",
                unsubscribeToken: "", pattern: 1))
        #expect(served.count > 20)
        for route in served { #expect(listed[route] != nil, "\(route) is served but has no row in the access matrix") }
        for route in listed.keys { #expect(served.contains(route), "\(route) is in the access matrix but not served") }

        for route in served.sorted() {
            // A fresh database for every request: one caller's change never decides another's answer.
            let harness = try APIHarness()
            let ids = try Self.seed(harness)
            guard let row = Self.rows(ids)[route] else { continue }
            let method = HTTPRequest.Method(String(route.prefix { $0 != " " }))!
            let token: String? =
                switch caller {
                case .admin: harness.tokens[.admin]
                case .supervisor: harness.tokens[.supervisor]
                case .auditor: harness.tokens[.auditor]
                case .assignedCaptain: harness.tokens[.captain]
                case .unassignedCaptain: ids.unassignedCaptainToken
                case .noToken: nil
                case .wrongToken: "aviso_0000000000000000000000000000000000000000000"
                }
            let form = row.uri.hasPrefix("/webhooks/") || row.uri.hasPrefix("/unsubscribe/")
            try await harness.run { client in
                var headers: HTTPFields = [:]
                if let token { headers[.authorization] = "Bearer \(token)" }
                if row.body != nil { headers[.contentType] = form ? "application/x-www-form-urlencoded" : "application/json" }
                let status = try await client.execute(
                    uri: row.uri, method: method, headers: headers, body: row.body.map { ByteBuffer(string: $0) }
                ) { $0.status }
                #expect(status == row.rule.expected(for: caller), "\(route) as \(caller.rawValue): \(status)")
            }
        }
    }
}
