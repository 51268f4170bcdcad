/// The channels Aviso reaches a victim on.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case sms
    case email
}

/// A contact point's consent state (SPEC §3). It is derived from the contact
/// point's consent records: the newest record decides.
public enum ConsentState: String, Codable, Sendable, CaseIterable {
    case pending
    case optedIn = "opted_in"
    case optedOut = "opted_out"
}

/// How a consent change was obtained.
public enum ConsentMethod: String, Codable, Sendable, CaseIterable {
    /// Read aloud to the victim by staff (in person or by phone).
    case verbal
    /// Signed or written by the victim on a form.
    case written
    /// A keyword the victim sent (STOP, ALTO, START, …).
    case keyword
    /// The unsubscribe link in an email.
    case link
    /// The carrier reported that the recipient opted out.
    case carrier
}

/// A staff account's role. Roles decide what the API lets the account do.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    /// Registers victims, queues updates, reads replies.
    case captain
    /// Everything a captain does, plus audit exports.
    case supervisor
    /// Manages staff accounts and tokens.
    case admin
    /// Reads everything, changes nothing.
    case auditor

    /// Whether the role may change case data (cases, victims, consent, updates).
    public var canWriteCases: Bool { self == .captain || self == .supervisor }
    /// Whether the role may read case data.
    public var canReadCases: Bool { self != .admin }
    /// Whether the role may manage staff accounts and tokens.
    public var canManageStaff: Bool { self == .admin }
}

/// The life of one message, as a small set of states (SPEC §3).
///
/// ```
/// queued ──claim──▶ sending ──gateway accepted──▶ sent ──▶ delivered / undelivered / failed
///   ▲                  │
///   └──transient error─┘ (retried with backoff until max attempts, then failed)
/// queued ──▶ cancelled (update cancelled) / suppressed (consent gone at hand-off) / expired
/// ```
public enum MessageState: String, Codable, Sendable, CaseIterable {
    case queued
    case sending
    case sent
    case delivered
    case undelivered
    case failed
    case cancelled
    case suppressed
    case expired

    /// A final state: the dispatcher never touches the message again.
    public var isFinal: Bool {
        switch self {
        case .queued, .sending: false
        default: true
        }
    }
}

/// Whether a case is still open.
public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    case open
    case closed
}

/// The state of an update as a whole.
public enum UpdateState: String, Codable, Sendable, CaseIterable {
    case queued
    case cancelled
}
