public import AvisoCore
public import Foundation
import GRDB

/// A message claimed for hand-off: in state `sending` until its outcome is recorded.
public struct ClaimedMessage: Sendable {
    public var outbound: OutboundMessage
    public var contactPointId: Int64
    public var bodyDigest: String
    /// The case the message is about, for logs (nil for messages about no case).
    public var caseNumber: String?
    /// The event; an opt-out confirmation is the one message G1 lets reach an opted-out contact point.
    public var event: Event = .custom
}

/// What happened to a claimed message.
public struct HandOffResult: Sendable {
    public var message: ClaimedMessage
    public var outcome: GatewayOutcome
    public var gateway: String

    public init(message: ClaimedMessage, outcome: GatewayOutcome, gateway: String) {
        self.message = message
        self.outcome = outcome
        self.gateway = gateway
    }
}

/// One row of the contact log.
public struct ContactLogEntry: Sendable, Equatable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var messageId: Int64?
    public var kind: String
    public var detail: String?
}

/// How a batch of outcomes was recorded, for metrics and logs.
public struct CompletionSummary: Sendable, Equatable {
    public var sent = 0
    public var retried = 0
    public var failed = 0
    /// Claimed, then not handed off because consent was withdrawn meanwhile.
    public var withdrawn = 0
    /// The language of each contact point the carrier opted out, for the metrics.
    public var carrierOptOuts: [String] = []
}

/// The outbox: the messages table *is* the schedule. The dispatcher claims
/// due messages, hands them off, and records the outcome.
extension AvisoStore {
    static let dispatcherActor = "dispatcher"

    /// Claims up to `limit` due messages in one transaction. In the same
    /// transaction it checks consent (G1): a message whose contact point is
    /// not opted in is suppressed, never claimed (the opt-out confirmation
    /// excepted). A contact point's welcome goes before anything else, and a
    /// contact point has at most one message in flight, so messages arrive in
    /// order.
    public func claimDue(limit: Int, now: Date) throws -> [ClaimedMessage] {
        try pool.write { db in
            var claimed = try Self.claim(db, limit: limit, now: now)
            if claimed.pulledForward && claimed.messages.count < limit {
                claimed.messages += try Self.claim(db, limit: limit - claimed.messages.count, now: now).messages
            }
            return claimed.messages
        }
    }

    /// Events that go to a contact point whose routine messages are held after a possible opt-out.
    static let unheldEvents = (Event.allCases.filter { $0.isUrgent || $0.isReply } + [.optOutConfirmation]).map { "'\($0.rawValue)'" }
        .joined(separator: ", ")

    /// What a claim reads of each candidate message.
    static let candidateQuery = """
        SELECT m.id, m.contact_point_id, m.channel, m.language, m.event, m.subject, m.body, m.body_digest, m.attempts, m.expires_at,
          cp.address, cp.consent_state, cp.unsubscribe_token, c.number AS case_number,
          (SELECT v.discreet FROM victims v WHERE v.id = m.victim_id) AS discreet,
          EXISTS (SELECT 1 FROM messages w WHERE w.contact_point_id = m.contact_point_id AND w.event = 'welcome'
                  AND w.state IN ('queued', 'sending') AND w.id <> m.id) AS awaits_welcome,
          EXISTS (SELECT 1 FROM messages f WHERE f.contact_point_id = m.contact_point_id AND f.state = 'sending') AS busy
        FROM messages m JOIN contact_points cp ON cp.id = m.contact_point_id LEFT JOIN cases c ON c.id = m.case_id
        """

