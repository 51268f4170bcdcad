import AvisoClient
import AvisoCore
import AvisoDaemon
import AvisoStore
import AvisoTesting
import Foundation
import Testing

/// Issue 14 §7: the CSV export holds every message in every state, every
/// consent record and every reply that the JSON export holds.
@Suite struct ExportTests {
    /// A case whose messages are in every state a case reaches without a
    /// provider's report: sent, queued (scheduled for later), cancelled and
    /// suppressed, with consent records, an opt-out and two replies.
    static func caseInEveryState() async throws -> StoreFixture {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142", email: "jose@example.org")
        let robert = try fixture.addVictim("Robert Hill", language: "en", phone: "+18165550177")
        try fixture.addVictim("Amina Yusuf", language: "so", phone: "+18165550188", consent: false)
        try fixture.queue(.arrest)
        let dispatcher = fixture.dispatcher(gateway: RecordingGateway())
        while try await dispatcher.runOnce() > 0 {}
        // Queued for next week: it stays queued.
        try fixture.queue(.chargesDeclined, sendAt: fixture.clock.now().addingTimeInterval(7 * 86400))
        // Queued, then cancelled.
        let cancelled = try fixture.queue(.plea, sendAt: fixture.clock.now().addingTimeInterval(86400))
        _ = try fixture.store.cancelUpdate(id: try #require(cancelled.id), by: fixture.captain, now: fixture.clock.now())
        // Queued, then the number opts out before it is claimed: suppressed.
        try fixture.queue(.sentencing)
        try fixture.optOut(contactPoint: robert.contactPoints[0].id)
        _ = try fixture.store.receiveInbound(
            providerId: "SM-1", from: "+18165550142", body: "¿Cuándo es la corte?", planner: fixture.planner, now: fixture.clock.now())
        _ = try fixture.store.receiveInbound(
            providerId: "SM-2", from: "+18165550142", body: "Gracias, por favor\nllámenme", planner: fixture.planner, now: fixture.clock.now())
        while try await dispatcher.runOnce() > 0 {}
        return fixture
    }

    /// The records of a CSV file (RFC 4180: a quoted field may hold commas, quotes and line breaks).
    static func records(_ csv: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(csv.unicodeScalars)[...]
        while let scalar = characters.popFirst() {
            if quoted {
                if scalar == "\"" {
                    if characters.first == "\"" {
                        field.unicodeScalars.append(characters.removeFirst())
                    } else {
                        quoted = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
            } else if scalar == "\"" {
                quoted = true
            } else if scalar == "," {
                record.append(field)
                field = ""
            } else if scalar == "\r" && characters.first == "\n" {
                characters.removeFirst()
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty { records.append(record + [field]) }
        return records
    }

    @Test func theCSVHasARowForEveryConsentRecordMessageHistoryEntryAndReplyOfTheJSON() async throws {
        let fixture = try await Self.caseInEveryState()
        let export = try fixture.store.exportCase(number: "KC-2025-004512", by: fixture.captain, now: fixture.clock.now())
        // Counted in the JSON as a records request receives it, not from the Swift values.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(export)) as? [String: Any])
        let victims = try #require(json["victims"] as? [[String: Any]])
        let consents = victims.flatMap { ($0["contact_points"] as? [[String: Any]]) ?? [] }.map { ($0["consent"] as? [Any])?.count ?? 0 }
            .reduce(0, +)
        let messages = try #require(json["messages"] as? [[String: Any]])
        let entries = messages.map { ($0["history"] as? [Any])?.count ?? 0 }.reduce(0, +)
        let replies = try #require(json["inbound"] as? [Any]).count
        let states = Set(messages.compactMap { ($0["message"] as? [String: Any])?["state"] as? String })
        #expect(states.isSuperset(of: ["sent", "queued", "cancelled", "suppressed"]), "\(states)")
        #expect(consents >= 4 && replies == 2 && entries > messages.count)

        let csv = ([HistoryCSV.header] + HistoryCSV.rows(export)).map(HistoryCSV.line).joined(separator: "\r\n") + "\r\n"
        let records = Self.records(csv)
        #expect(records.first == HistoryCSV.header)
        let rows = records.dropFirst()
        #expect(rows.allSatisfy { $0.count == HistoryCSV.header.count })
        #expect(rows.count == consents + messages.count + entries + replies)
        #expect(rows.count == HistoryCSV.recordCount(export))
        #expect(rows.filter { $0[1] == "consent" }.count == consents)
        #expect(rows.filter { $0[1] == "message_event" }.count == entries)
        #expect(rows.filter { $0[1] == "reply" }.count == replies)
        // Every message once, in the state the JSON gives it, with its body.
        let messageRows = rows.filter { $0[1] == "message" }
        #expect(messageRows.count == messages.count)
        for item in messages {
            let message = try #require(item["message"] as? [String: Any])
            let id = try #require(message["id"] as? Int)
            let row = messageRows.filter { $0[8] == String(id) }
            #expect(row.count == 1 && row.first?[11] == message["state"] as? String, "message \(id)")
            if let body = message["body"] as? String { #expect(row.first?[14].contains(body) == true) }
        }
        #expect(rows.contains { $0[1] == "reply" && $0[14] == "Gracias, por favor\nllámenme" })
    }
}
