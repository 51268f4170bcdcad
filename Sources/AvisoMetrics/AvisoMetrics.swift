public import Foundation
import Prometheus
import Synchronization

/// The daemon's instruments, exposed at `/metrics` in the Prometheus text
/// format. One registry per daemon (never a process-wide global), so tests
/// that run several daemons in one process do not share counts.
///
/// Counters and histograms are recorded as things happen; gauges about the
/// outbox are set from cheap store queries just before each exposition.
///
///     let metrics = AvisoMetrics()
///     metrics.recordHandOff(gateway: "spool", outcome: .sent, duration: .milliseconds(3))
///     print(metrics.exposition())
public final class AvisoMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Label sets already given a value, so a combination that drops to
    /// zero is reported as 0 instead of keeping its last value.
    private let knownMessageLabels = Mutex<Set<[String]>>([])

    /// Hand-offs take from under a millisecond (spool) to seconds (a slow SMTP server).
    static let handOffBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    public init() {
        for result in ["applied", "rejected"] { _ = reloads(result) }
        for kind in ["token", "webhook"] {
            _ = authFailures(kind)
            _ = lockouts(kind)
            _ = lockedOutRequests(kind)
        }
    }

    // MARK: Recorded as they happen

    /// One message handed to `gateway`, and what the gateway answered.
    public func recordHandOff(gateway: String, outcome: HandOffOutcome, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: .aviso("gateway_handoff_duration", unit: "seconds", help: "Time a gateway took to accept or refuse one message."),
            labels: [("gateway", gateway)], buckets: Self.handOffBuckets
        ).record(duration)
        handOffs(gateway, outcome).increment()
    }

    func handOffs(_ gateway: String, _ outcome: HandOffOutcome) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("gateway_handoffs", unit: "total", help: "Messages handed to a gateway, by gateway and what it answered."),
            labels: [("gateway", gateway), ("outcome", outcome.rawValue)])
    }

    /// Makes the hand-off counters of `gateways` exist at zero, so a failure rate has a denominator before the first send.
    public func registerGateways(_ gateways: [String]) {
        for gateway in gateways { for outcome in HandOffOutcome.allCases { _ = handOffs(gateway, outcome) } }
    }

    /// One HTTP request answered; `route` is the route's pattern, never the raw path.
    public func recordHTTPRequest(route: String, method: String, status: Int) {
        registry.makeCounter(
            descriptor: .aviso("http_requests", unit: "total", help: "HTTP requests answered, by route pattern, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    /// One inbound message (a victim's reply) in the sender's `language`
    /// ("und" for a number Aviso does not know), by what the reply was.
    public func recordInbound(language: String, intent: InboundIntent) { inbound(language, intent).increment() }

    /// One contact point opted out, in the victim's `language`, by consent
    /// method: `keyword` (a reply), `link` (the unsubscribe link), `carrier`
    /// (the provider's word), `verbal` or `written` (recorded by staff).
    public func recordOptOut(language: String, method: String) { optOuts(language, method).increment() }

    /// One request refused for its credentials or signature: `kind` is `token`
    /// (a wrong, revoked or expired API token) or `webhook` (a bad signature).
    public func recordAuthFailure(kind: String) { authFailures(kind).increment() }

    /// One source locked out after too many failures (`kind` as for failures),
    /// and every request refused with 429 while it is.
    public func recordLockout(kind: String, started: Bool = true) {
        (started ? lockouts(kind) : lockedOutRequests(kind)).increment()
    }

    /// Access-log rows that could not be written (the disk is full, say): each one is an audit gap to explain.
    public func recordAccessLogFailure() {
        registry.makeCounter(
            descriptor: .aviso("access_log_failures", unit: "total", help: "Requests whose access-log row could not be written.")
        ).increment()
    }

    func authFailures(_ kind: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("auth_failures", unit: "total", help: "Requests refused for a wrong token or webhook signature, by kind."),
            labels: [("kind", kind)])
    }

    func lockouts(_ kind: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("lockouts", unit: "total", help: "Client addresses locked out after repeated failures, by kind."),
            labels: [("kind", kind)])
    }

    func lockedOutRequests(_ kind: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("locked_out_requests", unit: "total", help: "Requests answered 429 because their address was locked out."),
            labels: [("kind", kind)])
    }

    /// A SIGHUP reload, applied or rejected.
    public func recordReload(applied: Bool) { reloads(applied ? "applied" : "rejected").increment() }

    /// Makes the per-language counters exist at zero, so dashboards and
    /// alerts see every supported language and method before its first event.
    public func registerLanguages(_ languages: [String], optOutMethods: [String]) {
        for language in languages {
            for intent in InboundIntent.allCases { _ = inbound(language, intent) }
            for method in optOutMethods { _ = optOuts(language, method) }
        }
    }

    func inbound(_ language: String, _ intent: InboundIntent) -> Counter {
        registry.makeCounter(
            descriptor: .aviso(
                "inbound_messages", unit: "total", help: "Messages received from victims, by the sender's language and what the reply was."),
            labels: [("language", language), ("intent", intent.rawValue)])
    }

    func optOuts(_ language: String, _ method: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("opt_outs", unit: "total", help: "Contact points opted out, by the victim's language and the consent method."),
            labels: [("language", language), ("method", method)])
    }

    func reloads(_ result: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("reloads", unit: "total", help: "Configuration and template reloads (SIGHUP), applied or rejected."),
            labels: [("result", result)])
    }

    // MARK: Set before each exposition

    /// The number of messages per state, channel and language.
    public func setMessageCounts(_ counts: [(state: String, channel: String, language: String, count: Int)]) {
        var seen: Set<[String]> = []
        for entry in counts {
            let key = [entry.state, entry.channel, entry.language]
            seen.insert(key)
            messages(key).set(to: Double(entry.count))
        }
        let vanished = knownMessageLabels.withLock { known in
            let gone = known.subtracting(seen)
            known.formUnion(seen)
            return gone
        }
        for key in vanished { messages(key).set(to: 0) }
    }

    func messages(_ key: [String]) -> Gauge {
        registry.makeGauge(
            descriptor: .aviso("messages", help: "Messages in the outbox and its history, by state, channel and language."),
            labels: [("state", key[0]), ("channel", key[1]), ("language", key[2])])
    }

    /// Queued messages whose time has come, and how long the oldest has waited.
    public func setDueQueue(count: Int, oldestAge: TimeInterval) {
        registry.makeGauge(descriptor: .aviso("due_messages", help: "Queued messages whose time has come.")).set(to: Double(count))
        registry.makeGauge(
            descriptor: .aviso(
                "oldest_due_message_age", unit: "seconds", help: "How long the longest-waiting due message has waited; 0 when none is due.")
        ).set(to: max(0, oldestAge))
    }

    /// Seconds since the dispatcher last completed a pass (-1 before its first).
    public func setDispatcherHeartbeatAge(_ seconds: TimeInterval) {
        registry.makeGauge(
            descriptor: .aviso(
                "dispatcher_heartbeat_age", unit: "seconds", help: "Seconds since the dispatcher last completed a pass over the outbox.")
        ).set(to: seconds)
    }

    /// The Prometheus text exposition of every instrument.
    public func exposition() -> String { registry.emitToString() }
}

extension MetricNameDescriptor {
    static func aviso(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "aviso", metricName: name, unitName: unit, helpText: help)
    }
}

/// What an inbound message was, as `aviso_inbound_messages_total` labels it.
public enum InboundIntent: String, Sendable, CaseIterable {
    case freeText = "free_text"
    case optOut = "opt_out"
    case optIn = "opt_in"
    case help
    case language
}

/// What a gateway answered to one hand-off, as `aviso_gateway_handoffs_total` labels it.
public enum HandOffOutcome: String, Sendable, CaseIterable {
    /// Accepted.
    case sent
    /// Refused for now: retried with backoff, or failed after the last attempt.
    case transient
    /// Refused for good: the message failed.
    case permanent
    /// The carrier says the recipient opted out.
    case optedOut = "opted_out"
    /// Not handed off: consent was withdrawn after the claim (G1 at hand-off).
    case withdrawn
}
