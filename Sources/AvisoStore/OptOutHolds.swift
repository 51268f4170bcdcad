import AvisoCore
public import Foundation
import GRDB

/// A reply that may be an opt-out but is not clear (SPEC §2.3): it goes to
/// staff flagged, and routine messages to its contact point wait until a
/// staff member decides, the victim replies again, or the hold runs out —
/// then it counts as an opt-out. The opt-out confirmation is queued with the
/// hold, due when it runs out, and cancelled if the hold is released.
/// Every hold and its end are in the contact log.
extension AvisoStore {
    /// How a hold ended.
    enum HoldResolution: String {
        case optedOut = "opted_out"
        case notOptOut = "not_opt_out"
        case victimReplied = "victim_replied"
        case expired
    }

    /// The open hold of a contact point: its id, its reply and its queued confirmation.
    static func openHold(_ db: Database, contactPointId: Int64) throws -> (id: Int64, inboundId: Int64, confirmationId: Int64?)? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT id, inbound_id, confirmation_id FROM opt_out_holds WHERE contact_point_id = ? AND resolved_at IS NULL",
                arguments: [contactPointId])
        else { return nil }
        return (row["id"], row["inbound_id"], row["confirmation_id"])
    }

    /// Holds routine messages to the contact point after reply `inboundId`, until `now` + the policy's hold.
    static func hold(
        _ db: Database, contactPointId: Int64, victimId: Int64, inboundId: Int64, planner: UpdatePlanner, now: Date
    ) throws {
        let until = now.addingTimeInterval(max(planner.policy.possibleOptOutHold, 60))
        let recipient = try recipient(db, contactPointId: contactPointId)
        var confirmation = try planner.systemMessage(
            .optOutConfirmation, recipient: recipient, address: recipient.contactPoints[0], now: now, respectQuietHours: false)
        confirmation.dueAt = until
        try insertMessages(
            db, [confirmation], updateId: nil, caseId: try latestCase(db, victimId: victimId),
            expiresAt: { _ in until.addingTimeInterval(86400) }, now: now)
        let confirmationId = try Int64.fetchOne(
            db, sql: "SELECT max(id) FROM messages WHERE contact_point_id = ? AND event = 'opt_out_confirmation' AND state = 'queued'",
            arguments: [contactPointId])
        try db.execute(
            sql: "INSERT INTO opt_out_holds (contact_point_id, inbound_id, held_at, held_until, confirmation_id) VALUES (?, ?, ?, ?, ?)",
            arguments: [contactPointId, inboundId, now.millis, until.millis, confirmationId])
        try AuditLog.appendContact(
            db,
            [
                .init(
                    messageId: nil, contactPointId: contactPointId, kind: "held",
                    detail:
                        "inbound \(inboundId): possible opt-out; routine messages held until \(ISO8601DateFormatter().string(from: until)) for staff to decide"
                )
            ], actor: "aviso", at: now)
    }

    /// Ends the open hold of a contact point. With `confirm`, the queued
    /// confirmation goes now (the contact point is opted out); without, it is cancelled.
    static func release(
        _ db: Database, hold: (id: Int64, inboundId: Int64, confirmationId: Int64?), contactPointId: Int64, _ resolution: HoldResolution,
        confirm: Bool, actor: String, detail: String, now: Date
    ) throws {
        try db.execute(
            sql: "UPDATE opt_out_holds SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ?",
            arguments: [now.millis, resolution.rawValue, actor, hold.id])
        var log: [AuditLog.ContactEntry] = [
            .init(messageId: nil, contactPointId: contactPointId, kind: "hold_released", detail: "inbound \(hold.inboundId): \(detail)")
        ]
        if let confirmation = hold.confirmationId {
            if confirm {
                try db.execute(
                    sql: "UPDATE messages SET due_at = min(due_at, ?), updated_at = ? WHERE id = ? AND state = 'queued'",
                    arguments: [now.millis, now.millis, confirmation])
            } else {
                try db.execute(
                    sql: "UPDATE messages SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'queued'",
                    arguments: [now.millis, confirmation])
                if db.changesCount > 0 {
                    log.append(
                        .init(messageId: confirmation, contactPointId: contactPointId, kind: "cancelled", detail: "the possible opt-out was not one"))
                }
            }
        }
        try AuditLog.appendContact(db, log, actor: actor, at: now)
    }

    /// Opts a contact point out on its held reply, in the victim's language.
    static func optOutOnHeldReply(_ db: Database, contactPointId: Int64, inboundId: Int64, actor: String, note: String, now: Date) throws {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT i.body, v.language, cp.consent_state FROM inbound_messages i JOIN contact_points cp ON cp.id = i.contact_point_id
                JOIN victims v ON v.id = cp.victim_id WHERE i.id = ?
                """, arguments: [inboundId])
        guard let row, (row["consent_state"] as String?) == ConsentState.optedIn.rawValue else { return }
        let body: String = row["body"] ?? ""
        try AuditLog.appendConsent(
            db, contactPointId: contactPointId, state: .optedOut, method: .keyword, actor: actor, at: now, wordingVersion: nil,
            wording: "reply: \(body.prefix(160)) (\(note))", language: row["language"] ?? "en")
    }

    /// Holds whose time ran out become opt-outs; run by every claim before it
    /// checks consent, so nothing routine slips through at the deadline (G1).
    static func expireHolds(_ db: Database, now: Date) throws {
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT id, contact_point_id, inbound_id, confirmation_id FROM opt_out_holds WHERE resolved_at IS NULL AND held_until <= ?",
            arguments: [now.millis])
        for row in rows {
            let contactPointId: Int64 = row["contact_point_id"]
            let inboundId: Int64 = row["inbound_id"]
            try optOutOnHeldReply(
                db, contactPointId: contactPointId, inboundId: inboundId, actor: "victim", note: "possible opt-out, no decision in time", now: now)
            let optedOut =
                try String.fetchOne(db, sql: "SELECT consent_state FROM contact_points WHERE id = ?", arguments: [contactPointId])
                == ConsentState.optedOut.rawValue
            try release(
                db, hold: (row["id"], inboundId, row["confirmation_id"]), contactPointId: contactPointId, .expired, confirm: optedOut, actor: "aviso",
                detail: "no decision before the hold ran out: treated as an opt-out", now: now)
        }
    }

    /// A staff member's decision on a possible opt-out: `optOut` opts the
    /// contact point out (and the confirmation goes now); otherwise routine
    /// messages resume. Either way the reply is marked handled.
    public func decidePossibleOptOut(inboundId: Int64, optOut: Bool, by staff: StaffAccount, now: Date) throws {
        try pool.write { db in
            guard
                let contactPointId = try Int64.fetchOne(
                    db, sql: "SELECT contact_point_id FROM opt_out_holds WHERE inbound_id = ?", arguments: [inboundId])
            else { throw AvisoError.conflict("Reply \(inboundId) is not a possible opt-out.") }
            guard let hold = try Self.openHold(db, contactPointId: contactPointId), hold.inboundId == inboundId else {
                throw AvisoError.conflict("Reply \(inboundId) was already decided, answered by the victim, or its hold ran out.")
            }
            if optOut {
                try Self.optOutOnHeldReply(
                    db, contactPointId: contactPointId, inboundId: inboundId, actor: staff.actor, note: "read as an opt-out by staff", now: now)
            }
            try Self.release(
                db, hold: hold, contactPointId: contactPointId, optOut ? .optedOut : .notOptOut, confirm: optOut, actor: staff.actor,
                detail: optOut ? "staff decided: an opt-out" : "staff decided: not an opt-out; routine messages resume", now: now)
            try db.execute(
                sql: "UPDATE inbound_messages SET handled_at = ?, handled_by = ? WHERE id = ? AND handled_at IS NULL",
                arguments: [now.millis, staff.id, inboundId])
        }
    }
}
