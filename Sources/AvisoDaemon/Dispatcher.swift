public import AvisoCore
public import AvisoMetrics
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
/// After every pass it beats (`onHeartbeat`): the daemon turns the beat into
/// systemd's `WATCHDOG=1`, so a dispatcher stuck on a gateway stops the
/// beats and systemd restarts the service.
///
/// On graceful shutdown it stops claiming and starts no more hand-offs; the
/// ones in flight get `shutdownGrace` to finish. Their outcomes are recorded;
/// what did not finish is queued again for the next start.
public final class Dispatcher: Service, Sendable, CustomStringConvertible {
    public struct Settings: Sendable {
        public var batchSize: Int
        public var concurrency: Int
        public var pollInterval: Duration
        public var retry: RetryPolicy
        /// How long in-flight hand-offs may take to finish once shutdown begins.
        public var shutdownGrace: Duration
        /// The longest the loop may go without a beat (half the systemd watchdog period), if any.
        public var heartbeatInterval: Duration?
        /// How long a gateway may take to say whether a message left in flight by a crash reached it.
        public var reconcileTimeout: Duration = .seconds(10)

        public init(
            batchSize: Int = 200, concurrency: Int = 32, pollInterval: Duration = .seconds(1), retry: RetryPolicy = RetryPolicy(),
            shutdownGrace: Duration = .seconds(10), heartbeatInterval: Duration? = nil
        ) {
            self.batchSize = batchSize
            self.concurrency = concurrency
            self.pollInterval = pollInterval
            self.retry = retry
            self.shutdownGrace = shutdownGrace
            self.heartbeatInterval = heartbeatInterval
        }
    }

    let store: AvisoStore
    let gateways: [Channel: any MessageGateway]
    let clock: any WallClock
    let settings: Settings
    let logger: Logger
    let metrics: AvisoMetrics?
    let onHeartbeat: @Sendable () -> Void
    let wakeup = Wakeup()
    let stopping = Latch()
    let heartbeat = Mutex<Date?>(nil)

    public init(
        store: AvisoStore, gateways: [Channel: any MessageGateway], clock: any WallClock, settings: Settings, logger: Logger,
        metrics: AvisoMetrics? = nil, onHeartbeat: @escaping @Sendable () -> Void = {},
        onStorageProblem: @escaping @Sendable (String?) -> Void = { _ in }
    ) {
        self.onStorageProblem = onStorageProblem
        self.store = store
        self.gateways = gateways
        self.clock = clock
        self.settings = settings
        self.logger = logger
        self.metrics = metrics
        self.onHeartbeat = onHeartbeat
    }

    public var description: String { "Dispatcher" }

    /// Look at the outbox now (called after an update is queued).
    public func wake() { wakeup.signal() }

    /// When the loop last completed a pass; readiness fails when it is stale.
    public var lastHeartbeat: Date? { heartbeat.withLock { $0 } }

    /// Why the dispatcher cannot write to the database now (a full or failing disk), for /readyz; nil when it can.
    public var storageProblem: String? { storageFailure.withLock { $0 } }
    let storageFailure = Mutex<String?>(nil)
    /// Told when writing starts failing (the reason) and when it works again (nil): systemd's STATUS=.
    let onStorageProblem: @Sendable (String?) -> Void

    /// Stop claiming; in-flight hand-offs get `shutdownGrace` to finish.
    public func beginShutdown() {
        stopping.open()
        wakeup.signal()
    }

