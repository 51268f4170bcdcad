import AvisoCore
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/cases/{number}/victims/import` (SPEC §6).
@Suite struct VictimImportAPITests {
    static let uri = "/v1/cases/KC-2025-004512/victims/import"

    static func row(_ row: Int, _ name: String, language: String = "es", phone: String? = nil, email: String? = nil, consent: Bool = true) -> String {
        let consentJSON = consent ? #", "consent": {"state": "opted_in", "method": "verbal", "wording_version": "2026-01"}"# : ""
        var points: [String] = []
        if let phone { points.append(#"{"channel": "sms", "address": "\#(phone)"\#(consentJSON)}"#) }
        if let email { points.append(#"{"channel": "email", "address": "\#(email)"\#(consentJSON)}"#) }
        return """
            {"row": \(row), "victim": {"display_name": "\(name)", "language": "\(language)", "time_zone": "America/Chicago",
             "contact_points": [\(points.joined(separator: ", "))]}}
            """
    }

    static func body(dryRun: Bool?, _ rows: [String]) -> String {
        "{" + (dryRun.map { #""dry_run": \#($0), "# } ?? "") + #""rows": ["# + rows.joined(separator: ", ") + "]}"
    }

    func victimCount(_ harness: APIHarness) throws -> Int {
        try harness.fixture.store.caseView(number: "KC-2025-004512", withVictims: true).victims?.count ?? 0
    }

    @Test func aDryRunReportsEveryRowsProblemWithItsRowNumberAndRegistersNothing() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("Marta Ruiz", language: "es", phone: "+18165550199")
        let rows = [
            Self.row(2, "José Pérez", phone: "+18165550142"),
            Self.row(3, "Ana Soto", phone: "816 555 0143"),  // no country code
            Self.row(4, "Luis Gómez", language: "xx", phone: "+18165550144"),  // no templates in that language
            Self.row(5, "Eva Díaz", phone: "+1 816 555 0142"),  // the same number as row 2
            Self.row(6, "Rosa Vega", phone: "+18165550199"),  // already registered
            Self.row(7, "jose perez", email: "jose@example.org"),  // same name as row 2: a warning
        ]
        try await harness.run { client in
            let response = try await client.call(.post, Self.uri, as: harness.fixture.captainToken, json: Self.body(dryRun: nil, rows))
            #expect(response.status == .ok)
            let report = try JSONDecoder.iso.decode(VictimImportReport.self, from: Data(response.body.utf8))
            #expect(report.dryRun && report.imported == 0 && report.rows == 6)
            #expect(report.problems.map(\.row) == [3, 4, 5, 6])
            #expect(report.problems[0].field == "contact_points[0].address" && report.problems[0].detail.contains("country code"))
            #expect(report.problems[1].field == "language")
            #expect(report.problems[2].detail.contains("also on row 2"))
            #expect(report.problems[3].detail.contains("already belongs to victim 1"))
            #expect(report.warnings.map(\.row) == [7])
            #expect(report.warnings[0].detail.contains("Row 2 has the same name"))
        }
        #expect(try victimCount(harness) == 1)
    }

    @Test func aCommitIsAllOrNothing() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let good = (2..<6).map { Self.row($0, "Victim \($0)", phone: "+1816555014\($0)") }
        try await harness.run { client in
            let refused = try await client.call(
                .post, Self.uri, as: harness.fixture.captainToken, json: Self.body(dryRun: false, good + [Self.row(9, "Bad", phone: "12")]))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.contentType == "application/problem+json")
            let refusal = try JSONDecoder().decode(VictimImportRefusal.self, from: Data(refused.body.utf8))
            #expect(refusal.problems.map(\.row) == [9])
            #expect(refusal.detail.contains("nothing was imported"))
        }
        #expect(try victimCount(harness) == 0)
        #expect(try harness.fixture.allMessages().isEmpty)
        try await harness.run { client in
            let created = try await client.call(
                .post, Self.uri, as: harness.fixture.captainToken,
                json: Self.body(dryRun: false, good + [Self.row(9, "Pending", phone: "+18165550149", email: "p@example.org", consent: false)]))
            #expect(created.status == .created)
            let report = try JSONDecoder.iso.decode(VictimImportReport.self, from: Data(created.body.utf8))
            #expect(report.imported == 5 && report.victimIds.count == 5 && report.welcomes == 4)
        }
        let victims = try harness.fixture.store.caseView(number: "KC-2025-004512", withVictims: true).victims ?? []
        #expect(victims.count == 5)
        // A row with a consent method records consent for its contact points, with the wording version, like recording it by hand.
        let consented = try #require(victims.first { $0.displayName == "Victim 2" })
        #expect(consented.contactPoints[0].consentState == .optedIn)
        #expect(consented.contactPoints[0].consent.last?.wordingVersion == "2026-01")
        #expect(consented.contactPoints[0].consent.last?.actor == harness.fixture.captain.actor)
        let pending = try #require(victims.first { $0.displayName == "Pending" })
        #expect(pending.contactPoints.map(\.consentState) == [.pending, .pending])
        #expect(try harness.fixture.allMessages().filter { $0.event == .welcome }.count == 4)
    }

    @Test func badBodiesGetProblems() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try await harness.run { client in
            let empty = try await client.call(.post, Self.uri, as: harness.fixture.captainToken, json: #"{"rows": []}"#)
            #expect(empty.status == .unprocessableContent)
            #expect(try problem(empty.body).field == "rows")
            let unknown = try await client.call(
                .post, Self.uri, as: harness.fixture.captainToken,
                json:
                    #"{"rows": [{"row": 2, "victim": {"display_name": "A", "language": "es", "time_zone": "America/Chicago", "nationality": "x"}}]}"#)
            #expect(unknown.status == .unprocessableContent)
            let missing = try await client.call(
                .post, "/v1/cases/KC-0/victims/import", as: harness.fixture.captainToken, json: Self.body(dryRun: true, [Self.row(2, "A")]))
            #expect(missing.status == .notFound)
        }
    }
}
