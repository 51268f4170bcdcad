public import Foundation

/// One API token of a staff account, as an administrator sees it: never the
/// token itself, which is shown once when it is made.
public struct TokenView: Codable, Sendable, Equatable {
    public var id: Int64
    public var staffId: Int64
    public var label: String?
    public var createdAt: Date
    /// Who made it: `staff:N`, or `host` for `avisod token create`.
    public var createdBy: String?
    /// Nil only for tokens made before tokens expired.
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var revokedBy: String?
    /// `active`, `expired` or `revoked`, at the time of the answer.
    public var state: String
    /// The token, only in the answer that created it.
    public var token: String?

    enum CodingKeys: String, CodingKey {
        case id, label, state, token
        case staffId = "staff_id"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case revokedBy = "revoked_by"
    }

    public init(
        id: Int64, staffId: Int64, label: String?, createdAt: Date, createdBy: String?, expiresAt: Date?, revokedAt: Date?, revokedBy: String?,
        state: String, token: String? = nil
    ) {
        self.id = id
        self.staffId = staffId
        self.label = label
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
        self.state = state
        self.token = token
    }
}

/// A request for a new token for an account.
public struct TokenCreate: Codable, Sendable {
    /// What the token is for ("laptop", "console"): shown in the token list.
    public var label: String?
    /// Days until it expires; the daemon's `auth.token_lifetime_days` when absent.
    public var lifetimeDays: Int?

    enum CodingKeys: String, CodingKey {
        case label
        case lifetimeDays = "lifetime_days"
    }

    public init(label: String? = nil, lifetimeDays: Int? = nil) {
        self.label = label
        self.lifetimeDays = lifetimeDays
    }
}

public struct TokenList: Codable, Sendable {
    public var tokens: [TokenView]
    public init(tokens: [TokenView]) { self.tokens = tokens }
}

/// One row of the access log (CJIS 5.4): who did what to which object, when,
/// from where, and with what outcome (the HTTP status).
public struct AccessLogEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: Date
    /// `staff:N`, `host`, or `unauthenticated` for a refused token.
    public var actor: String
    /// `GET /v1/victims/{id}`, or `token.revoke` and the like for changes made on the host.
    public var action: String
    /// The request's path and query (`/v1/victims/12`), or the object changed on the host.
    public var object: String?
    /// The client's address, or `local` on the host.
    public var client: String?
    public var outcome: Int

    public init(id: Int64, at: Date, actor: String, action: String, object: String?, client: String?, outcome: Int) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.object = object
        self.client = client
        self.outcome = outcome
    }
}

public struct AccessLogList: Codable, Sendable {
    public var entries: [AccessLogEntry]
    public init(entries: [AccessLogEntry]) { self.entries = entries }
}