    /// The updates (nil: messages of no update) with queued messages in a lane, at most `limit`,
    /// found by skipping through the lane index (one seek per update, not a scan of its messages).
    static func groups(_ db: Database, lane: Int, limit: Int) throws -> [Int64?] {
        var groups: [Int64?] = try Int64.fetchAll(
            db,
            sql: """
                WITH RECURSIVE g(u) AS (
                  SELECT (SELECT update_id FROM messages WHERE state = 'queued' AND lane = ?1 AND update_id IS NOT NULL ORDER BY update_id LIMIT 1)
                  UNION ALL
                  SELECT (SELECT update_id FROM messages WHERE state = 'queued' AND lane = ?1 AND update_id > g.u ORDER BY update_id LIMIT 1)
                  FROM g WHERE g.u IS NOT NULL
                )
                SELECT u FROM g WHERE u IS NOT NULL LIMIT ?2
                """, arguments: [lane, limit])
        if try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE state = 'queued' AND lane = ? AND update_id IS NULL)", arguments: [lane]) == true
        {
            groups.insert(nil, at: 0)
        }
        return groups
    }

    /// The due messages a claim considers, in the order it takes them: lane by
    /// lane (answers to the victim, urgent events, routine), and within a lane
    /// the updates in turn, each in order of due time, so a small update is not
    /// stuck behind a 100,000-message one. Messages of a contact point held
    /// after a possible opt-out are left out, but for urgent events and answers.
    static func candidates(_ db: Database, limit: Int, now: Date) throws -> [Row] {
        var ordered: [Row] = []
        for lane in 0...2 {
            let groups = try groups(db, lane: lane, limit: 64)
            guard !groups.isEmpty else { continue }
            let share = max(4, 2 * ((limit + groups.count - 1) / groups.count))
            var perGroup: [[Row]] = []
            for group in groups {
                perGroup.append(
                    try Row.fetchAll(
                        db,
                        sql: candidateQuery + "\n" + """
                            WHERE m.state = 'queued' AND m.lane = ? AND \(group == nil ? "m.update_id IS NULL" : "m.update_id = ?") AND m.due_at <= ?
                              AND (m.event IN (\(unheldEvents))
                                   OR NOT EXISTS (SELECT 1 FROM opt_out_holds h WHERE h.contact_point_id = m.contact_point_id AND h.resolved_at IS NULL))
                            ORDER BY m.due_at, m.id LIMIT ?
                            """,
                        arguments: StatementArguments([lane] + (group.map { [$0] } ?? []) + [now.millis, share])))
            }
            // In turn: the first of each update, then the second of each, …
            var index = 0
            while perGroup.contains(where: { index < $0.count }) {
                for rows in perGroup where index < rows.count { ordered.append(rows[index]) }
                index += 1
            }
            if ordered.count >= 2 * limit { break }
        }
        return ordered
    }

    static func claim(_ db: Database, limit: Int, now: Date) throws -> (messages: [ClaimedMessage], pulledForward: Bool) {
        try expireHolds(db, now: now)
        let rows = try candidates(db, limit: limit, now: now)
        var claimed: [ClaimedMessage] = []
        var log: [AuditLog.ContactEntry] = []
        var suppressed: [Int64] = []
        var expired: [Int64] = []
        var taken: Set<Int64> = []
        var urgentAwaitingWelcome: [Int64] = []
        for row in rows where claimed.count < limit {
            let id: Int64 = row["id"]
            let contactPointId: Int64 = row["contact_point_id"]
            let event = Event(rawValue: row["event"]) ?? .custom
            let consent = ConsentState(rawValue: row["consent_state"]) ?? .pending
            if consent != .optedIn && event != .optOutConfirmation {
                suppressed.append(id)
                log.append(.init(messageId: id, contactPointId: contactPointId, kind: "suppressed", detail: "contact point is \(consent.rawValue)"))
                continue
            }
            if let expiresAt: Int64 = row["expires_at"], expiresAt <= now.millis {
                expired.append(id)
                log.append(
                    .init(messageId: id, contactPointId: contactPointId, kind: "expired", detail: "no longer useful after \(Date(millis: expiresAt))")
                )
                continue
            }
            let awaitsWelcome: Bool = row["awaits_welcome"]
            let busy: Bool = row["busy"]
            if awaitsWelcome && event != .welcome && event != .optOutConfirmation {
                // An urgent message or an answer to the victim does not wait for the morning: its welcome goes now, then it.
                if event.isUrgent || event.isReply { urgentAwaitingWelcome.append(contactPointId) }
                continue
            }
            if busy || taken.contains(contactPointId) { continue }
            taken.insert(contactPointId)
            let attempt: Int = row["attempts"] + 1
            let digest: String = row["body_digest"]
            claimed.append(
                ClaimedMessage(
                    outbound: OutboundMessage(
                        messageId: id, channel: Channel(rawValue: row["channel"]) ?? .sms, to: row["address"], language: row["language"],
                        subject: row["subject"], body: row["body"] ?? "", attempt: attempt, unsubscribeToken: row["unsubscribe_token"],
                        discreet: row["discreet"]),
                    contactPointId: contactPointId, bodyDigest: digest, caseNumber: row["case_number"], event: event))
            log.append(.init(messageId: id, contactPointId: contactPointId, kind: "attempt", detail: "attempt \(attempt)", bodyDigest: digest))
        }
        let millis = now.millis
        if !suppressed.isEmpty {
            try db.execute(
                sql: "UPDATE messages SET state = 'suppressed', updated_at = ? WHERE id IN (\(Self.list(suppressed)))", arguments: [millis])
        }
        if !expired.isEmpty {
            try db.execute(sql: "UPDATE messages SET state = 'expired', updated_at = ? WHERE id IN (\(Self.list(expired)))", arguments: [millis])
        }
        if !claimed.isEmpty {
            try db.execute(
                sql:
                    "UPDATE messages SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id IN (\(Self.list(claimed.map(\.outbound.messageId))))",
                arguments: [millis])
        }
        var pulledForward = false
        if !urgentAwaitingWelcome.isEmpty {
            try db.execute(
                sql:
                    "UPDATE messages SET due_at = ?, updated_at = ?, lane = 1 WHERE event = 'welcome' AND state = 'queued' AND due_at > ? AND contact_point_id IN (\(Self.list(urgentAwaitingWelcome)))",
                arguments: [millis, millis, millis])
            pulledForward = db.changesCount > 0
        }
        try AuditLog.appendContact(db, log, actor: Self.dispatcherActor, at: now)
        return (claimed, pulledForward)
    }

    /// Records the outcomes of a batch in one transaction: sent, retried
    /// later with backoff, or failed for good.
    public func complete(_ results: [HandOffResult], now: Date, retry: RetryPolicy) throws -> CompletionSummary {
        var generator = SystemRandomNumberGenerator()
        return try pool.write { db in
            var summary = CompletionSummary()
            var log: [AuditLog.ContactEntry] = []
            let sent = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'sent', provider_id = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'sending'")
            let requeue = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'queued', due_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'")
            let fail = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'")
            let suppress = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'suppressed', last_error = ?, updated_at = ? WHERE id = ? AND state = 'sending'")
            let millis = now.millis
            var earlyReports: [String] = []
            var gateways: [String: (sent: Bool, error: String?)] = [:]
            for result in results {
                let message = result.message
                switch result.outcome {
                case .sent: gateways[result.gateway, default: (false, nil)].sent = true
                case .transient(let reason), .permanent(let reason): gateways[result.gateway, default: (false, nil)].error = reason
                case .optedOutAtCarrier, .withdrawn: break
                }
                let id = message.outbound.messageId
                switch result.outcome {
                case .sent(let providerId):
                    try sent.execute(arguments: [providerId, millis, id])
                    summary.sent += 1
                    log.append(
                        .init(
                            messageId: id, contactPointId: message.contactPointId, kind: "sent", detail: "\(result.gateway) accepted: \(providerId)"))
                    earlyReports.append(providerId)
                case .transient(let reason) where message.outbound.attempt < retry.maxAttempts:
                    let delay = retry.delay(after: message.outbound.attempt, using: &generator)
                    try requeue.execute(arguments: [now.addingTimeInterval(delay).millis, reason, millis, id])
                    summary.retried += 1
                    log.append(
                        .init(
                            messageId: id, contactPointId: message.contactPointId, kind: "retry",
                            detail: "\(result.gateway): \(reason); retry in \(Int(delay)) s"))
                case .transient(let reason):
                    let detail = "\(result.gateway): gave up after \(message.outbound.attempt) attempts: \(reason)"
                    try fail.execute(arguments: [detail, millis, id])
                    summary.failed += 1
                    log.append(.init(messageId: id, contactPointId: message.contactPointId, kind: "failed", detail: detail))
                case .permanent(let reason):
                    let detail = "\(result.gateway): \(reason)"
                    try fail.execute(arguments: [detail, millis, id])
                    summary.failed += 1
                    log.append(.init(messageId: id, contactPointId: message.contactPointId, kind: "failed", detail: detail))
                case .withdrawn(let reason):
                    // Never handed off: consent was withdrawn between the claim and the hand-off (G1).
                    try suppress.execute(arguments: [reason, millis, id])
                    summary.withdrawn += 1
                    log.append(.init(messageId: id, contactPointId: message.contactPointId, kind: "suppressed", detail: reason))
                case .optedOutAtCarrier(let reason):
                    let detail = "\(result.gateway): \(reason)"
                    try fail.execute(arguments: [detail, millis, id])
                    summary.failed += 1
                    log.append(.init(messageId: id, contactPointId: message.contactPointId, kind: "failed", detail: detail))
                    // The carrier's word is consent withdrawn: recorded as such, effective before the next claim.
                    if try String.fetchOne(db, sql: "SELECT consent_state FROM contact_points WHERE id = ?", arguments: [message.contactPointId])
                        != ConsentState.optedOut.rawValue
                    {
                        try AuditLog.appendConsent(
                            db, contactPointId: message.contactPointId, state: .optedOut, method: .carrier, actor: "carrier:\(result.gateway)",
                            at: now,
                            wordingVersion: nil, wording: reason, language: message.outbound.language)
                        summary.carrierOptOuts.append(message.outbound.language)
                    }
                }
            }
            try AuditLog.appendContact(db, log, actor: Self.dispatcherActor, at: now)
            try Self.recordGatewayStatus(db, gateways, at: millis)
            // A delivery report can arrive before the provider's id was recorded here; one
            // query finds whether any did, so the common case costs nothing per message.
            if !earlyReports.isEmpty {
                let placeholders = Array(repeating: "?", count: earlyReports.count).joined(separator: ",")
                let early = try String.fetchAll(
                    db, sql: "SELECT DISTINCT provider_id FROM delivery_reports WHERE provider_id IN (\(placeholders))",
                    arguments: StatementArguments(earlyReports))
                for providerId in early {
                    try Self.applyDeliveryReports(db, providerId: providerId, now: now)
                }
            }
            return summary
        }
    }

    /// One row per gateway: when it last accepted a message, when it last
    /// refused one and why (for `aviso status`).
    static func recordGatewayStatus(_ db: Database, _ gateways: [String: (sent: Bool, error: String?)], at millis: Int64) throws {
        for (gateway, status) in gateways {
            try db.execute(
                sql: """
                    INSERT INTO gateway_status (gateway, last_sent_at, last_failure_at, last_error) VALUES (?, ?, ?, ?)
                    ON CONFLICT (gateway) DO UPDATE SET
                      last_sent_at = coalesce(excluded.last_sent_at, last_sent_at),
                      last_failure_at = coalesce(excluded.last_failure_at, last_failure_at),
                      last_error = coalesce(excluded.last_error, last_error)
                    """,
                arguments: [gateway, status.sent ? millis : nil, status.error == nil ? nil : millis, status.error])
        }
    }

    /// At shutdown: claimed messages whose hand-off did not finish in time
    /// are due again. Those never started (`started == false`) certainly did
    /// not reach a gateway; the others may have, so the log says they may
    /// arrive twice (G3).
    public func requeueUnfinished(_ messages: [(message: ClaimedMessage, started: Bool)], now: Date) throws {
        guard !messages.isEmpty else { return }
        try pool.write { db in
            // An attempt that never started does not count against dispatch.max_attempts.
            let requeue = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'queued', due_at = ?, updated_at = ?, attempts = attempts - ? WHERE id = ? AND state = 'sending'")
            var log: [AuditLog.ContactEntry] = []
            for (message, started) in messages {
                try requeue.execute(arguments: [now.millis, now.millis, started ? 0 : 1, message.outbound.messageId])
                guard db.changesCount > 0 else { continue }
                log.append(
                    started
                        ? .init(
                            messageId: message.outbound.messageId, contactPointId: message.contactPointId, kind: "recovered",
                            detail: "the daemon stopped before the gateway answered; it is sent again and may arrive twice")
                        : .init(
                            messageId: message.outbound.messageId, contactPointId: message.contactPointId, kind: "retry",
                            detail: "not handed off: the daemon was stopping; due again at the next start"))
            }
            try AuditLog.appendContact(db, log, actor: Self.dispatcherActor, at: now)
        }
    }

    /// At start: the messages a daemon that died left `sending`, to be
    /// reconciled with their gateway before anything is sent again.
    public func inFlight() throws -> [ClaimedMessage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.candidateQuery + "\nWHERE m.state = 'sending' ORDER BY m.id").map { row in
                ClaimedMessage(
                    outbound: OutboundMessage(
                        messageId: row["id"], channel: Channel(rawValue: row["channel"]) ?? .sms, to: row["address"], language: row["language"],
                        subject: row["subject"], body: row["body"] ?? "", attempt: row["attempts"], unsubscribeToken: row["unsubscribe_token"],
                        discreet: row["discreet"]),
                    contactPointId: row["contact_point_id"], bodyDigest: row["body_digest"], caseNumber: row["case_number"],
                    event: Event(rawValue: row["event"]) ?? .custom)
            }
        }
    }

    /// At start: messages left `sending` that their gateway says it already
    /// has are recorded `sent` with its id, each with a `recovered` and a
    /// `sent` row in the contact log; they are not sent again.
    public func recordAlreadySent(_ found: [(message: ClaimedMessage, providerId: String, gateway: String)], now: Date) throws {
        guard !found.isEmpty else { return }
        try pool.write { db in
            let sent = try db.cachedStatement(
                sql: "UPDATE messages SET state = 'sent', provider_id = ?, last_error = NULL, updated_at = ? WHERE id = ? AND state = 'sending'")
            var log: [AuditLog.ContactEntry] = []
            for (message, providerId, gateway) in found {
                try sent.execute(arguments: [providerId, now.millis, message.outbound.messageId])
                guard db.changesCount > 0 else { continue }
                log.append(
                    .init(
                        messageId: message.outbound.messageId, contactPointId: message.contactPointId, kind: "recovered",
                        detail: "the daemon stopped while this message was being handed off; \(gateway) already had it, so it is not sent again"))
                log.append(
                    .init(
                        messageId: message.outbound.messageId, contactPointId: message.contactPointId, kind: "sent",
                        detail: "\(gateway) accepted: \(providerId)"))
            }
            try AuditLog.appendContact(db, log, actor: Self.dispatcherActor, at: now)
        }
    }

    /// At start: messages left `sending` by a daemon that died are due again.
    /// Unless their gateway said it does not have them (`notSent`), they may
    /// have reached it already, so the log says they may arrive twice (G3).
    @discardableResult
    public func recoverInFlight(now: Date, notSent: Set<Int64> = []) throws -> Int {
        try pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT id, contact_point_id FROM messages WHERE state = 'sending'")
            guard !rows.isEmpty else { return 0 }
            try db.execute(
                sql: "UPDATE messages SET state = 'queued', due_at = ?, updated_at = ? WHERE state = 'sending'", arguments: [now.millis, now.millis])
            try AuditLog.appendContact(
                db,
                rows.map { row in
                    let id: Int64 = row["id"]
                    return .init(
                        messageId: id, contactPointId: row["contact_point_id"], kind: "recovered",
                        detail: notSent.contains(id)
                            ? "the daemon stopped while this message was being handed off; the gateway does not have it, so it is sent now"
                            : "the daemon stopped while this message was being handed off; it is sent again and may arrive twice")
                }, actor: Self.dispatcherActor, at: now)
            return rows.count
        }
    }

    /// When the next queued message falls due, if any.
    public func nextDueAt() throws -> Date? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT due_at FROM messages WHERE state = 'queued' ORDER BY due_at, id LIMIT 1").map(Date.init(millis:))
        }
    }

    static func list(_ ids: [Int64]) -> String { ids.map(String.init).joined(separator: ",") }

    /// The contact log of one message, oldest first.
    public func contactLog(messageId: Int64) throws -> [ContactLogEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM contact_log WHERE message_id = ? ORDER BY id", arguments: [messageId]).map {
                ContactLogEntry(
                    id: $0["id"], at: Date(millis: $0["at"]), actor: $0["actor"], messageId: $0["message_id"], kind: $0["kind"], detail: $0["detail"])
            }
        }
    }
}
