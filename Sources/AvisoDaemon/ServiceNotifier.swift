import AvisoStore
import Foundation
import Logging
import Synchronization

/// Turns the dispatcher's beats into systemd notifications: `WATCHDOG=1` at
/// least every watchdog interval while the loop runs, and a `STATUS=` line
/// with the queue and the last send every few seconds.
///
/// The beats come from the dispatcher's own loop, not from a timer of their
/// own, so a dispatcher stuck on a gateway falls silent and systemd
/// restarts the service.
final class ServiceNotifier: Sendable {
    let notify: SystemdNotify
    let watchdogInterval: Duration?
    let statusInterval: Duration
    let status: @Sendable () -> String?
    let lastWatchdog = Mutex<ContinuousClock.Instant?>(nil)
    let lastStatus = Mutex<ContinuousClock.Instant?>(nil)

    init(notify: SystemdNotify, watchdogInterval: Duration?, statusInterval: Duration = .seconds(5), status: @escaping @Sendable () -> String?) {
        self.notify = notify
        self.watchdogInterval = watchdogInterval
        self.statusInterval = statusInterval
        self.status = status
    }

    /// Called after every pass of the dispatcher's loop.
    func beat() {
        guard notify.socketPath != nil else { return }
        let now = ContinuousClock.now
        // Busy loops beat thousands of times a second; one datagram per half interval is enough.
        if let interval = watchdogInterval, Self.due(lastWatchdog, now: now, every: interval / 2) {
            notify.send("WATCHDOG=1")
        }
        if Self.due(lastStatus, now: now, every: statusInterval), let line = status() {
            notify.send("STATUS=" + line)
        }
    }

    /// Sends `text` at once (READY=1, RELOADING=1, STOPPING=1). The next
    /// beat's queue status replaces its STATUS= line, as it should: the
    /// queue says more than "listening".
    func send(_ text: String) { notify.send(text) }

    static func due(_ last: borrowing Mutex<ContinuousClock.Instant?>, now: ContinuousClock.Instant, every interval: Duration) -> Bool {
        last.withLock { last in
            if let previous = last, now - previous < interval { return false }
            last = now
            return true
        }
    }

    /// `3 due (oldest 12 s), 40 scheduled, 0 sending; last send 2026-03-03T15:00:00Z via spool`
    static func statusLine(store: AvisoStore, now: Date) -> String? {
        guard let queue = try? store.queueStatus(now: now) else { return nil }
        var line = "\(queue.due) due"
        if let oldest = queue.oldestDueAt { line += " (oldest \(Int(max(0, now.timeIntervalSince(oldest)))) s)" }
        line += ", \(queue.scheduled) scheduled, \(queue.sending) sending"
        let gateways = (try? store.gatewayStatuses()) ?? []
        if let last = gateways.filter({ $0.lastSentAt != nil }).max(by: { $0.lastSentAt! < $1.lastSentAt! }), let at = last.lastSentAt {
            line += "; last send \(at.formatted(.iso8601)) via \(last.gateway)"
        } else {
            line += "; nothing sent yet"
        }
        return line
    }
}
