import AvisoCore
import AvisoServer
import AvisoTesting
import Foundation
import HummingbirdTesting
import Testing

/// Issue 14 §6: a NUL or another control character never reaches a victim.
/// Every string of every request body is tried, so a field added later is
/// covered without being listed here.
@Suite struct TextInputTests {
    /// A valid body for every route that takes text, after the harness's case
    /// KC-2025-004512 and its victim 1 (contact point 1) exist.
    static let bodies: [(route: String, role: StaffRole, json: String)] = [
        ("/v1/cases", .captain, caseJSON),
        (
            "/v1/cases/KC-2025-004512/victims", .captain,
            """
            {"display_name": "María López", "language": "es", "time_zone": "America/Chicago", "staff_notes": "Prefiere llamadas.\\nNo de noche.",
             "contact_points": [{"channel": "email", "address": "maria@example.org",
                                 "consent": {"state": "opted_in", "method": "written", "wording_version": "2026-01",
                                             "wording": "Acepto recibir avisos.", "language": "es"}}]}
            """
        ),
        (
            "/v1/cases/KC-2025-004512/updates/preview", .captain,
            #"{"event": "custom", "fields": {"text": {"es": "Hola.\nLlámenos.", "en": "Hello."}}}"#
        ),
        (
            "/v1/cases/KC-2025-004512/updates/preview", .captain,
            #"{"event": "court_date", "fields": {"starts_at": "2026-07-03T09:00", "place": "Jackson County Courthouse"}, "send_at": "2026-06-11T10:00"}"#
        ),
        ("/v1/staff", .admin, #"{"name": "Det. Lina Okafor", "role": "captain", "languages": ["en", "so"]}"#),
        ("/v1/patterns", .captain, #"{"name": "24th & Quincy robberies", "case_numbers": ["KC-2025-004512"]}"#),
        ("/v1/victims/1/contact-points", .captain, #"{"channel": "sms", "address": "+1 816 555 0199"}"#),
        ("/v1/contact-points/1/consent", .captain, #"{"state": "opted_in", "method": "verbal", "wording_version": "2026-01", "wording": "Sí."}"#),
    ]

    /// Every string leaf of `value`, each with the whole body in which that one leaf is replaced.
    static func variants(_ value: Any, path: String, replace: (String) -> String) -> [(path: String, body: Any)] {
        if let text = value as? String { return [(path, replace(text))] }
        if let object = value as? [String: Any] {
            return object.keys.sorted().flatMap { key in
                variants(object[key]!, path: path.isEmpty ? key : "\(path).\(key)", replace: replace).map { variant in
                    var copy = object
                    copy[key] = variant.body
                    return (variant.path, copy as Any)
                }
            }
        }
        if let array = value as? [Any] {
            return array.indices.flatMap { index in
                variants(array[index], path: "\(path)[\(index)]", replace: replace).map { variant in
                    var copy = array
                    copy[index] = variant.body
                    return (variant.path, copy as Any)
                }
            }
        }
        return []
    }

    static func json(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value), as: UTF8.self)
    }

    static func prepared(_ client: any TestClientProtocol, _ harness: APIHarness) async throws {
        let captain = harness.tokens[.captain]
        #expect(try await client.call(.post, "/v1/cases", as: captain, json: caseJSON).status == .created)
        #expect(try await client.call(.post, "/v1/cases/KC-2025-004512/victims", as: captain, json: victimJSON).status == .created)
    }

    @Test(arguments: ["\u{0}", "\u{1B}", "\u{0F}", "\u{7F}", "\u{85}", "\t"])
    func controlCharactersAreRefusedInEveryStringOfEveryBody(character: String) async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            try await Self.prepared(client, harness)
            var tried = 0
            for (route, role, body) in Self.bodies {
                // The unchanged body is valid, so the refusal below is the character's doing.
                let valid = try await client.call(.post, route, as: harness.tokens[role], json: body)
                #expect(valid.status.code < 300 || route == "/v1/cases", "\(route): \(valid.body)")
                let object = try JSONSerialization.jsonObject(with: Data(body.utf8))
                for variant in Self.variants(object, path: "", replace: { "Before" + character + "After " + $0 }) {
                    tried += 1
                    let response = try await client.call(.post, route, as: harness.tokens[role], json: try Self.json(variant.body))
                    #expect(response.status == .unprocessableContent, "\(route) \(variant.path)")
                    let detail = try problem(response.body)
                    #expect(detail.field == variant.path, "\(route): \(detail.detail)")
                    #expect(detail.detail.contains("at character 7"), "\(detail.detail)")
                }
            }
            #expect(tried >= 30, "only \(tried) fields were tried")
            // Nothing of the refused requests was stored.
            #expect(try harness.fixture.store.cases().map(\.number) == ["KC-2025-004512"])
            #expect(try harness.fixture.store.caseView(number: "KC-2025-004512", withVictims: true).victims?.count == 2)
        }
    }

