public import AvisoCore
public import Foundation
import GRDB

/// What an inbound SMS did.
public struct InboundResult: Sendable, Equatable {
    public var inboundId: Int64
    /// The keyword's meaning, or nil for free text.
    public var intent: ReplyIntent?
    /// Whether the sender is a known contact point.
    public var known: Bool
    /// The reply queued for the victim, if any.
    public var reply: Event?
    /// The reply may ask to stop but is not clear: staff decide, routine messages wait.
    public var possibleOptOut: Bool = false
    /// True when the provider sent this message before (a webhook retry): nothing was done again.
    public var duplicate: Bool
    /// The sender's language, when the sender is a known contact point.
    public var language: String? = nil
    /// True when this reply opted the contact point out (it was not opted out before).
    public var optedOut = false
}

extension AvisoStore {
    /// Receives one SMS from a victim, in one transaction: the message is
    /// stored and logged, a keyword takes effect at once (before the next
    /// claim, G1) with a consent record, and the one reply it calls for is
    /// queued in the victim's language. Free text goes to the staff inbox with
    /// the victim's open cases; the victim gets `reply_ack` at most once a day.
    public func receiveInbound(
        providerId: String?, from: String, body: String, planner: UpdatePlanner, now: Date
    ) throws -> InboundResult {
        let sender = try PhoneNumber(from).e164
        let reading = planner.catalog.keywords.read(body)
        var intent: ReplyIntent? = nil
        if case .keyword(let keyword) = reading { intent = keyword }
        let possibleOptOut = reading == .possibleOptOut
        return try pool.write { db in
            if let providerId,
                let existing = try Row.fetchOne(
                    db, sql: "SELECT id, contact_point_id FROM inbound_messages WHERE provider_id = ?", arguments: [providerId])
            {
                return InboundResult(
                    inboundId: existing["id"], intent: intent, known: existing["contact_point_id"] != nil, reply: nil, duplicate: true)
            }
            let point = try Row.fetchOne(
                db,
                sql: """
                    SELECT cp.id, cp.consent_state, cp.victim_id, v.language FROM contact_points cp JOIN victims v ON v.id = cp.victim_id
                    WHERE cp.channel = 'sms' AND cp.address = ? AND cp.retired_at IS NULL
                    """, arguments: [sender])
            let contactPointId: Int64? = point?["id"]
            let victimId: Int64? = point?["victim_id"]
            let digest = AuditChain.digest(body)
            try db.execute(
                sql: """
                    INSERT INTO inbound_messages (provider_id, received_at, from_address, contact_point_id, victim_id, body, body_digest, intent, language,
                      possible_opt_out)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    providerId, now.millis, sender, contactPointId, victimId, body, digest, intent.map(Self.intentName),
                    point?["language"] as String?, possibleOptOut,
                ])
            let inboundId = db.lastInsertedRowID
            try AuditLog.appendContact(
                db,
                [
                    .init(
                        messageId: nil, contactPointId: contactPointId, kind: "inbound",
                        detail: "inbound \(inboundId): " + (intent.map(Self.intentName) ?? (possibleOptOut ? "possible opt-out" : "free text")),
                        bodyDigest: digest)
                ],
                actor: contactPointId == nil ? "unknown sender" : "victim", at: now)
            guard let contactPointId, let victimId, let point else {
                // A number Aviso does not know gets no reply; the provider answers STOP for the account.
                return InboundResult(inboundId: inboundId, intent: intent, known: false, reply: nil, duplicate: false)
            }
            let state = ConsentState(rawValue: point["consent_state"]) ?? .pending
            let reply = try Self.apply(
                intent, possibleOptOut: possibleOptOut, body: body, inboundId: inboundId, contactPointId: contactPointId, victimId: victimId,
                state: state, planner: planner, now: now, db)
            return InboundResult(
                inboundId: inboundId, intent: intent, known: true, reply: reply, possibleOptOut: possibleOptOut, duplicate: false,
                language: point["language"], optedOut: intent == .optOut && state != .optedOut)
        }
    }

    static func intentName(_ intent: ReplyIntent) -> String {
        switch intent {
        case .optOut: "opt_out"
        case .optIn: "opt_in"
        case .help: "help"
        case .language: "language"
        }
    }

    /// The effect of a reply from a known contact point; returns the reply queued.
    static func apply(
        _ intent: ReplyIntent?, possibleOptOut: Bool, body: String, inboundId: Int64, contactPointId: Int64, victimId: Int64,
        state: ConsentState, planner: UpdatePlanner, now: Date, _ db: Database
    ) throws -> Event? {
        // Every reply belongs to the victim's open cases: their staff see it, a keyword as much as a question.
        try db.execute(
            sql: """
                INSERT INTO inbound_cases (inbound_id, case_id)
                SELECT ?, cv.case_id FROM case_victims cv JOIN cases c ON c.id = cv.case_id WHERE cv.victim_id = ? AND c.status = 'open'
                """, arguments: [inboundId, victimId])
        func consent(_ newState: ConsentState) throws {
            let language = try String.fetchOne(db, sql: "SELECT language FROM victims WHERE id = ?", arguments: [victimId]) ?? "en"
            try AuditLog.appendConsent(
                db, contactPointId: contactPointId, state: newState, method: .keyword, actor: "victim", at: now, wordingVersion: nil,
                wording: "reply: \(body.prefix(160))", language: language)
        }
        func reply(_ event: Event) throws -> Event {
            let recipient = try recipient(db, contactPointId: contactPointId)
            let planned = try planner.systemMessage(
                event, recipient: recipient, address: recipient.contactPoints[0], now: now, respectQuietHours: false)
            try insertMessages(
                db, [planned], updateId: nil, caseId: try latestCase(db, victimId: victimId), expiresAt: { _ in now.addingTimeInterval(86400) },
                now: now)
            return event
        }
        // A reply after a possible opt-out settles it: another unclear one keeps the hold,
        // an opt-out takes effect below, anything else means she still wants the messages.
        if let hold = try openHold(db, contactPointId: contactPointId) {
            if possibleOptOut && intent == nil { return nil }
            if intent == .optOut {
                try release(
                    db, hold: hold, contactPointId: contactPointId, .optedOut, confirm: false, actor: "victim",
                    detail: "the victim opted out (inbound \(inboundId))", now: now)
            } else {
                try release(
                    db, hold: hold, contactPointId: contactPointId, .victimReplied, confirm: false, actor: "victim",
                    detail: "the victim replied again (inbound \(inboundId)); routine messages resume", now: now)
            }
        } else if possibleOptOut && intent == nil {
            // No acknowledgment: if she meant stop, nothing more should reach her before staff decide.
            guard state == .optedIn else { return nil }
            try hold(db, contactPointId: contactPointId, victimId: victimId, inboundId: inboundId, planner: planner, now: now)
            return nil
        }
        switch intent {
        case .optOut:
            guard state != .optedOut else { return nil }
            try consent(.optedOut)
            return try reply(.optOutConfirmation)
        case .optIn:
            guard state != .optedIn else { return nil }
            try consent(.optedIn)
            let welcomed =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE contact_point_id = ? AND event = 'welcome' AND state IN ('sent', 'delivered'))",
                    arguments: [contactPointId]) ?? false
            return try reply(welcomed ? .optInConfirmation : .welcome)
        case .help:
            guard state == .optedIn else { return nil }
            return try reply(.help)
        case .language(let language):
            guard state == .optedIn else { return nil }
            let current = try LanguageTag(try String.fetchOne(db, sql: "SELECT language FROM victims WHERE id = ?", arguments: [victimId]) ?? "en")
            // es-MX replying ESPAÑOL keeps its regional tag.
            if current.language != language {
                try db.execute(sql: "UPDATE victims SET language = ? WHERE id = ?", arguments: [language, victimId])
            }
            return try reply(.languageChanged)
        case nil:
            guard state == .optedIn else { return nil }
            let acknowledged =
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE contact_point_id = ? AND event = 'reply_ack' AND created_at > ?)",
                    arguments: [contactPointId, now.addingTimeInterval(-86400).millis]) ?? false
            return acknowledged ? nil : try reply(.replyAck)
        }
    }

    static func latestCase(_ db: Database, victimId: Int64) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT case_id FROM case_victims WHERE victim_id = ? ORDER BY added_at DESC, case_id DESC LIMIT 1", arguments: [victimId])
    }

    /// Staff's inbox: free-text replies (and keyword replies with `includeKeywords`),
    /// unhandled first, those in a language `staff` speaks before the others, newest first.
    /// `caseIds` narrows it to replies on those cases (a pattern's).
    public func inbox(
        for staff: StaffAccount, caseNumber: String?, caseIds: [Int64]? = nil, includeHandled: Bool, includeKeywords: Bool, limit: Int
    ) throws -> [InboundView] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if staff.role == .captain {
                conditions.append(
                    "i.id IN (SELECT ic.inbound_id FROM inbound_cases ic JOIN case_staff cs ON cs.case_id = ic.case_id WHERE cs.staff_id = ?)")
                _ = arguments.append(contentsOf: [staff.id])
            }
            if !includeKeywords { conditions.append("i.intent IS NULL") }
            if !includeHandled { conditions.append("i.handled_at IS NULL") }
            if let caseIds { conditions.append("i.id IN (SELECT inbound_id FROM inbound_cases WHERE case_id IN (\(Self.list(caseIds))))") }
            if let caseNumber {
                conditions.append("i.id IN (SELECT inbound_id FROM inbound_cases WHERE case_id = ?)")
                _ = arguments.append(contentsOf: [try Self.caseId(db, number: caseNumber)])
            }
            let spoken = staff.languages.compactMap { try? LanguageTag($0).language }
            let speaks =
                spoken.isEmpty
                ? "(i.id < 0)"
                : "(substr(i.language, 1, instr(i.language || '-', '-') - 1) IN (\(spoken.map { "'\($0.filter(\.isLetter))'" }.joined(separator: ","))))"
            _ = arguments.append(contentsOf: [limit])
            let sql = """
                SELECT i.*, v.display_name FROM inbound_messages i LEFT JOIN victims v ON v.id = i.victim_id
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY i.handled_at IS NOT NULL, i.possible_opt_out DESC, \(speaks) DESC, i.id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.inboundView(db, $0) }
        }
    }

