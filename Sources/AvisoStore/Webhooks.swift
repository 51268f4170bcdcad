public import AvisoCore
public import Foundation
import GRDB

/// What a provider's status callback did to a message.
public enum DeliveryReportOutcome: Sendable, Equatable {
    /// The message moved to this state.
    case applied(MessageState)
    /// Recorded, but the message is already at or past it (a late or repeated callback).
    case unchanged
    /// Recorded; no message has this provider id (yet).
    case unknownMessage
}

/// An email address found by its unsubscribe token.
public struct UnsubscribeTarget: Sendable, Equatable {
    public var contactPointId: Int64
    public var language: String
    public var consentState: ConsentState
    /// The victim is in discreet mode: the page names neither the department nor the police (G11).
    public var discreet: Bool
    /// The victim also has a phone number that receives text messages, which unsubscribing from email does not stop.
    public var textsContinue: Bool
    /// True when this request opted the address out (it was not opted out before).
    public var optedOutNow = false
}

extension AvisoStore {
    /// Records a delivery report and applies it to its message. A message
    /// never moves backwards: `sent` → `delivered` / `undelivered` / `failed`,
    /// and the first final state stays.
    public func recordDeliveryReport(providerId: String, status: String, errorCode: String?, now: Date) throws -> DeliveryReportOutcome {
        try pool.write { db in
            try db.execute(
                sql: "INSERT INTO delivery_reports (provider_id, status, error_code, received_at) VALUES (?, ?, ?, ?)",
                arguments: [providerId, status, errorCode, now.millis])
            return try Self.applyDeliveryReports(db, providerId: providerId, now: now)
        }
    }

    /// The final state a provider's status names, if any (`read` counts as delivered).
    static func finalState(_ status: String) -> MessageState? {
        switch status.lowercased() {
        case "delivered", "read": .delivered
        case "undelivered": .undelivered
        case "failed": .failed
        default: nil
        }
    }

    @discardableResult
    static func applyDeliveryReports(_ db: Database, providerId: String, now: Date) throws -> DeliveryReportOutcome {
        guard
            let message = try Row.fetchOne(db, sql: "SELECT id, contact_point_id, state FROM messages WHERE provider_id = ?", arguments: [providerId])
        else { return .unknownMessage }
        guard message["state"] == MessageState.sent.rawValue else { return .unchanged }
        let reports = try Row.fetchAll(
            db, sql: "SELECT status, error_code FROM delivery_reports WHERE provider_id = ? ORDER BY id", arguments: [providerId])
        guard let report = reports.first(where: { finalState($0["status"]) != nil }), let state = finalState(report["status"]) else {
            return .unchanged
        }
        let code: String? = report["error_code"]
        try db.execute(
            sql: "UPDATE messages SET state = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'sent'",
            arguments: [state.rawValue, code.map { "provider error \($0)" }, now.millis, message["id"]])
        try AuditLog.appendContact(
            db,
            [
                .init(
                    messageId: message["id"], contactPointId: message["contact_point_id"], kind: state.rawValue,
                    detail: code.map { "provider error \($0)" })
            ],
            actor: "provider", at: now)
        return .applied(state)
    }

    /// The email address an unsubscribe token belongs to.
    public func unsubscribeTarget(token: String) throws -> UnsubscribeTarget? {
        guard UnsubscribeToken.isWellFormed(token) else { return nil }
        return try pool.read { db in try Self.unsubscribeTarget(db, token: token) }
    }

    static func unsubscribeTarget(_ db: Database, token: String) throws -> UnsubscribeTarget? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT cp.id, cp.consent_state, v.language, v.discreet,
                  EXISTS (SELECT 1 FROM contact_points sms WHERE sms.victim_id = v.id AND sms.channel = 'sms' AND sms.consent_state = 'opted_in' AND sms.retired_at IS NULL)
                    AS texts_continue
                FROM contact_points cp JOIN victims v ON v.id = cp.victim_id
                WHERE cp.unsubscribe_token = ?
                """, arguments: [token]
        ).map { row throws in
            let raw: String = row["consent_state"]
            guard let state = ConsentState(rawValue: raw) else {
                throw AvisoError(
                    .configuration, title: "Unknown stored value", detail: "contact_points.consent_state holds '\(raw)', which Aviso does not know.")
            }
            return UnsubscribeTarget(
                contactPointId: row["id"], language: row["language"], consentState: state, discreet: row["discreet"],
                textsContinue: row["texts_continue"])
        }
    }

    /// Opts out the email address of an unsubscribe token, recorded as the
    /// victim's own choice by link (SPEC §5 flow 6). Returns nil for an unknown token.
    public func unsubscribe(token: String, oneClick: Bool, now: Date) throws -> UnsubscribeTarget? {
        guard UnsubscribeToken.isWellFormed(token) else { return nil }
        return try pool.write { db in
            guard var target = try Self.unsubscribeTarget(db, token: token) else { return nil }
            if target.consentState != .optedOut {
                try AuditLog.appendConsent(
                    db, contactPointId: target.contactPointId, state: .optedOut, method: .link, actor: "victim", at: now, wordingVersion: nil,
                    wording: oneClick ? "one-click unsubscribe (RFC 8058)" : "unsubscribe page", language: target.language)
                target.consentState = .optedOut
                target.optedOutNow = true
            }
            return target
        }
    }

    /// The unsubscribe token of an email contact point (for tests and exports).
    public func unsubscribeToken(contactPointId: Int64) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT unsubscribe_token FROM contact_points WHERE id = ?", arguments: [contactPointId]) }
    }
}