    @Test func aNulNamesTheCharacterAndTheCaseNumberIsNotCut() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            try await Self.prepared(client, harness)
            let nul = #"{"number": "KC-2025-004512\u0000X", "offense": "armed_robbery", "unit": "Robbery Unit"}"#
            let refused = try await client.call(.post, "/v1/cases", as: captain, json: nul)
            #expect(refused.status == .unprocessableContent)
            #expect(try problem(refused.body).field == "number")
            #expect(try problem(refused.body).detail.contains("NUL (U+0000)"))
            let custom = #"{"event": "custom", "fields": {"text": {"es": "Before\u0000After"}}}"#
            let text = try await client.call(.post, "/v1/cases/KC-2025-004512/updates", as: captain, json: custom)
            #expect(text.status == .unprocessableContent)
            #expect(try problem(text.body).field == "fields.text.es")
            #expect(try harness.fixture.store.messages(caseNumber: "KC-2025-004512", state: nil, limit: 100, visibleCases: nil).count == 1)
        }
    }

    @Test func lineBreaksAreRefusedInFieldsOfOneLineAndKeptWhereTextMayHaveThem() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let captain = harness.tokens[.captain]
            try await Self.prepared(client, harness)
            let oneLine: [(route: String, json: String, field: String)] = [
                ("/v1/cases", #"{"number": "KC-1\nKC-2", "offense": "armed_robbery", "unit": "Robbery Unit"}"#, "number"),
                ("/v1/cases", #"{"number": "KC-3", "offense": "armed_robbery", "unit": "Robbery\rUnit"}"#, "unit"),
                (
                    "/v1/cases/KC-2025-004512/victims", #"{"display_name": "María\nLópez", "language": "es", "time_zone": "America/Chicago"}"#,
                    "display_name"
                ),
                (
                    "/v1/cases/KC-2025-004512/updates/preview",
                    #"{"event": "court_date", "fields": {"starts_at": "2026-07-03T09:00", "place": "Jackson County\u2028Courthouse"}}"#,
                    "fields.place"
                ),
                ("/v1/contact-points/1/consent", #"{"state": "opted_in", "method": "verbal", "wording_version": "2026\n01"}"#, "wording_version"),
                ("/v1/patterns", #"{"name": "24th\n& Quincy"}"#, "name"),
                (
                    "/v1/victims/1/contact-points",
                    #"{"channel": "sms", "address": "+1 816 555 0199", "consent": {"state": "opted_in", "method": "verbal", "wording_version": "2026\n01"}}"#,
                    "consent.wording_version"
                ),
            ]
            for (route, json, field) in oneLine {
                let response = try await client.call(.post, route, as: captain, json: json)
                #expect(response.status == .unprocessableContent, "\(route)")
                let detail = try problem(response.body)
                #expect(detail.field == field && detail.detail.contains("one line"), "\(route): \(detail.detail)")
            }
            let staff = try await client.call(.post, "/v1/staff", as: harness.tokens[.admin], json: #"{"name": "Det.\nOkafor", "role": "captain"}"#)
            #expect(try problem(staff.body).field == "name")
            // Custom text, summaries, notes and consent wording may have line breaks.
            let summary = #"{"number": "KC-4", "offense": "armed_robbery", "unit": "Robbery Unit", "summary": "Line one.\r\nLine two."}"#
            #expect(try await client.call(.post, "/v1/cases", as: captain, json: summary).status == .created)
            let custom = #"{"event": "custom", "fields": {"text": {"es": "Hola.\nLlámenos al 816 234 5000."}}}"#
            let preview = try await client.call(.post, "/v1/cases/KC-2025-004512/updates/preview", as: captain, json: custom)
            #expect(preview.status == .ok, "\(preview.body)")
            #expect(preview.body.contains(#"Hola.\nLlámenos"#))
        }
    }
}
