import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The router tested in process, without a socket, each test with its own database.
struct APIHarness {
    let fixture: StoreFixture
    let state: ServerState
    let tokens: [StaffRole: String]

    static let authToken = "twilio-test-auth-token"
    static let publicURL = "https://aviso.kcpd.example"

    init(now: Date = instant("2026-06-10T12:00"), publicURL: String = Self.publicURL) throws {
        fixture = try StoreFixture(now: now)
        state = ServerState(
            store: fixture.store, clock: fixture.clock, planner: fixture.planner,
            webhooks: WebhookSettings(publicURL: publicURL, twilioAuthToken: Self.authToken))
        var tokens: [StaffRole: String] = [:]
        for role in StaffRole.allCases where role != .captain {
            tokens[role] = try fixture.store.createStaff(StaffCreate(name: "\(role.rawValue) account", role: role), now: fixture.clock.now()).token
        }
        // The fixture's captain, so cases the fixture opens are this captain's cases.
        tokens[.captain] = fixture.captainToken
        self.tokens = tokens
    }

    func run(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: AvisoRoutes.router(state: state, readiness: { [] }))
        try await app.test(.router, body)
    }
}

extension TestClientProtocol {
    /// Sends JSON (or raw text) as `role`, returning the status and the decoded problem or body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, as token: String?, json: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: String, contentType: String?) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            (response.status, String(buffer: response.body), response.headers[.contentType])
        }
    }
}

func problem(_ body: String) throws -> Problem {
    try JSONDecoder().decode(Problem.self, from: Data(body.utf8))
}

let caseJSON = #"{"number": "KC-2025-004512", "offense": "armed_robbery", "unit": "Robbery Unit", "summary": "24th and Quincy"}"#
let victimJSON = """
    {"display_name": "José Pérez", "language": "es", "time_zone": "America/Chicago",
     "contact_points": [{"channel": "sms", "address": "+1 816 555 0142",
                         "consent": {"state": "opted_in", "method": "verbal", "wording_version": "2026-01"}}]}
    """

