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
///     metrics.recordHandOff(gateway: "spool", duration: .milliseconds(3))
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
    }

    // MARK: Recorded as they happen

    /// One message handed to `gateway`, whatever the outcome.
    public func recordHandOff(gateway: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: .aviso("gateway_handoff_duration", unit: "seconds", help: "Time a gateway took to accept or refuse one message."),
            labels: [("gateway", gateway)], buckets: Self.handOffBuckets
        ).record(duration)
    }

    /// One HTTP request answered; `route` is the route's pattern, never the raw path.
    public func recordHTTPRequest(route: String, method: String, status: Int) {
        registry.makeCounter(
            descriptor: .aviso("http_requests", unit: "total", help: "HTTP requests answered, by route pattern, method and status."),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    /// One inbound message (a victim's reply) in `language`.
    public func recordInbound(language: String) { inbound(language).increment() }

    /// One opt-out in `language`, whoever recorded it.
    public func recordOptOut(language: String) { optOuts(language).increment() }

    /// A SIGHUP reload, applied or rejected.
    public func recordReload(applied: Bool) { reloads(applied ? "applied" : "rejected").increment() }

    /// Makes the per-language counters exist at zero, so dashboards and
    /// alerts see every supported language before its first event.
    public func registerLanguages(_ languages: [String]) {
        for language in languages {
            _ = inbound(language)
            _ = optOuts(language)
        }
    }

    func inbound(_ language: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("inbound_messages", unit: "total", help: "Messages received from victims, by language."),
            labels: [("language", language)])
    }

    func optOuts(_ language: String) -> Counter {
        registry.makeCounter(
            descriptor: .aviso("opt_outs", unit: "total", help: "Opt-outs recorded, by the victim's language."), labels: [("language", language)])
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
