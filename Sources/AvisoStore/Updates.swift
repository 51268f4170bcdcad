public import AvisoCore
public import Foundation
import GRDB

/// An update to queue or preview, already validated against its event.
public struct UpdateRequest: Sendable {
    public var event: Event
    public var fields: ValidatedFields
    public var sendAt: Date?

    public init(event: Event, fields: ValidatedFields, sendAt: Date?) {
        self.event = event
        self.fields = fields
        self.sendAt = sendAt
    }
}

extension AvisoStore {
    /// Plans an update and, unless `dryRun`, queues it with all its messages
    /// in one transaction: once this returns, nothing of it can be lost (G2).
    /// A missing translation for any recipient fails the whole update (G6).
    public func queueUpdate(
        _ request: UpdateRequest, caseNumber: String, by staff: StaffAccount, planner: UpdatePlanner, now: Date, dryRun: Bool,
        messageLifetime: TimeInterval = 3 * 86400
    ) throws -> UpdateView {
        let work = { (db: Database) throws -> UpdateView in
            let caseId = try Self.caseId(db, number: caseNumber)
            let caseRow = try Row.fetchOne(db, sql: "SELECT number, offense, status FROM cases WHERE id = ?", arguments: [caseId])!
            guard caseRow["status"] == CaseStatus.open.rawValue else {
                throw AvisoError.conflict("Case \(caseNumber) is closed; updates cannot be queued on it.")
            }
            let previous = try Self.referencedHearing(db, request: request, caseId: caseId)
            let recipients = try Self.recipients(db, caseId: caseId)
            guard !recipients.isEmpty else {
                throw AvisoError.conflict(
                    "No victim of case \(caseNumber) has a contact point with consent, so nothing would be sent. Record consent for a contact point first."
                )
            }
            let planned = try planner.plan(
                event: request.event, fields: request.fields, caseFacts: CaseFacts(number: caseRow["number"], offense: caseRow["offense"]),
                recipients: recipients, previousHearing: previous?.hearing, sendAt: request.sendAt, now: now)
            if dryRun {
                let names = try Self.victimNames(db, ids: Set(planned.map(\.victimId)))
                var view = UpdateView(
                    id: nil, caseNumber: caseNumber, event: request.event, fields: request.fields.fields, state: .queued, createdBy: staff.actor,
                    createdAt: nil,
                    messages: planned.map { Self.preview($0, caseNumber: caseNumber, victimName: names[$0.victimId]) })
                view.warnings = PlannedMessage.segmentWarnings(planned)
                return view
            }
            let fieldsJSON = String(decoding: try JSONEncoder().encode(request.fields.fields), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO updates (case_id, event, fields, send_at, hearing_update_id, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    caseId, request.event.rawValue, fieldsJSON, request.sendAt?.millis, request.fields.fields.hearingUpdateId, staff.id, now.millis,
                ])
            let updateId = db.lastInsertedRowID
            if let previous, request.event == .courtDateChanged || request.event == .hearingCancelled {
                // The old hearing's reminders must not go out.
                try Self.cancelQueued(
                    db, sql: "update_id = ? AND event = 'court_date_reminder'", arguments: [previous.updateId], actor: staff.actor, now: now,
                    reason: "hearing changed by update \(updateId)")
            }
            try Self.insertMessages(
                db, planned, updateId: updateId, caseId: caseId,
                expiresAt: { message in
                    let lifetime = message.dueAt.addingTimeInterval(messageLifetime)
                    guard let startsAt = request.fields.startsAt else { return lifetime }
                    return min(lifetime, startsAt)
                }, now: now)
            var view = try Self.updateView(db, id: updateId, messageLimit: Self.viewedMessages)
            view.warnings = PlannedMessage.segmentWarnings(planned)
            return view
        }
        return dryRun ? try pool.read(work) : try pool.write(work)
    }

