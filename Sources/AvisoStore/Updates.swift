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
        try queueUpdate(
            request, target: .caseNumber(caseNumber), by: staff, planner: planner, now: now, dryRun: dryRun, messageLifetime: messageLifetime)
    }

    /// Plans an update to a case or a pattern and, unless `dryRun`, queues it.
    /// A pattern update tells every victim of every linked case `staff` may
    /// reach once — one message per contact point, however many linked cases
    /// the victim is on — each message naming the victim's own case.
    public func queueUpdate(
        _ request: UpdateRequest, target reference: UpdateTargetReference, by staff: StaffAccount, planner: UpdatePlanner, now: Date,
        dryRun: Bool, messageLifetime: TimeInterval = 3 * 86400, expectDigest: String? = nil
    ) throws -> UpdateView {
        let work = { (db: Database) throws -> UpdateView in
            let target = try Self.resolveTarget(db, reference, for: staff)
            let previous = try Self.referencedHearing(db, request: request, target: target)
            let audience = try Self.audience(db, target)
            let reach = Self.planAudience(
                audience, target: target, request: request, previousHearing: previous?.hearing, planner: planner, now: now,
                listTold: ReachReport.listedLimit)
            if !dryRun {
                guard reach.recipientCount > 0 || !reach.missing.isEmpty else {
                    throw AvisoError.conflict(
                        "No victim of \(target.label) has a contact point with consent, so nothing would be sent. Record consent for a contact point first."
                    )
                }
                if !reach.missing.isEmpty {
                    // G6: queueing fails whole, naming every missing template, as the planner words it.
                    let all = audience.filter { victim in victim.points.contains { $0.consent == .optedIn } }
                    for (caseId, victims) in Dictionary(grouping: all, by: \.caseId) {
                        _ = try planner.plan(
                            event: request.event, fields: request.fields,
                            caseFacts: Self.facts(target, caseId: caseId), recipients: Self.recipients(victims),
                            previousHearing: previous?.hearing, sendAt: request.sendAt, now: now)
                    }
                    throw AvisoError(
                        .missingTranslation, title: "Missing translation",
                        detail: "Nothing was queued for the victims of \(target.label):\n"
                            + Array(Set(reach.missing)).sorted().joined(separator: "\n"))
                }
            }
            var planned: [(caseId: Int64, messages: [PlannedMessage])] = []
            for (caseId, recipients) in reach.recipientsByCase.sorted(by: { $0.key < $1.key }) {
                planned.append(
                    (
                        caseId,
                        try planner.plan(
                            event: request.event, fields: request.fields, caseFacts: Self.facts(target, caseId: caseId), recipients: recipients,
                            previousHearing: previous?.hearing, sendAt: request.sendAt, now: now)
                    ))
            }
            let all = planned.flatMap(\.messages)
            let digest = Self.previewDigest(all, request: request, target: target)
            if !dryRun, let expectDigest, expectDigest != digest {
                throw AvisoError(
                    .conflict, title: "Preview changed",
                    detail:
                        "What this update would send changed since its preview was approved (a victim, a consent or a template changed), so nothing was queued. Preview it again and ask for a new approval."
                )
            }
            var warnings = target.notes + (PlannedMessage.segmentWarnings(all, over: planner.policy.smsWarnSegments) ?? [])
            if !reach.missing.isEmpty {
                warnings.append("Queueing would fail: " + Array(Set(reach.missing)).sorted().joined(separator: "; "))
            }
            let listed = try Self.named(db, reach.unreached + reach.toldListed)
            let report = ReachReport(
                listed: listed, outcomes: Self.outcomes(reach), discreetTold: reach.discreetTold, statuses: dryRun ? nil : ["queued": reach.told])
            if dryRun {
                let names = try Self.victimNames(db, ids: Set(all.prefix(Self.viewedMessages).map(\.victimId)))
                let numbers = Dictionary(uniqueKeysWithValues: target.cases.map { ($0.id, $0.number) })
                var view = UpdateView(
                    id: nil, caseNumber: target.caseNumber, event: request.event, fields: request.fields.fields, state: .queued,
                    createdBy: staff.actor, createdAt: nil,
                    messages: planned.flatMap { group in
                        group.messages.map { Self.preview($0, caseNumber: numbers[group.caseId], victimName: names[$0.victimId]) }
                    })
                view.target = target.kind
                view.patternId = target.patternId
                view.patternName = target.patternName
                view.warnings = warnings.isEmpty ? nil : warnings
                view.reach = report
                view.previewDigest = digest
                return view
            }
            let fieldsJSON = String(decoding: try JSONEncoder().encode(request.fields.fields), as: UTF8.self)
            try db.execute(
                sql: """
                    INSERT INTO updates (case_id, pattern_id, event, fields, send_at, hearing_update_id, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    target.caseId, target.patternId, request.event.rawValue, fieldsJSON, request.sendAt?.millis,
                    request.fields.fields.hearingUpdateId, staff.id, now.millis,
                ])
            let updateId = db.lastInsertedRowID
            if let previous, request.event == .courtDateChanged || request.event == .hearingCancelled {
                // The old hearing's announcement and reminders must not go out: a victim
                // never receives the old date and the new one at the same 08:00.
                try Self.cancelQueued(
                    db, sql: "update_id = ?", arguments: [previous.updateId], actor: staff.actor, now: now,
                    reason: "hearing changed by update \(updateId)")
            }
            for group in planned {
                try Self.insertMessages(
                    db, group.messages, updateId: updateId, caseId: group.caseId,
                    expiresAt: { message in
                        let lifetime = message.dueAt.addingTimeInterval(messageLifetime)
                        guard let startsAt = request.fields.startsAt else { return lifetime }
                        return min(lifetime, startsAt)
                    }, now: now)
            }
            try Self.recordUnreached(db, reach, updateId: updateId)
            var view = try Self.updateView(
                db, id: updateId, messageLimit: Self.viewedMessages, fresh: (["queued": all.count], report))
            view.warnings = warnings.isEmpty ? nil : warnings
            view.previewDigest = digest
            return view
        }
        return dryRun ? try pool.read(work) : try pool.write(work)
    }

    /// SHA-256 over the request and, in a fixed order, every message's contact
    /// point, channel, language, subject and body: the same exactly when the
    /// same people would get the same words.
    static func previewDigest(_ messages: [PlannedMessage], request: UpdateRequest, target: ResolvedTarget) -> String {
        var lines = [
            target.kind.rawValue, target.caseId.map(String.init) ?? "-", target.patternId.map(String.init) ?? "-", request.event.rawValue,
            String(decoding: (try? StrictJSON.encoder.encode(request.fields.fields)) ?? Data(), as: UTF8.self),
            request.sendAt.map { String($0.millis) } ?? "-",
        ]
        let sorted = messages.sorted { ($0.contactPointId, $0.dueAt, $0.body) < ($1.contactPointId, $1.dueAt, $1.body) }
        for message in sorted {
            lines.append(
                [
                    String(message.contactPointId), message.channel.rawValue, message.language, message.event.rawValue, message.subject ?? "",
                    message.body,
                ]
                .joined(separator: "\u{1F}"))
        }
        return AuditChain.digest(lines.joined(separator: "\u{1E}"))
    }

    static func facts(_ target: ResolvedTarget, caseId: Int64) -> CaseFacts {
        let found = target.cases.first { $0.id == caseId }!
        return CaseFacts(number: found.number, offense: found.offense)
    }

    static func recipients(_ victims: [AudienceVictim]) -> [Recipient] {
        victims.map { victim in
            Recipient(
                victimId: victim.id, language: victim.language, timeZone: victim.timeZone, discreet: victim.discreet,
                contactPoints: victim.points.filter { $0.consent == .optedIn }.map { RecipientAddress(contactPointId: $0.id, channel: $0.channel) })
        }
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

    /// An update as `staff` may see it: a captain sees a pattern update's messages on the cases assigned to them.
    public func update(id: Int64, for staff: StaffAccount) throws -> UpdateView {
        try pool.read { db in try Self.updateView(db, id: id, visibleCases: try Self.visibleCaseIds(db, for: staff)) }
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

    /// An update with its first messages, its messages by state and its reach. `fresh` is what
    /// the transaction that queued it already knows, so a fan-out is not read back row by row.
    static func updateView(
        _ db: Database, id: Int64, messageLimit: Int = viewedMessages, visibleCases: Set<Int64>? = nil,
        fresh: (states: [String: Int], reach: ReachReport)? = nil
    ) throws -> UpdateView {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT u.*, c.number, p.name AS pattern_name FROM updates u LEFT JOIN cases c ON c.id = u.case_id
                    LEFT JOIN patterns p ON p.id = u.pattern_id WHERE u.id = ?
                    """, arguments: [id])
        else { throw AvisoError.notFound("update", String(id)) }
        let fieldsText: String = row["fields"]
        let fields = try? JSONDecoder().decode(UpdateFields.self, from: Data(fieldsText.utf8))
        let scope = visibleCases.map { " AND m.case_id IN (\(list($0.sorted())))" } ?? ""
        let messages = try Row.fetchAll(
            db, sql: "\(messageSelect) WHERE m.update_id = ?\(scope) ORDER BY m.id LIMIT ?", arguments: [id, messageLimit]
        ).map(messageView)
        let states = try fresh?.states ?? messageStates(db, updateId: id, scope: scope)
        let state = UpdateState(rawValue: row["state"]) ?? .queued
        var view = UpdateView(
            id: id, caseNumber: row["number"], event: Event(rawValue: row["event"]) ?? .custom, fields: fields, state: state,
            createdBy: "staff:\(row["created_by"] as Int64)", createdAt: Date(millis: row["created_at"]), messages: messages,
            messageCount: states.values.reduce(0, +))
        view.patternId = row["pattern_id"]
        view.patternName = row["pattern_name"]
        view.target = view.patternId == nil ? .case : .pattern
        view.messageStates = states
        view.progress = UpdateProgress.of(state: state, messageStates: states)
        view.reach = try fresh?.reach ?? reach(db, updateId: id, visibleCases: visibleCases)
        return view
    }

    static func messageStates(_ db: Database, updateId: Int64, scope: String) throws -> [String: Int] {
        var states: [String: Int] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT m.state, count(*) AS n FROM messages m WHERE m.update_id = ?\(scope) GROUP BY m.state", arguments: [updateId])
        {
            states[row["state"]] = row["n"]
        }
        return states
    }

    static func victimNames(_ db: Database, ids: Set<Int64>) throws -> [Int64: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [Int64: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, display_name FROM victims WHERE id IN (\(ids.map(String.init).joined(separator: ",")))") {
            names[row["id"]] = row["display_name"]
        }
        return names
    }

    /// The hearing an update refers to by `hearing_update_id`.
    static func referencedHearing(
        _ db: Database, request: UpdateRequest, target: ResolvedTarget
    ) throws -> (updateId: Int64, hearing: Hearing)? {
        guard let referenced = request.fields.fields.hearingUpdateId else { return nil }
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT case_id, pattern_id, event, fields, state FROM updates WHERE id = ?", arguments: [referenced])
        else {
            throw AvisoError.invalid("fields.hearing_update_id", "Update \(referenced) does not exist.")
        }
        let event: String = row["event"]
        let sameTarget = target.patternId.map { row["pattern_id"] == $0 } ?? (row["case_id"] == target.caseId)
        guard sameTarget, [Event.courtDate, .courtDateChanged, .bondHearing].map(\.rawValue).contains(event) else {
            let list = target.patternId.map { "aviso pattern hearings \($0)" } ?? "aviso case hearings \(target.caseNumber ?? "")"
            throw AvisoError.invalid(
                "fields.hearing_update_id",
                "Update \(referenced) is not a court_date, court_date_changed or bond_hearing of \(target.label). '\(list)' lists its hearings.")
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
