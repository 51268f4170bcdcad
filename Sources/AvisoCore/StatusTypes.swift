public import Foundation

/// The daemon's health as staff see it (`GET /v1/status`, `aviso status`):
/// the same picture `/readyz` and `/metrics` give monitoring, in one answer.
public struct StatusView: Codable, Sendable, Equatable {
    /// `ready`, or `not ready` with `problems`.
    public var status: String
    public var problems: [String]
    /// When the daemon answered.
    public var now: Date
    /// When the dispatcher last completed a pass over the outbox.
    public var dispatcherHeartbeat: Date?
    /// Languages with templates loaded.
    public var languages: [String]
    public var queue: QueueStatus
    public var lastHour: RecentFailures
    public var gateways: [GatewayStatus]

    enum CodingKeys: String, CodingKey {
        case status, problems, now, languages, queue, gateways
        case dispatcherHeartbeat = "dispatcher_heartbeat"
        case lastHour = "last_hour"
    }

    public init(
        status: String, problems: [String], now: Date, dispatcherHeartbeat: Date?, languages: [String], queue: QueueStatus, lastHour: RecentFailures,
        gateways: [GatewayStatus]
    ) {
        self.status = status
        self.problems = problems
        self.now = now
        self.dispatcherHeartbeat = dispatcherHeartbeat
        self.languages = languages
        self.queue = queue
        self.lastHour = lastHour
        self.gateways = gateways
    }
}

/// The outbox at a glance.
public struct QueueStatus: Codable, Sendable, Equatable {
    /// Queued messages whose time has come.
    public var due: Int
    /// When the longest-waiting due message fell due.
    public var oldestDueAt: Date?
    /// Queued messages waiting for their time (quiet hours, reminders, `send_at`).
    public var scheduled: Int
    /// Messages handed to a gateway whose outcome is not recorded yet.
    public var sending: Int

    enum CodingKeys: String, CodingKey {
        case due, scheduled, sending
        case oldestDueAt = "oldest_due_at"
    }

    public init(due: Int, oldestDueAt: Date?, scheduled: Int, sending: Int) {
        self.due = due
        self.oldestDueAt = oldestDueAt
        self.scheduled = scheduled
        self.sending = sending
    }
}

/// What went wrong recently.
public struct RecentFailures: Codable, Sendable, Equatable {
    /// Messages that failed for good in the last hour.
    public var failed: Int

    public init(failed: Int) { self.failed = failed }
}

/// One gateway's last success and last failure, as the dispatcher recorded them.
public struct GatewayStatus: Codable, Sendable, Equatable {
    public var gateway: String
    public var lastSentAt: Date?
    public var lastFailureAt: Date?
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case gateway
        case lastSentAt = "last_sent_at"
        case lastFailureAt = "last_failure_at"
        case lastError = "last_error"
    }

    public init(gateway: String, lastSentAt: Date?, lastFailureAt: Date?, lastError: String?) {
        self.gateway = gateway
        self.lastSentAt = lastSentAt
        self.lastFailureAt = lastFailureAt
        self.lastError = lastError
    }
}