    /// Cancels an update: every message not yet handed off is cancelled.
    public func cancelUpdate(id: Int64, by staff: StaffAccount, now: Date) throws -> UpdateView {
        try pool.write { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM updates WHERE id = ?", arguments: [id]) else {
                throw AvisoError.notFound("update", String(id))
            }
            guard state == UpdateState.queued.rawValue else { throw AvisoError.conflict("Update \(id) is already cancelled.") }
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE update_id = ? AND state = 'queued'", arguments: [id]) ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE update_id = ?", arguments: [id]) ?? 0
            if pending == 0 && total > 0 {
                throw AvisoError.conflict("Every message of update \(id) was already handed off; it can no longer be cancelled.")
            }
            try db.execute(
                sql: "UPDATE updates SET state = 'cancelled', cancelled_by = ?, cancelled_at = ? WHERE id = ?", arguments: [staff.id, now.millis, id])
            try Self.cancelQueued(db, sql: "update_id = ?", arguments: [id], actor: staff.actor, now: now, reason: "update \(id) cancelled")
            return try Self.updateView(db, id: id)
        }
    }

    public func update(id: Int64) throws -> UpdateView {
        try pool.read { db in try Self.updateView(db, id: id) }
    }

    /// The messages of a case (or all), newest first, optionally in one state.
    public func messages(caseNumber: String?, state: MessageState?, limit: Int, visibleCases: Set<Int64>? = nil) throws -> [MessageView] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let visibleCases { conditions.append("m.case_id IN (\(Self.list(visibleCases.sorted())))") }
            if let caseNumber {
                conditions.append("m.case_id = ?")
                _ = arguments.append(contentsOf: [try Self.caseId(db, number: caseNumber)])
            }
            if let state {
                conditions.append("m.state = ?")
                _ = arguments.append(contentsOf: [state.rawValue])
            }
            _ = arguments.append(contentsOf: [limit])
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "\(Self.messageSelect) \(whereClause) ORDER BY m.id DESC LIMIT ?", arguments: arguments).map(
                Self.messageView)
        }
    }

    static let messageSelect = """
        SELECT m.*, c.number AS case_number, v.display_name AS victim_name, cp.address AS address
        FROM messages m JOIN victims v ON v.id = m.victim_id JOIN contact_points cp ON cp.id = m.contact_point_id
        LEFT JOIN cases c ON c.id = m.case_id
        """

    static func messageView(_ row: Row) -> MessageView {
        MessageView(
            id: row["id"], updateId: row["update_id"], caseNumber: row["case_number"], victimId: row["victim_id"], victimName: row["victim_name"],
            contactPointId: row["contact_point_id"], channel: Channel(rawValue: row["channel"]) ?? .sms, address: row["address"],
            language: row["language"], event: Event(rawValue: row["event"]) ?? .custom, state: MessageState(rawValue: row["state"]) ?? .queued,
            subject: row["subject"], body: row["body"], scheduledFor: Date(millis: row["due_at"]),
            encoding: (row["encoding"] as String?).flatMap(SMSEncoding.init(rawValue:)), segments: row["segments"], attempts: row["attempts"],
            lastError: row["last_error"], providerId: row["provider_id"])
    }

    static func preview(_ message: PlannedMessage, caseNumber: String?, victimName: String?) -> MessageView {
        MessageView(
            id: nil, updateId: nil, caseNumber: caseNumber, victimId: message.victimId, victimName: victimName,
            contactPointId: message.contactPointId,
            channel: message.channel, address: nil, language: message.language, event: message.event, state: .queued, subject: message.subject,
            body: message.body, scheduledFor: message.dueAt, encoding: message.sms?.encoding, segments: message.sms?.segments, attempts: 0,
            lastError: nil, providerId: nil, review: message.review)
    }

    /// How many of an update's messages its view lists; `message_count` gives them all.
    static let viewedMessages = 1000

    static func updateView(_ db: Database, id: Int64, messageLimit: Int = viewedMessages) throws -> UpdateView {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT u.*, c.number FROM updates u JOIN cases c ON c.id = u.case_id WHERE u.id = ?", arguments: [id])
        else { throw AvisoError.notFound("update", String(id)) }
        let fieldsText: String = row["fields"]
        let fields = try? JSONDecoder().decode(UpdateFields.self, from: Data(fieldsText.utf8))
        let messages = try Row.fetchAll(db, sql: "\(messageSelect) WHERE m.update_id = ? ORDER BY m.id LIMIT ?", arguments: [id, messageLimit]).map(
            messageView)
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE update_id = ?", arguments: [id]) ?? 0
        return UpdateView(
            id: id, caseNumber: row["number"], event: Event(rawValue: row["event"]) ?? .custom, fields: fields,
            state: UpdateState(rawValue: row["state"]) ?? .queued, createdBy: "staff:\(row["created_by"] as Int64)",
            createdAt: Date(millis: row["created_at"]), messages: messages, messageCount: count)
    }

    static func victimNames(_ db: Database, ids: Set<Int64>) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, display_name FROM victims WHERE id IN (\(ids.map(String.init).joined(separator: ",")))") {
            names[row["id"]] = row["display_name"]
        }
        return names
    }

    /// Every victim of the case with their opted-in contact points.
    static func recipients(_ db: Database, caseId: Int64) throws -> [Recipient] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT v.id, v.language, v.time_zone, v.discreet, cp.id AS contact_point_id, cp.channel
                FROM case_victims cv JOIN victims v ON v.id = cv.victim_id
                JOIN contact_points cp ON cp.victim_id = v.id AND cp.consent_state = 'opted_in' AND cp.retired_at IS NULL
                WHERE cv.case_id = ? ORDER BY v.id, cp.id
                """, arguments: [caseId])
        var result: [Recipient] = []
        result.reserveCapacity(rows.count)
        // A case's victims share a few languages and zones: parse each once.
        var languages: [String: LanguageTag] = [:]
        var zones: [String: TimeZone] = [:]
        for row in rows {
            let address = RecipientAddress(contactPointId: row["contact_point_id"], channel: Channel(rawValue: row["channel"]) ?? .sms)
            let victimId: Int64 = row["id"]
            if let last = result.last, last.victimId == victimId {
                result[result.count - 1].contactPoints.append(address)
                continue
            }
            let languageText: String = row["language"]
            let zoneText: String = row["time_zone"]
            let language = try languages[languageText] ?? LanguageTag(languageText)
            languages[languageText] = language
            let zone = zones[zoneText] ?? TimeZone(identifier: zoneText) ?? .gmt
            zones[zoneText] = zone
            result.append(Recipient(victimId: victimId, language: language, timeZone: zone, discreet: row["discreet"], contactPoints: [address]))
        }
        return result
    }

    /// The hearing an update refers to by `hearing_update_id`.
    static func referencedHearing(_ db: Database, request: UpdateRequest, caseId: Int64) throws -> (updateId: Int64, hearing: Hearing)? {
        guard let referenced = request.fields.fields.hearingUpdateId else { return nil }
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT case_id, event, fields, state FROM updates WHERE id = ?", arguments: [referenced])
        else {
            throw AvisoError.invalid("fields.hearing_update_id", "Update \(referenced) does not exist.")
        }
        let event: String = row["event"]
        guard row["case_id"] == caseId, [Event.courtDate, .courtDateChanged, .bondHearing].map(\.rawValue).contains(event) else {
            throw AvisoError.invalid(
                "fields.hearing_update_id", "Update \(referenced) is not a court_date, court_date_changed or bond_hearing of this case.")
        }
        let fieldsText: String = row["fields"]
        let fields = try JSONDecoder().decode(UpdateFields.self, from: Data(fieldsText.utf8))
        guard let startsAtText = fields.startsAt,
            let startsAt = try? UpdateFields.parseLocalDateTime(startsAtText, zone: .gmt, field: "starts_at")
        else {
            throw AvisoError.invalid("fields.hearing_update_id", "Update \(referenced) has no hearing time.")
        }
        return (referenced, Hearing(startsAt: startsAt, place: fields.place ?? ""))
    }

    static func cancelQueued(_ db: Database, sql condition: String, arguments: StatementArguments, actor: String, now: Date, reason: String) throws {
        let rows = try Row.fetchAll(
            db, sql: "SELECT id, contact_point_id FROM messages WHERE state = 'queued' AND \(condition)", arguments: arguments)
        guard !rows.isEmpty else { return }
        try db.execute(
            sql: "UPDATE messages SET state = 'cancelled', updated_at = ? WHERE state = 'queued' AND \(condition)",
            arguments: [now.millis] + arguments)
        try AuditLog.appendContact(
            db, rows.map { .init(messageId: $0["id"], contactPointId: $0["contact_point_id"], kind: "cancelled", detail: reason) }, actor: actor,
            at: now)
    }

    static func insertMessages(
        _ db: Database, _ messages: [PlannedMessage], updateId: Int64?, caseId: Int64?, expiresAt: ((PlannedMessage) -> Date?)?, now: Date
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO messages (update_id, case_id, victim_id, contact_point_id, channel, language, event, subject, body, body_digest,
                  encoding, segments, due_at, expires_at, created_at, updated_at, lane)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let millis = now.millis
        // A fan-out repeats a few bodies many times: hash each once.
        var digests: [String: String] = [:]
        var counts: [String: (channel: String, language: String, count: Int)] = [:]
        for message in messages {
            counts["\(message.channel.rawValue)/\(message.language)", default: (message.channel.rawValue, message.language, 0)].count += 1
            let digest = digests[message.body] ?? AuditChain.digest(message.body)
            digests[message.body] = digest
            try statement.execute(arguments: [
                updateId, caseId, message.victimId, message.contactPointId, message.channel.rawValue, message.language, message.event.rawValue,
                message.subject, message.body, digest, message.sms?.encoding.rawValue, message.sms?.segments,
                message.dueAt.millis, expiresAt?(message)?.millis, millis, millis, message.event.lane,
            ])
        }
        // message_counts (read by /metrics) in one statement per channel and language, not one per row.
        for (channel, language, count) in counts.values {
            try db.execute(
                sql: """
                    INSERT INTO message_counts (state, channel, language, count) VALUES ('queued', ?, ?, ?)
                    ON CONFLICT (state, channel, language) DO UPDATE SET count = count + excluded.count
                    """, arguments: [channel, language, count])
        }
    }
}
