public import AvisoCore
public import AvisoStore
public import Foundation
import Synchronization

/// What the routes work with: the store, the clock, the current templates and
/// policy (replaced whole on reload), and a way to wake the dispatcher.
public final class ServerState: Sendable {
    /// The part a reload replaces, swapped in one piece so no request sees
    /// new templates with an old lifetime or the other way round.
    public struct Reloadable: Sendable {
        public var planner: UpdatePlanner
        /// How long an undelivered message stays useful.
        public var messageLifetime: TimeInterval

        public init(planner: UpdatePlanner, messageLifetime: TimeInterval) {
            self.planner = planner
            self.messageLifetime = messageLifetime
        }
    }

    public let store: AvisoStore
    public let clock: any WallClock
    private let current: Mutex<Reloadable>
    /// Called after messages were queued, so the dispatcher looks at once.
    public let wakeDispatcher: @Sendable () -> Void
    /// What webhooks and unsubscribe links need.
    public let webhooks: WebhookSettings
    /// Token lifetimes, lockouts and where a client's address comes from.
    public let security: SecuritySettings
    /// Wrong API tokens per client address (CJIS 5.5.3).
    public let tokenFailures: FailureLimiter
    /// Forged webhooks per source, so a flood of them cannot starve staff.
    public let webhookFailures: FailureLimiter

    public init(
        store: AvisoStore, clock: any WallClock, planner: UpdatePlanner, messageLifetime: TimeInterval = 3 * 86400,
        webhooks: WebhookSettings = WebhookSettings(publicURL: "http://127.0.0.1:8750", twilioAuthToken: nil),
        security: SecuritySettings = SecuritySettings(), wakeDispatcher: @escaping @Sendable () -> Void = {}
    ) {
        self.webhooks = webhooks
        self.security = security
        self.tokenFailures = FailureLimiter(security.tokenLockout)
        self.webhookFailures = FailureLimiter(security.webhookLockout)
        self.store = store
        self.clock = clock
        self.current = Mutex(Reloadable(planner: planner, messageLifetime: messageLifetime))
        self.wakeDispatcher = wakeDispatcher
    }

    /// The templates and policy in force now.
    public var reloadable: Reloadable { current.withLock { $0 } }

    /// The planner in force now.
    public var planner: UpdatePlanner { reloadable.planner }

    /// How long an undelivered message stays useful, as configured now.
    public var messageLifetime: TimeInterval { reloadable.messageLifetime }

    /// Replaces everything a reload may change, at once.
    public func replace(_ reloadable: Reloadable) { current.withLock { $0 = reloadable } }
}

/// The public face of the daemon: the URL the provider and victims reach it
/// at (usually through a reverse proxy), and the secret that signs webhooks.
public struct WebhookSettings: Sendable {
    /// `https://aviso.kcpd.example`: signatures cover the URL the provider called, so it must be exact.
    public var publicURL: String
    /// The Twilio auth token; without it every Twilio webhook is refused (G9).
    public var twilioAuthToken: String?

    public init(publicURL: String, twilioAuthToken: String?) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
        self.twilioAuthToken = twilioAuthToken
    }
}

/// How the API guards its door: how long a new token works, when repeated
/// failures lock a source out, and whether the client's address is taken from
/// `X-Forwarded-For` (only behind a reverse proxy that sets it).
public struct SecuritySettings: Sendable {
    public var tokenLifetime: TimeInterval
    public var tokenLockout: FailureLimiter.Policy
    public var webhookLockout: FailureLimiter.Policy
    /// Take the client's address from the last `X-Forwarded-For` entry (`http.trust_forwarded_for`).
    public var trustForwardedFor: Bool
    /// Which updates wait for a second person (`approval.*`).
    public var approval: ApprovalPolicy

    public init(
        tokenLifetime: TimeInterval = 90 * 86_400, tokenLockout: FailureLimiter.Policy = .tokens, webhookLockout: FailureLimiter.Policy = .webhooks,
        trustForwardedFor: Bool = false, approval: ApprovalPolicy = ApprovalPolicy()
    ) {
        self.approval = approval
        self.tokenLifetime = tokenLifetime
        self.tokenLockout = tokenLockout
        self.webhookLockout = webhookLockout
        self.trustForwardedFor = trustForwardedFor
    }
}