    public func run() async throws {
        _ = try await withGracefulShutdownHandler {
            guard try await self.untilStored({ try await self.recover() }) != nil else { return 0 }
            return try await self.pipeline(untilIdle: false)
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        logger.info("dispatcher stopped")
    }

    /// After a crash: asks each gateway whether the messages left in flight
    /// reached it. Those it has are recorded sent, not sent again; the rest
    /// are due again (logged as possibly arriving twice unless the gateway
    /// said it does not have them). A gateway that cannot answer within
    /// `settings.reconcileTimeout` is taken as not knowing.
    public func recover() async throws {
        let inFlight = try store.inFlight()
        guard !inFlight.isEmpty else { return }
        let answers = await withTaskGroup(of: (ClaimedMessage, Reconciliation, String).self) { group in
            var answers: [(ClaimedMessage, Reconciliation, String)] = []
            var next = 0
            func start() {
                guard next < inFlight.count else { return }
                let message = inFlight[next]
                next += 1
                let gateway = gateways[message.outbound.channel]
                let timeout = settings.reconcileTimeout
                group.addTask {
                    guard let gateway else { return (message, .unknown, "none") }
                    let answer = await withTaskGroup(of: Reconciliation?.self) { race in
                        race.addTask { await gateway.reconcile(message.outbound) }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return nil
                        }
                        let first = await race.next() ?? nil
                        race.cancelAll()
                        return first ?? .unknown
                    }
                    return (message, answer, gateway.name)
                }
            }
            for _ in 0..<min(8, inFlight.count) { start() }
            while let answer = await group.next() {
                answers.append(answer)
                start()
            }
            return answers
        }
        let found = answers.compactMap { message, answer, gateway -> (message: ClaimedMessage, providerId: String, gateway: String)? in
            if case .alreadySent(let providerId) = answer { return (message, providerId, gateway) }
            return nil
        }
        try store.recordAlreadySent(found, now: clock.now())
        let notSent = Set(answers.filter { $0.1 == .notSent }.map { $0.0.outbound.messageId })
        let requeued = try store.recoverInFlight(now: clock.now(), notSent: notSent)
        logger.warning(
            "messages were in flight when the daemon last stopped; each was checked with its gateway",
            metadata: [
                "in_flight": "\(inFlight.count)", "already_sent": "\(found.count)", "not_sent": "\(notSent.count)",
                "may_arrive_twice": "\(requeued - notSent.count)",
            ])
    }

    func beat() {
        heartbeat.withLock { $0 = clock.now() }
        onHeartbeat()
    }

    /// One claim–hand-off–record cycle; returns how many messages it claimed.
    @discardableResult
    public func runOnce() async throws -> Int {
        guard let cycle = try startCycle() else { return 0 }
        try await finish(cycle)
        return cycle.claimed.count
    }

    /// Dispatches until nothing is due (for benchmarks and tools); returns how many messages were claimed.
    @discardableResult
    public func runUntilIdle() async throws -> Int {
        try await pipeline(untilIdle: true)
    }

    /// The dispatcher's loop, two batches deep: while one batch is with the
    /// gateway, the previous one is recorded and the next one claimed, so the
    /// database and the network work at the same time. The claim skips contact
    /// points with a message in flight, so a victim's messages still go one at a time.
    func pipeline(untilIdle: Bool) async throws -> Int {
        var handled = 0
        var inFlight: Cycle?
        while !stopping.isOpen && !Task.isCancelled {
            // On a full disk the claim waits for room; the batch in flight is still recorded first.
            let next = try await untilStored { try self.startCycle() } ?? nil
            if let inFlight { try await finish(inFlight) }
            inFlight = next
            handled += next?.claimed.count ?? 0
            beat()
            if next == nil {
                if untilIdle { break }
                if !stopping.isOpen { await wakeup.wait(timeout: try sleepDuration()) }
            }
        }
        if let inFlight { try await finish(inFlight) }
        return handled
    }

    /// A claimed batch and its hand-off, under way.
    struct Cycle {
        var claimed: [ClaimedMessage]
        var handOff: Task<(finished: [HandOffResult], unfinished: [(message: ClaimedMessage, started: Bool)]), Never>
    }

    /// Claims a batch and starts handing it off; nil when nothing is due.
    func startCycle() throws -> Cycle? {
        let claimed = try store.claimDue(limit: settings.batchSize, now: clock.now())
        guard !claimed.isEmpty else { return nil }
        for message in claimed { logger.trace("claimed", metadata: metadata(message, state: .sending)) }
        return Cycle(claimed: claimed, handOff: Task { await self.handOffWithinGrace(claimed) })
    }