@Suite struct APITests {
    @Test func requestsWithoutAValidTokenGet401ProblemDocuments() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            for token in [nil, "aviso_not_a_real_token"] {
                let response = try await client.call(.get, "/v1/cases", as: token)
                #expect(response.status == .unauthorized)
                #expect(response.contentType == "application/problem+json")
                #expect(try problem(response.body).status == 401)
            }
        }
    }

    @Test func rolesDecideWhatAnAccountMayDo() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            #expect(try await client.call(.post, "/v1/cases", as: harness.tokens[.auditor], json: caseJSON).status == .forbidden)
            #expect(try await client.call(.post, "/v1/cases", as: harness.tokens[.admin], json: caseJSON).status == .forbidden)
            #expect(try await client.call(.post, "/v1/cases", as: harness.tokens[.captain], json: caseJSON).status == .created)
            #expect(try await client.call(.get, "/v1/cases", as: harness.tokens[.auditor]).status == .ok)
            #expect(try await client.call(.get, "/v1/cases", as: harness.tokens[.admin]).status == .forbidden)
            let staff = #"{"name": "Det. Lina Okafor", "role": "captain", "languages": ["en", "so"]}"#
            let denied = try await client.call(.post, "/v1/staff", as: harness.tokens[.captain], json: staff)
            #expect(denied.status == .forbidden)
            #expect(try problem(denied.body).detail.contains("admin"))
            let created = try await client.call(.post, "/v1/staff", as: harness.tokens[.admin], json: staff)
            #expect(created.status == .created)
            let token = try #require(try AccountLifecycleTests.decode(StaffView.self, created.body).token)
            #expect(try await client.call(.get, "/v1/me", as: token).body.contains("Lina Okafor"))
        }
    }

    @Test func G5_aNullDoesNotSmuggleAnUnknownFieldAndNoFieldMayAppearTwice() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            #expect(try await client.call(.post, "/v1/cases", as: captain, json: caseJSON).status == .created)
            for (field, path) in [("immigration_status", "immigration_status"), ("", ""), ("carrier", "carrier")] {
                let body = victimJSON.replacingOccurrences(of: #""language": "es","#, with: #""language": "es", "\#(field)": null,"#)
                let response = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: body)
                #expect(response.status == .unprocessableContent, "\(field): \(response.status)")
                #expect(try problem(response.body).field == path)
            }
            let nested = victimJSON.replacingOccurrences(of: #""channel": "sms","#, with: #""channel": "sms", "passport": null,"#)
            let nestedAnswer = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: nested)
            #expect(nestedAnswer.status == .unprocessableContent)
            #expect(try problem(nestedAnswer.body).detail.contains("never asks for or stores immigration"))
            // A field the API knows may be null.
            let known = #"{"number": "KC-2025-000777", "offense": "armed_robbery", "unit": "Robbery Unit", "summary": null}"#
            #expect(try await client.call(.post, "/v1/cases", as: captain, json: known).status == .created)
            // The same field twice: refused, not one of them silently kept.
            let twice = #"{"number": "KC-2025-000778", "number": "KC-2025-000779", "offense": "armed_robbery", "unit": "Robbery Unit"}"#
            let answer = try await client.call(.post, "/v1/cases", as: captain, json: twice)
            #expect(answer.status == .unprocessableContent)
            #expect(try problem(answer.body).field == "number")
            let nestedTwice = victimJSON.replacingOccurrences(of: #""channel": "sms","#, with: #""channel": "sms", "channel": "email","#)
            let nestedAnswerTwice = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: nestedTwice)
            #expect(nestedAnswerTwice.status == .unprocessableContent)
            #expect(try problem(nestedAnswerTwice.body).field == "contact_points.channel")
            #expect(try harness.fixture.store.cases().count == 2)
        }
    }

    @Test func G5_unknownFieldsAreRejectedAndImmigrationFieldsAnsweredWithThePolicy() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            _ = try await client.call(.post, "/v1/cases", as: harness.tokens[.captain], json: caseJSON)
            for field in ["immigration_status", "citizenship", "country_of_birth"] {
                let body = victimJSON.replacingOccurrences(of: #""language": "es","#, with: #""language": "es", "\#(field)": "unknown","#)
                let response = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: harness.tokens[.captain], json: body)
                #expect(response.status == .unprocessableContent)
                let detail = try problem(response.body)
                #expect(detail.field == field)
                #expect(detail.detail.contains("never asks for or stores immigration"))
            }
            let nested = victimJSON.replacingOccurrences(of: #""channel": "sms","#, with: #""channel": "sms", "carrier": "T-Mobile","#)
            let response = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: harness.tokens[.captain], json: nested)
            #expect(response.status == .unprocessableContent)
            #expect(try problem(response.body).field == "contact_points[0].carrier")
            let victims = try harness.fixture.store.caseView(number: "KC-2025-004512", withVictims: true).victims
            #expect(victims?.isEmpty == true)
        }
    }

    @Test func G10_badInputGetsAClearProblemAndChangesNothing() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            _ = try await client.call(.post, "/v1/cases", as: captain, json: caseJSON)
            let malformed = try await client.call(.post, "/v1/cases", as: captain, json: #"{"number": "KC-1", "offense": "#)
            #expect(malformed.status == .unprocessableContent)
            #expect(try problem(malformed.body).detail.contains("not valid JSON"))
            let phone = victimJSON.replacingOccurrences(of: "+1 816 555 0142", with: "816-555-0142")
            let badPhone = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: phone)
            #expect(badPhone.status == .unprocessableContent)
            #expect(try problem(badPhone.body).field == "contact_points[0].address")
            let language = victimJSON.replacingOccurrences(of: #""language": "es""#, with: #""language": "klingon""#)
            #expect(try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: language).status == .unprocessableContent)
            let noTemplates = victimJSON.replacingOccurrences(of: #""language": "es""#, with: #""language": "tl""#)
            let refused = try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: noTemplates)
            #expect(try problem(refused.body).detail.contains("Languages with templates: ar, bs, en, es, my, so, sw, vi"))
            let wrongType = try await client.call(.post, "/v1/cases", as: captain, json: #"{"number": 7, "offense": "robbery", "unit": "R"}"#)
            #expect(try problem(wrongType.body).field == "number")
            let huge = #"{"number": ""# + String(repeating: "x", count: 2 * 1024 * 1024) + #"", "offense": "robbery", "unit": "R"}"#
            let tooLarge = try await client.call(.post, "/v1/cases", as: captain, json: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.contentType == "application/problem+json")
            let unknownEvent = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: captain, json: #"{"event": "deportation"}"#)
            #expect(try problem(unknownEvent.body).detail.contains("charges_filed"))
            #expect(try await client.call(.get, "/v1/cases/KC-9999", as: captain).status == .notFound)
            #expect(try await client.call(.get, "/v1/updates/abc", as: captain).status == .unprocessableContent)
            #expect(try await client.call(.get, "/v1/nothing-here", as: captain).status == .notFound)
            #expect(try harness.fixture.store.cases().count == 1)
        }
    }

    @Test func previewShowsEveryMessageAndQueueingStoresThem() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            _ = try await client.call(.post, "/v1/cases", as: captain, json: caseJSON)
            #expect(try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: victimJSON).status == .created)
            let update =
                #"{"event": "charges_filed", "fields": {"charges": [{"offense": "armed_robbery", "count": 2}, {"offense": "armed_criminal_action", "count": 2}]}}"#
            let preview = try await client.call(.post, "/v1/cases/KC-2025-004512/updates/preview", as: captain, json: update)
            #expect(preview.status == .ok)
            let previewed = try JSONDecoder.iso.decode(UpdateView.self, from: Data(preview.body.utf8))
            #expect(previewed.id == nil && previewed.messages.count == 1)
            let message = try #require(previewed.messages.first)
            #expect(message.language == "es" && message.victimName == "José Pérez" && message.segments != nil)
            #expect(message.body?.contains("2 cargos de acción criminal armada") == true)
            let queued = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: captain, json: update)
            #expect(queued.status == .created)
            let view = try JSONDecoder.iso.decode(UpdateView.self, from: Data(queued.body.utf8))
            #expect(view.messages.count == 1 && view.messages[0].body == message.body)
            let list = try await client.call(.get, "/v1/messages?case=KC-2025-004512&state=queued", as: captain)
            #expect(try JSONDecoder.iso.decode(MessageList.self, from: Data(list.body.utf8)).messages.count == 2)
            let cancel = try await client.call(.post, "/v1/updates/\(view.id!)/cancel", as: captain, json: "{}")
            #expect(cancel.status == .ok)
        }
    }
}

extension JSONDecoder {
    static let iso: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

@Suite struct OpenAPITests {
    @Test func everyRouteIsDocumentedInTheOpenAPIDocument() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var documented: Set<String> = []
        var currentPath: String?
        var inPaths = false
        for line in lines {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line.hasPrefix("paths:") }
            guard inPaths else { continue }
            if line.hasPrefix("  "), !line.hasPrefix("   "), line.hasSuffix(":") {
                currentPath = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let currentPath {
                documented.insert(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased() + " " + currentPath)
            }
        }
        // The routes as the router itself holds them, not a hand-kept list.
        let harness = try APIHarness()
        let served = AvisoRoutes.router(state: harness.state, readiness: { [] }).routes.map { "\($0.method.rawValue) \($0.path)" }
        #expect(served.count > 20, "the router lists \(served.count) routes")
        for route in served {
            #expect(documented.contains(route), "\(route) is served but not in docs/openapi.yaml")
        }
        let routes = Set(served)
        for entry in documented where ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(String(entry.prefix { $0 != " " })) {
            #expect(routes.contains(entry), "\(entry) is documented but not served")
        }
    }
}
