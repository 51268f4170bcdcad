public import AvisoCore
public import Foundation
import GRDB

/// How many messages are in one state, on one channel, in one language.
public struct MessageCount: Sendable, Equatable {
    public var state: MessageState
    public var channel: Channel
    public var language: String
    public var count: Int

    public init(state: MessageState, channel: Channel, language: String, count: Int) {
        self.state = state
        self.channel = channel
        self.language = language
        self.count = count
    }
}

/// What monitoring and `aviso status` read. Each query touches a small
/// table or a partial index, never the whole messages table, so a scrape
/// costs the same with a thousand messages as with a million.
extension AvisoStore {
    /// Every message by state, channel and language, from the trigger-kept `message_counts`.
    public func messageCounts() throws -> [MessageCount] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT state, channel, language, count FROM message_counts ORDER BY state, channel, language").compactMap {
                row in
                guard let state = MessageState(rawValue: row["state"]), let channel = Channel(rawValue: row["channel"]) else { return nil }
                return MessageCount(state: state, channel: channel, language: row["language"], count: row["count"])
            }
        }
    }

    /// The outbox now: due messages and the oldest of them (from the partial
    /// index over queued messages), scheduled and in-flight counts.
    public func queueStatus(now: Date) throws -> QueueStatus {
        try pool.read { db in
            let due = try Row.fetchOne(
                db, sql: "SELECT count(*) AS n, min(due_at) AS oldest FROM messages WHERE state = 'queued' AND due_at <= ?", arguments: [now.millis])
            let totals = try Row.fetchAll(
                db, sql: "SELECT state, sum(count) AS n FROM message_counts WHERE state IN ('queued', 'sending') GROUP BY state")
            var queued = 0
            var sending = 0
            for row in totals {
                let state: String = row["state"]
                if state == "queued" { queued = row["n"] } else { sending = row["n"] }
            }
            let dueCount: Int = due?["n"] ?? 0
            return QueueStatus(
                due: dueCount, oldestDueAt: (due?["oldest"] as Int64?).map(Date.init(millis:)), scheduled: max(0, queued - dueCount), sending: sending
            )
        }
    }

    /// Messages that failed for good since `date`.
    public func failedMessages(since date: Date) throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM messages WHERE state = 'failed' AND updated_at >= ?", arguments: [date.millis]) ?? 0
        }
    }

    /// Each gateway's last success and last failure.
    public func gatewayStatuses() throws -> [GatewayStatus] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM gateway_status ORDER BY gateway").map { row in
                GatewayStatus(
                    gateway: row["gateway"], lastSentAt: (row["last_sent_at"] as Int64?).map(Date.init(millis:)),
                    lastFailureAt: (row["last_failure_at"] as Int64?).map(Date.init(millis:)), lastError: row["last_error"])
            }
        }
    }
}