    /// Runs a store operation; while the disk is full or failing, waits (from
    /// 1 s, doubling to 30 s, beating the heartbeat meanwhile) and tries
    /// again, so a full disk pauses dispatch instead of stopping the daemon.
    /// Nil when the daemon began stopping before the operation could succeed.
    func untilStored<T>(_ operation: () async throws -> T) async throws -> T? {
        var delay = Duration.seconds(1)
        var failures = 0
        while true {
            do {
                let value = try await operation()
                if failures > 0 {
                    storageFailure.withLock { $0 = nil }
                    onStorageProblem(nil)
                    logger.notice("the database can be written again; dispatch resumes", metadata: ["failed_attempts": "\(failures)"])
                }
                return value
            } catch  where AvisoStore.isStorageFailure(error) {
                failures += 1
                storageFailure.withLock { $0 = "the database cannot be written (disk full or failing)" }
                if failures == 1 { onStorageProblem("the database cannot be written (disk full or failing); dispatch paused") }
                if failures == 1 || failures.isMultiple(of: 20) {
                    logger.error(
                        "the database cannot be written (disk full or failing); dispatch waits and retries",
                        metadata: ["error": "\(error)", "attempts": "\(failures)"])
                }
                beat()
                if stopping.isOpen { return nil }
                await wakeup.wait(timeout: delay)
                if stopping.isOpen { return nil }
                delay = min(delay * 2, .seconds(30))
            }
        }
    }

    /// Waits for a batch's hand-offs and records every outcome.
    func finish(_ cycle: Cycle) async throws {
        let (finished, unfinished) = await cycle.handOff.value
        if !finished.isEmpty {
            guard let summary = try await untilStored({ try self.store.complete(finished, now: self.clock.now(), retry: self.settings.retry) })
            else {
                logger.error(
                    "stopping with outcomes not recorded (the disk is full); at the next start each message is checked with its gateway",
                    metadata: ["messages": "\(finished.count)"])
                return
            }
            logger.debug(
                "batch recorded",
                metadata: [
                    "sent": "\(summary.sent)", "retried": "\(summary.retried)", "failed": "\(summary.failed)", "withdrawn": "\(summary.withdrawn)",
                ])
            for language in summary.carrierOptOuts { metrics?.recordOptOut(language: language, method: ConsentMethod.carrier.rawValue) }
        }
        if !unfinished.isEmpty {
            guard try await untilStored({ try self.store.requeueUnfinished(unfinished, now: self.clock.now()) }) != nil else { return }
            for (message, started) in unfinished {
                logger.warning(
                    started
                        ? "hand-off did not finish before shutdown; due again at the next start and may arrive twice"
                        : "hand-off not started because the daemon is stopping; due again at the next start",
                    metadata: metadata(message, state: .queued, ["started": "\(started)"]))
            }
        }
    }