    /// A reply as staff see it, from a row of `inbound_messages` joined with the victim's `display_name`.
    static func inboundView(_ db: Database, _ row: Row) throws -> InboundView {
        let id: Int64 = row["id"]
        let cases = try String.fetchAll(
            db, sql: "SELECT c.number FROM inbound_cases ic JOIN cases c ON c.id = ic.case_id WHERE ic.inbound_id = ? ORDER BY c.id", arguments: [id])
        let hold = try Row.fetchOne(
            db, sql: "SELECT held_until, resolution FROM opt_out_holds WHERE inbound_id = ? ORDER BY id DESC LIMIT 1", arguments: [id])
        return InboundView(
            id: id, receivedAt: Date(millis: row["received_at"]), victimId: row["victim_id"], victimName: row["display_name"],
            from: row["from_address"],
            cases: cases, language: row["language"], body: row["body"], intent: row["intent"],
            handledAt: (row["handled_at"] as Int64?).map(Date.init(millis:)), handledBy: (row["handled_by"] as Int64?).map { "staff:\($0)" },
            possibleOptOut: row["possible_opt_out"], holdUntil: hold.flatMap { $0["resolution"] == nil ? Date(millis: $0["held_until"]) : nil },
            holdResolution: hold?["resolution"], handledNote: row["handled_note"])
    }

    /// Marks a reply handled by `staff`, with an optional note on what was done.
    public func markHandled(inboundId: Int64, by staff: StaffAccount, note: String? = nil, now: Date) throws {
        try pool.write { db in
            guard let handled = try Row.fetchOne(db, sql: "SELECT handled_at FROM inbound_messages WHERE id = ?", arguments: [inboundId]) else {
                throw AvisoError.notFound("reply", String(inboundId))
            }
            guard (handled["handled_at"] as Int64?) == nil else { throw AvisoError.conflict("Reply \(inboundId) is already marked handled.") }
            try db.execute(
                sql: "UPDATE inbound_messages SET handled_at = ?, handled_by = ?, handled_note = ? WHERE id = ?",
                arguments: [now.millis, staff.id, note, inboundId])
        }
    }
}
