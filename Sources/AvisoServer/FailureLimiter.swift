public import Foundation
import Synchronization

/// Counts failures per source (a client address) and locks a source out once
/// it fails too often (CJIS 5.5.3: at most 5 failed attempts, then at least
/// 10 minutes). A success does not clear the count: one valid token must not
/// let its holder go on guessing others.
public final class FailureLimiter: Sendable {
    public struct Policy: Sendable, Equatable {
        /// Failures within `window` that lock a source out.
        public var maxFailures: Int
        public var window: TimeInterval
        /// How long a locked-out source is refused.
        public var lockout: TimeInterval

        public init(maxFailures: Int, window: TimeInterval, lockout: TimeInterval) {
            self.maxFailures = maxFailures
            self.window = window
            self.lockout = lockout
        }

        /// API tokens: 5 failures in 10 minutes lock the address out for 10 minutes.
        public static let tokens = Policy(maxFailures: 5, window: 600, lockout: 600)
        /// Webhooks: a provider signs every request, so 20 forged ones in a minute are an attack, not a mistake.
        public static let webhooks = Policy(maxFailures: 20, window: 60, lockout: 600)
    }

    struct Source {
        var failures: [Date] = []
        var lockedUntil: Date?
    }

    public let policy: Policy
    /// Sources remembered at most; the oldest quiet ones are forgotten first.
    let capacity: Int
    private let sources = Mutex<[String: Source]>([:])

    public init(_ policy: Policy, capacity: Int = 10_000) {
        self.policy = policy
        self.capacity = capacity
    }

    /// Seconds until `source` may try again, or nil when it is not locked out.
    public func retryAfter(_ source: String, now: Date) -> Int? {
        sources.withLock { sources in
            guard let until = sources[source]?.lockedUntil else { return nil }
            guard until > now else {
                sources[source] = nil
                return nil
            }
            return Int(until.timeIntervalSince(now).rounded(.up))
        }
    }

    /// Records one failure; returns true when it locked the source out.
    @discardableResult
    public func recordFailure(_ source: String, now: Date) -> Bool {
        sources.withLock { sources in
            if sources[source] == nil, sources.count >= capacity { Self.forgetQuiet(&sources, now: now, window: policy.window) }
            var entry = sources[source] ?? Source()
            entry.failures = entry.failures.filter { now.timeIntervalSince($0) < policy.window } + [now]
            var locked = false
            if entry.failures.count >= policy.maxFailures, entry.lockedUntil.map({ $0 <= now }) ?? true {
                entry.lockedUntil = now.addingTimeInterval(policy.lockout)
                entry.failures = []
                locked = true
            }
            sources[source] = entry
            return locked
        }
    }

    /// Drops sources with no recent failure and no lockout, then, if still full, the half with the oldest failures.
    static func forgetQuiet(_ sources: inout [String: Source], now: Date, window: TimeInterval) {
        sources = sources.filter { _, entry in
            (entry.lockedUntil.map { $0 > now } ?? false) || entry.failures.contains { now.timeIntervalSince($0) < window }
        }
        guard sources.count > 1 else { return }
        let keep = sources.sorted { ($0.value.failures.last ?? .distantPast) > ($1.value.failures.last ?? .distantPast) }.prefix(sources.count / 2)
        sources = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
    }
}
