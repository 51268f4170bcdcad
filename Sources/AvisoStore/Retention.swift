public import AvisoCore
public import Foundation
import GRDB

/// What one retention pass purged.
public struct PurgeSummary: Sendable, Equatable {
    public var cases: [String] = []
    public var messageBodies = 0
    public var replyBodies = 0
    public var victims = 0
}

extension AvisoStore {
    /// Closes a case: no more updates can be queued on it. Messages already
    /// queued (a `case_closed` notice, say) still go out.
    public func closeCase(number: String, by staff: StaffAccount, now: Date) throws -> CaseView {
        try pool.write { db in
            let id = try Self.caseId(db, number: number)
            try db.execute(sql: "UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'", arguments: [now.millis, id])
            guard db.changesCount == 1 else { throw AvisoError.conflict("Case \(number) is already closed.") }
            return try Self.caseView(db, id: id, withVictims: false)
        }
    }

    /// Puts a case on legal hold (nothing of it is purged) or lifts the hold.
    public func setLegalHold(number: String, hold: Bool) throws -> CaseView {
        try pool.write { db in
            let id = try Self.caseId(db, number: number)
            if hold, try Int64.fetchOne(db, sql: "SELECT purged_at FROM cases WHERE id = ?", arguments: [id]) != nil {
                throw AvisoError.conflict("Case \(number) was already purged under the retention policy; a hold cannot bring back what was removed.")
            }
            try db.execute(sql: "UPDATE cases SET legal_hold = ? WHERE id = ?", arguments: [hold, id])
            return try Self.caseView(db, id: id, withVictims: false)
        }
    }

    /// The retention policy: `days` after a case closes, unless it is on
    /// legal hold, its message bodies and its victims' replies are purged, and
    /// the names and addresses of victims with no other live case. Counts,
    /// states, digests and both hash chains remain.
    public func purgeExpired(olderThan days: Int, now: Date) throws -> PurgeSummary {
        let cutoff = now.addingTimeInterval(-Double(days) * 86400).millis
        return try pool.write { db in
            var summary = PurgeSummary()
            let due = try Row.fetchAll(
                db, sql: "SELECT id, number FROM cases WHERE status = 'closed' AND closed_at <= ? AND legal_hold = 0 AND purged_at IS NULL",
                arguments: [cutoff])
            var log: [AuditLog.ContactEntry] = []
            for row in due {
                let caseId: Int64 = row["id"]
                let number: String = row["number"]
                try db.execute(
                    sql: "UPDATE messages SET body = NULL WHERE case_id = ? AND body IS NOT NULL AND state NOT IN ('queued', 'sending')",
                    arguments: [caseId])
                let bodies = db.changesCount
                // Victims whose every case is closed, past retention and not on hold.
                let victims = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT cv.victim_id FROM case_victims cv WHERE cv.case_id = ?
                        AND NOT EXISTS (
                          SELECT 1 FROM case_victims other JOIN cases c ON c.id = other.case_id
                          WHERE other.victim_id = cv.victim_id AND c.id <> ?
                            AND (c.status = 'open' OR c.legal_hold = 1 OR c.closed_at > ?))
                        """, arguments: [caseId, caseId, cutoff])
                var replies = 0
                if !victims.isEmpty {
                    let ids = Self.list(victims)
                    try db.execute(sql: "UPDATE inbound_messages SET body = NULL WHERE victim_id IN (\(ids)) AND body IS NOT NULL")
                    replies = db.changesCount
                    try db.execute(
                        sql: "UPDATE messages SET body = NULL WHERE victim_id IN (\(ids)) AND body IS NOT NULL AND state NOT IN ('queued', 'sending')"
                    )
                    try db.execute(
                        sql:
                            "UPDATE victims SET display_name = 'Victim ' || id, staff_notes = NULL, purged_at = ? WHERE id IN (\(ids)) AND purged_at IS NULL",
                        arguments: [now.millis])
                    summary.victims += db.changesCount
                    try db.execute(sql: "UPDATE contact_points SET address = 'purged:' || id, unsubscribe_token = NULL WHERE victim_id IN (\(ids))")
                    try db.execute(sql: "UPDATE inbound_messages SET from_address = 'purged' WHERE victim_id IN (\(ids))")
                }
                try db.execute(sql: "UPDATE cases SET summary = NULL, purged_at = ? WHERE id = ?", arguments: [now.millis, caseId])
                summary.cases.append(number)
                summary.messageBodies += bodies
                summary.replyBodies += replies
                log.append(
                    .init(
                        messageId: nil, contactPointId: nil, kind: "purged",
                        detail: "case \(number): \(bodies) message bodies, \(replies) reply bodies, \(victims.count) victims' names and addresses"))
            }
            try AuditLog.appendContact(db, log, actor: "retention", at: now)
            return summary
        }
    }
}
