public import Foundation

/// A message handed to a gateway: everything it needs and nothing more.
public struct OutboundMessage: Sendable, Equatable {
    public var messageId: Int64
    public var channel: Channel
    /// The E.164 number or the email address.
    public var to: String
    public var language: String
    public var subject: String?
    public var body: String
    /// The 1-based attempt number; greater than 1 on a retry.
    public var attempt: Int
    /// Email: the contact point's opaque unsubscribe token, for `List-Unsubscribe`.
    public var unsubscribeToken: String?
    /// The victim is in discreet mode (SPEC §2.6): nothing around the text, not even an email's sender name, may say who writes.
    public var discreet: Bool

    public init(
        messageId: Int64, channel: Channel, to: String, language: String, subject: String?, body: String, attempt: Int,
        unsubscribeToken: String? = nil, discreet: Bool = false
    ) {
        self.messageId = messageId
        self.channel = channel
        self.to = to
        self.language = language
        self.subject = subject
        self.body = body
        self.attempt = attempt
        self.unsubscribeToken = unsubscribeToken
        self.discreet = discreet
    }
}

/// What a gateway made of a hand-off.
public enum GatewayOutcome: Sendable, Equatable {
    /// Accepted by the provider; `providerId` is its message id.
    case sent(providerId: String)
    /// May work later (timeouts, 429, 5xx, connection refused): retried with backoff.
    case transient(reason: String)
    /// Will never work (invalid number, rejected address): failed at once.
    case permanent(reason: String)
    /// The carrier says the recipient opted out (Twilio error 21610): the
    /// message fails and the contact point is opted out, recorded as the carrier's.
    case optedOutAtCarrier(reason: String)
    /// Not handed off: the contact point's consent was withdrawn after the
    /// message was claimed (G1 at the instant of hand-off). Nothing left Aviso.
    case withdrawn(reason: String)
}

/// A sender for one or more channels. Implementations must be safe to call
/// concurrently.
public protocol MessageGateway: Sendable {
    /// A short name for logs and metrics (`spool`, `twilio`, `smtp`).
    var name: String { get }
    func send(_ message: OutboundMessage) async -> GatewayOutcome
    /// Sends unless `mayHandOff` says no at the last moment before the
    /// message leaves Aviso: a gateway that waits before writing (a rate
    /// limit, a connection) asks after the wait. The default asks first.
    func send(_ message: OutboundMessage, mayHandOff: @Sendable () -> Bool) async -> GatewayOutcome
    /// After a crash: whether a message left in flight already reached the
    /// gateway, so that it is not sent twice. The default does not know.
    func reconcile(_ message: OutboundMessage) async -> Reconciliation
}

/// What a gateway knows of a message that was in flight when the daemon died.
public enum Reconciliation: Sendable, Equatable {
    /// The gateway has it: it is recorded sent with this id, not sent again.
    case alreadySent(providerId: String)
    /// The gateway certainly does not have it: it is sent (for the first time).
    case notSent
    /// The gateway cannot tell: it is sent again and may arrive twice (G3).
    case unknown
}

extension MessageGateway {
    public func reconcile(_ message: OutboundMessage) async -> Reconciliation { .unknown }

    public func send(_ message: OutboundMessage, mayHandOff: @Sendable () -> Bool) async -> GatewayOutcome {
        guard mayHandOff() else { return GatewayOutcome.consentWithdrawn }
        return await send(message)
    }
}

extension GatewayOutcome {
    /// The outcome of a hand-off stopped because consent was withdrawn after the claim.
    public static let consentWithdrawn = GatewayOutcome.withdrawn(
        reason: "not handed off: the contact point opted out after the message was claimed")
}

/// Exponential backoff with full jitter between attempts, up to a limit.
public struct RetryPolicy: Sendable, Equatable {
    public var maxAttempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval

    public init(maxAttempts: Int = 8, baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 3600) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The delay before the attempt after `attempt` (1-based), with jitter in
    /// [delay/2, delay] so retries from a burst do not arrive together.
    public func delay(after attempt: Int, using generator: inout some RandomNumberGenerator) -> TimeInterval {
        let exponential = baseDelay * pow(2, Double(max(0, attempt - 1)))
        let capped = min(maxDelay, exponential)
        return Double.random(in: (capped / 2)...capped, using: &generator)
    }
}