    /// Hands the batch off and waits until every hand-off finished, or until
    /// `shutdownGrace` after shutdown began, whichever comes first.
    func handOffWithinGrace(_ claimed: [ClaimedMessage]) async -> (finished: [HandOffResult], unfinished: [(message: ClaimedMessage, started: Bool)])
    {
        let batch = HandOffBatch(claimed)
        // Unstructured on purpose: a gateway that ignores cancellation must not hold shutdown past the grace period.
        let work = Task { await self.handOff(batch) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await batch.finished.wait() }
            group.addTask {
                await self.stopping.wait()
                try? await Task.sleep(for: self.settings.shutdownGrace)
            }
            await group.next()
            group.cancelAll()
        }
        let outcome = batch.seal()
        if !outcome.unfinished.isEmpty { work.cancel() }
        return outcome
    }

    func handOff(_ batch: HandOffBatch) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            func startNext() -> Bool {
                guard next < batch.messages.count, !stopping.isOpen, batch.start(next) else { return false }
                let index = next
                let message = batch.messages[index]
                next += 1
                group.addTask { batch.record(index, await self.send(message)) }
                return true
            }
            var running = 0
            while running < settings.concurrency, startNext() { running += 1 }
            while await group.next() != nil { _ = startNext() }
        }
        batch.finished.open()
    }

    /// What every log line about a message carries (never its address in full, G8).
    func metadata(_ message: ClaimedMessage, state: MessageState, _ extra: Logger.Metadata = [:]) -> Logger.Metadata {
        let outbound = message.outbound
        let base: Logger.Metadata = [
            "message": "\(outbound.messageId)", "case": "\(message.caseNumber ?? "-")", "channel": "\(outbound.channel.rawValue)",
            "language": "\(outbound.language)", "state": "\(state.rawValue)", "attempt": "\(outbound.attempt)",
            "to": "\(Redact.address(outbound.to, channel: outbound.channel))",
        ]
        return base.merging(extra) { _, new in new }
    }

    func send(_ message: ClaimedMessage) async -> HandOffResult {
        let channel = message.outbound.channel
        guard let gateway = gateways[channel] else {
            return HandOffResult(message: message, outcome: .transient(reason: "no gateway is configured for \(channel.rawValue)"), gateway: "none")
        }
        let started = ContinuousClock.now
        // G1 at the instant of hand-off: a STOP committed after the claim stops the message, up to the
        // moment the gateway writes it (the gateway asks again after any wait of its own).
        let revocations = store.revocations
        let contactPointId = message.contactPointId
        let exempt = message.event == .optOutConfirmation
        let outcome = await gateway.send(message.outbound, mayHandOff: { exempt || !revocations.isWithdrawn(contactPointId) })
        let kind: HandOffOutcome =
            switch outcome {
            case .sent: .sent
            case .transient: .transient
            case .permanent: .permanent
            case .optedOutAtCarrier: .optedOut
            case .withdrawn: .withdrawn
            }
        metrics?.recordHandOff(gateway: gateway.name, outcome: kind, duration: ContinuousClock.now - started)
        // Metadata is built inside the log calls' autoclosures: at info level a hand-off that succeeds costs no dictionary.
        switch outcome {
        case .sent:
            logger.debug("handed off", metadata: metadata(message, state: .sent, ["gateway": "\(gateway.name)"]))
        case .transient(let reason):
            let last = message.outbound.attempt >= settings.retry.maxAttempts
            logger.warning(
                last ? "hand-off failed; no attempts left" : "hand-off failed; will retry",
                metadata: metadata(message, state: last ? .failed : .queued, ["gateway": "\(gateway.name)", "reason": "\(reason)"]))
        case .permanent(let reason):
            logger.error(
                "hand-off failed permanently", metadata: metadata(message, state: .failed, ["gateway": "\(gateway.name)", "reason": "\(reason)"]))
        case .withdrawn(let reason):
            logger.notice(
                "not handed off: consent withdrawn after the claim", metadata: metadata(message, state: .suppressed, ["reason": "\(reason)"]))
        case .optedOutAtCarrier(let reason):
            logger.notice(
                "the carrier reports the recipient opted out; the contact point is opted out",
                metadata: metadata(message, state: .failed, ["gateway": "\(gateway.name)", "reason": "\(reason)"]))
        }
        return HandOffResult(message: message, outcome: outcome, gateway: gateway.name)
    }

    /// Until the next message is due, capped by the poll interval and by the heartbeat interval.
    func sleepDuration() throws -> Duration {
        let cap = settings.heartbeatInterval.map { min($0, settings.pollInterval) } ?? settings.pollInterval
        guard let next = try store.nextDueAt() else { return cap }
        let seconds = next.timeIntervalSince(clock.now())
        if seconds <= 0 { return .milliseconds(1) }
        return min(cap, .milliseconds(Int64(seconds * 1000) + 1))
    }
}
