public import AvisoCore
public import AvisoStore
public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The long-running service that moves messages from the outbox to the
/// gateways: claim a batch of due messages (consent checked in the same
/// transaction, G1), hand them off concurrently, record every outcome in one
/// transaction. Between batches it sleeps until the next message is due, a
/// new one is queued, or the poll interval passes.
///
/// On graceful shutdown it stops claiming, lets the batch in hand finish, and
/// returns; anything not finished stays queued for the next start.
public final class Dispatcher: Service, Sendable {
    public struct Settings: Sendable {
        public var batchSize: Int
        public var concurrency: Int
        public var pollInterval: Duration
        public var retry: RetryPolicy

        public init(batchSize: Int = 200, concurrency: Int = 32, pollInterval: Duration = .seconds(1), retry: RetryPolicy = RetryPolicy()) {
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.pollInterval = pollInterval
            self.retry = retry
        }
    }

    let store: AvisoStore
    let gateways: [Channel: any MessageGateway]
    let clock: any WallClock
    let settings: Settings
    let logger: Logger
    let wakeup = Wakeup()
    let stopping = Atomic<Bool>(false)
    let heartbeat = Mutex<Date?>(nil)

    public init(store: AvisoStore, gateways: [Channel: any MessageGateway], clock: any WallClock, settings: Settings, logger: Logger) {
        self.store = store
        self.gateways = gateways
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// Look at the outbox now (called after an update is queued).
    public func wake() { wakeup.signal() }

    /// When the loop last completed a pass; readiness fails when it is stale.
    public var lastHeartbeat: Date? { heartbeat.withLock { $0 } }

    public func run() async throws {
        let recovered = try store.recoverInFlight(now: clock.now())
        if recovered > 0 {
            logger.warning("messages were in flight when the daemon last stopped; they are due again and may arrive twice", metadata: ["count": "\(recovered)"])
        }
        try await withGracefulShutdownHandler {
            while !stopping.load(ordering: .acquiring) && !Task.isCancelled {
                let handled = try await runOnce()
                heartbeat.withLock { $0 = clock.now() }
                if handled == 0 { await wakeup.wait(timeout: try sleepDuration()) }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            self.wakeup.signal()
        }
        logger.info("dispatcher stopped")
    }

    /// One claim–hand-off–record cycle; returns how many messages it claimed.
    @discardableResult
    public func runOnce() async throws -> Int {
        let claimed = try store.claimDue(limit: settings.batchSize, now: clock.now())
        guard !claimed.isEmpty else { return 0 }
        let results = await handOff(claimed)
        let summary = try store.complete(results, now: clock.now(), retry: settings.retry)
        logger.debug("batch recorded", metadata: ["sent": "\(summary.sent)", "retried": "\(summary.retried)", "failed": "\(summary.failed)"])
        return claimed.count
    }

    func handOff(_ claimed: [ClaimedMessage]) async -> [HandOffResult] {
        await withTaskGroup(of: HandOffResult.self) { group in
            var results: [HandOffResult] = []
            results.reserveCapacity(claimed.count)
            var iterator = claimed.makeIterator()
            var running = 0
            func addNext() -> Bool {
                guard let message = iterator.next() else { return false }
                group.addTask { await self.send(message) }
                return true
            }
            while running < settings.concurrency, addNext() { running += 1 }
            while let result = await group.next() {
                results.append(result)
                _ = addNext()
            }
            return results
        }
    }

    func send(_ message: ClaimedMessage) async -> HandOffResult {
        let channel = message.outbound.channel
        guard let gateway = gateways[channel] else {
            return HandOffResult(message: message, outcome: .transient(reason: "no gateway is configured for \(channel.rawValue)"), gateway: "none")
        }
        let outcome = await gateway.send(message.outbound)
        var metadata: Logger.Metadata = [
            "message": "\(message.outbound.messageId)", "channel": "\(channel.rawValue)", "gateway": "\(gateway.name)",
            "to": "\(Redact.address(message.outbound.to, channel: channel))",
        ]
        switch outcome {
        case .sent: logger.debug("handed off", metadata: metadata)
        case .transient(let reason):
            metadata["reason"] = "\(Redact.text(reason))"
            logger.warning("hand-off failed; will retry", metadata: metadata)
        case .permanent(let reason):
            metadata["reason"] = "\(Redact.text(reason))"
            logger.error("hand-off failed permanently", metadata: metadata)
        case .optedOutAtCarrier(let reason):
            metadata["reason"] = "\(Redact.text(reason))"
            logger.notice("the carrier reports the recipient opted out; the contact point is opted out", metadata: metadata)
        }
        return HandOffResult(message: message, outcome: outcome, gateway: gateway.name)
    }

    func sleepDuration() throws -> Duration {
        guard let next = try store.nextDueAt() else { return settings.pollInterval }
        let seconds = next.timeIntervalSince(clock.now())
        if seconds <= 0 { return .milliseconds(1) }
        return min(settings.pollInterval, .milliseconds(Int64(seconds * 1000) + 1))
    }
}

/// A wake-up call that is never lost: a signal before the wait makes the
/// next wait return at once.
final class Wakeup: Sendable {
    struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.signal()
            }
            group.addTask {
                await withCheckedContinuation { continuation in
                    let now = self.state.withLock { state -> Bool in
                        if state.pending {
                            state.pending = false
                            return true
                        }
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
            }
            await group.next()
            group.cancelAll()
        }
        // The timer may have fired as well; a stale signal costs one empty pass.
    }
}
