public import AvisoCore
public import Foundation
import GRDB

extension AvisoStore {
    /// The whole history of one case: its victims with every consent record,
    /// every message with every status change, every reply from its victims.
    public func exportCase(number: String, by staff: StaffAccount, now: Date) throws -> HistoryExport {
        let breaks = try verifyAuditChains()
        return try pool.read { db in
            let caseId = try Self.caseId(db, number: number)
            let victimIds = try Int64.fetchAll(
                db, sql: "SELECT victim_id FROM case_victims WHERE case_id = ? ORDER BY victim_id", arguments: [caseId])
            return try Self.export(
                db, scope: "case \(number)", caseIds: [caseId], victimIds: victimIds,
                messageFilter: ("m.case_id = ?", [caseId]), by: staff, breaks: breaks, now: now)
        }
    }

    /// The whole history of one victim, across their cases.
    public func exportVictim(id: Int64, by staff: StaffAccount, now: Date) throws -> HistoryExport {
        let breaks = try verifyAuditChains()
        return try pool.read { db in
            _ = try Self.victimView(db, id: id)
            let caseIds = try Int64.fetchAll(db, sql: "SELECT case_id FROM case_victims WHERE victim_id = ? ORDER BY case_id", arguments: [id])
            return try Self.export(
                db, scope: "victim \(id)", caseIds: caseIds, victimIds: [id], messageFilter: ("m.victim_id = ?", [id]), by: staff, breaks: breaks,
                now: now)
        }
    }

    static func export(
        _ db: Database, scope: String, caseIds: [Int64], victimIds: [Int64], messageFilter: (String, StatementArguments), by staff: StaffAccount,
        breaks: [ChainBreak], now: Date
    ) throws -> HistoryExport {
        let cases = try caseIds.map { try caseView(db, id: $0, withVictims: false) }
        let victims = try victimIds.map { try victimView(db, id: $0) }
        let rows = try Row.fetchAll(db, sql: "\(messageSelect) WHERE \(messageFilter.0) ORDER BY m.id", arguments: messageFilter.1)
        var histories: [Int64: [HistoryEntry]] = [:]
        if !rows.isEmpty {
            let ids = rows.map { $0["id"] as Int64 }
            let log = try Row.fetchAll(
                db, sql: "SELECT message_id, at, kind, actor, detail FROM contact_log WHERE message_id IN (\(list(ids))) ORDER BY id")
            for entry in log {
                histories[entry["message_id"], default: []].append(
                    HistoryEntry(at: Date(millis: entry["at"]), kind: entry["kind"], actor: entry["actor"], detail: entry["detail"]))
            }
        }
        let messages = rows.map { row in
            MessageHistory(message: messageView(row), history: histories[row["id"]] ?? [])
        }
        let inbound = try Row.fetchAll(
            db,
            sql: """
                SELECT i.*, v.display_name FROM inbound_messages i LEFT JOIN victims v ON v.id = i.victim_id
                WHERE i.victim_id IN (\(list(victimIds))) ORDER BY i.id
                """
        ).map { try inboundView(db, $0) }
        return HistoryExport(
            generatedAt: now, generatedBy: staff.actor, scope: scope, chainsIntact: breaks.isEmpty, chainBreaks: breaks.map(\.description),
            cases: cases, victims: victims, messages: messages, inbound: inbound)
    }
}
