public import AvisoCore
public import Foundation
import GRDB

extension Schema {
    /// Who answered which reply (a staff reply is a message; this says whose
    /// words it carries and what it answers), append-only; and the note staff
    /// leave when they mark a reply handled.
    static let staffReplies = """
        CREATE TABLE staff_replies (
          id INTEGER PRIMARY KEY,
          message_id INTEGER NOT NULL UNIQUE REFERENCES messages(id),
          inbound_id INTEGER NOT NULL REFERENCES inbound_messages(id),
          staff_id INTEGER NOT NULL REFERENCES staff_accounts(id),
          created_at INTEGER NOT NULL
        );
        CREATE INDEX staff_replies_by_inbound ON staff_replies(inbound_id);
        \(appendOnly("staff_replies"))
        ALTER TABLE inbound_messages ADD COLUMN handled_note TEXT CHECK (handled_note IS NULL OR length(handled_note) BETWEEN 1 AND 2000);
        """
}

extension AvisoStore {
    /// A staff member answers a victim's reply (SPEC §2.5) on the contact
    /// point the victim wrote from, in one transaction: the message is
    /// queued through the outbox like every other (so the hand-off consent
    /// check of G1 applies), due at once in the answers' lane, and the reply
    /// it answers and who wrote it are recorded. Refused when the victim is
    /// not opted in: nothing would be sent.
    public func replyToInbound(
        inboundId: Int64, text: String, by staff: StaffAccount, planner: UpdatePlanner, now: Date
    ) throws -> StaffReplyView {
        try pool.write { db in
            guard let inbound = try Row.fetchOne(db, sql: "SELECT * FROM inbound_messages WHERE id = ?", arguments: [inboundId]) else {
                throw AvisoError.notFound("reply", String(inboundId))
            }
            guard let contactPointId: Int64 = inbound["contact_point_id"], let victimId: Int64 = inbound["victim_id"] else {
                throw AvisoError.conflict("Reply \(inboundId) came from a number Aviso does not know: there is no victim to answer.")
            }
            let consent = try String.fetchOne(db, sql: "SELECT consent_state FROM contact_points WHERE id = ?", arguments: [contactPointId])
            guard consent == ConsentState.optedIn.rawValue else {
                throw AvisoError.conflict(
                    consent == ConsentState.optedOut.rawValue
                        ? "The victim's number is opted out, so nothing can be sent to it. It is opted in again when the victim replies START (or staff record their renewed consent)."
                        : "The victim's number has no recorded consent, so nothing can be sent to it. Record their consent first (aviso consent record)."
                )
            }
            let recipient = try Self.recipient(db, contactPointId: contactPointId)
            let planned = try planner.staffReply(text, recipient: recipient, address: recipient.contactPoints[0], now: now)
            let caseId =
                try Int64.fetchOne(db, sql: "SELECT case_id FROM inbound_cases WHERE inbound_id = ? ORDER BY case_id LIMIT 1", arguments: [inboundId])
                ?? (try Self.latestCase(db, victimId: victimId))
            // An answer is useful while the conversation is: three days, like the lifetime of an update's messages.
            try Self.insertMessages(db, [planned], updateId: nil, caseId: caseId, expiresAt: { _ in now.addingTimeInterval(3 * 86400) }, now: now)
            // Row ids of `messages` only grow: the one just inserted is the largest.
            let messageId = try Int64.fetchOne(db, sql: "SELECT max(id) FROM messages") ?? 0
            try db.execute(
                sql: "INSERT INTO staff_replies (message_id, inbound_id, staff_id, created_at) VALUES (?, ?, ?, ?)",
                arguments: [messageId, inboundId, staff.id, now.millis])
            var warnings: [String] = []
            let spoken = Set(staff.languages.compactMap { try? LanguageTag($0).language })
            if !spoken.contains(recipient.language.language) {
                warnings.append(
                    "The victim's language is \(recipient.language.value) and your account does not list it: your text is sent as you wrote it. Ask a colleague who speaks it if you can."
                )
            }
            if recipient.discreet {
                warnings.append(
                    "This victim is in discreet mode: someone else may read their phone. Your text is sent as you wrote it; it should not name the department, the police, a case, an offense, a court or a place."
                )
            }
            guard let row = try Row.fetchOne(db, sql: Self.messageSelect + " WHERE m.id = ?", arguments: [messageId]) else {
                throw AvisoError.notFound("message", String(messageId))
            }
            return StaffReplyView(message: Self.messageView(row), warnings: warnings)
        }
    }

    /// A victim's whole thread, both directions, oldest first: every message
    /// sent (or to be sent) to any of their contact points, and every reply
    /// they sent, with who wrote a staff reply and the handled notes.
    public func conversation(victimId: Int64) throws -> ConversationView {
        try pool.read { db in
            let victim = try Self.victimView(db, id: victimId)
            var entries: [ConversationEntry] = []
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.id, m.created_at, m.channel, m.event, m.body, m.state, cp.address, c.number AS case_number,
                      s.name AS staff_name, r.inbound_id
                    FROM messages m JOIN contact_points cp ON cp.id = m.contact_point_id LEFT JOIN cases c ON c.id = m.case_id
                    LEFT JOIN staff_replies r ON r.message_id = m.id LEFT JOIN staff_accounts s ON s.id = r.staff_id
                    WHERE m.victim_id = ? ORDER BY m.created_at, m.id
                    """, arguments: [victimId])
            {
                entries.append(
                    ConversationEntry(
                        direction: "outbound", at: Date(millis: row["created_at"]), channel: Channel(rawValue: row["channel"]) ?? .sms,
                        address: row["address"], event: row["event"], body: row["body"], state: row["state"], id: row["id"],
                        caseNumber: row["case_number"], staff: row["staff_name"], note: nil, inReplyTo: row["inbound_id"]))
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, i.received_at, i.from_address, i.intent, i.body, i.handled_at, i.handled_note, s.name AS staff_name,
                      (SELECT c.number FROM inbound_cases ic JOIN cases c ON c.id = ic.case_id WHERE ic.inbound_id = i.id ORDER BY c.id LIMIT 1)
                        AS case_number
                    FROM inbound_messages i LEFT JOIN staff_accounts s ON s.id = i.handled_by
                    WHERE i.victim_id = ? ORDER BY i.received_at, i.id
                    """, arguments: [victimId])
            {
                entries.append(
                    ConversationEntry(
                        direction: "inbound", at: Date(millis: row["received_at"]), channel: .sms, address: row["from_address"], event: row["intent"],
                        body: row["body"], state: (row["handled_at"] as Int64?) == nil ? "unhandled" : "handled", id: row["id"],
                        caseNumber: row["case_number"], staff: row["staff_name"], note: row["handled_note"], inReplyTo: nil))
            }
            // What answers a reply (its acknowledgment) is created in the same transaction, so the same
            // millisecond: the victim's message comes first.
            entries.sort { ($0.at, $0.direction == "inbound" ? 0 : 1, $0.id) < ($1.at, $1.direction == "inbound" ? 0 : 1, $1.id) }
            return ConversationView(
                victimId: victimId, victimName: victim.displayName, language: victim.language, timeZone: victim.timeZone, discreet: victim.discreet,
                entries: entries)
        }
    }
}
