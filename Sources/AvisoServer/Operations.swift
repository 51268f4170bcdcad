import AvisoCore
public import AvisoMetrics
import AvisoStore
public import Foundation
import Hummingbird
import Logging

/// What the operations endpoints (`/readyz`, `/metrics`, `/v1/status`) need
/// from the daemon besides the store: its instruments, its own view of its
/// readiness, and the dispatcher's heartbeat.
public struct Operations: Sendable {
    public var metrics: AvisoMetrics
    /// Why the daemon is not ready; empty when it is.
    public var readiness: @Sendable () -> [String]
    /// When the dispatcher last completed a pass over the outbox.
    public var dispatcherHeartbeat: @Sendable () -> Date?

    public init(
        metrics: AvisoMetrics = AvisoMetrics(), readiness: @escaping @Sendable () -> [String] = { [] },
        dispatcherHeartbeat: @escaping @Sendable () -> Date? = { nil }
    ) {
        self.metrics = metrics
        self.readiness = readiness
        self.dispatcherHeartbeat = dispatcherHeartbeat
    }
}

extension AvisoRoutes {
    /// `/healthz`, `/readyz` and `/metrics`: no token, so monitoring and
    /// systemd can reach them. None of them shows personal data.
    static func addOperations(to router: Router<AvisoRequestContext>, state: ServerState, operations: Operations) {
        router.get("/healthz") { _, _ in json(["status": "ok"]) }
        router.get("/readyz") { _, _ in
            let problems = operations.readiness()
            return json(
                ["status": problems.isEmpty ? "ready" : "not ready", "problems": problems.joined(separator: "; ")],
                status: problems.isEmpty ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in
            try refreshGauges(state: state, operations: operations)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: operations.metrics.exposition())))
        }
    }

    /// `GET /v1/status`: the health picture for staff, any role.
    static func addStatus(to group: RouterGroup<AvisoRequestContext>, state: ServerState, operations: Operations) {
        group.get("status") { _, context in
            try require(context, .none)
            return json(try status(state: state, operations: operations))
        }
    }

    static func status(state: ServerState, operations: Operations) throws -> StatusView {
        let now = state.clock.now()
        let problems = operations.readiness()
        return StatusView(
            status: problems.isEmpty ? "ready" : "not ready", problems: problems, now: now, dispatcherHeartbeat: operations.dispatcherHeartbeat(),
            languages: state.planner.catalog.languages, queue: try state.store.queueStatus(now: now),
            lastHour: RecentFailures(failed: try state.store.failedMessages(since: now.addingTimeInterval(-3600))),
            gateways: try state.store.gatewayStatuses())
    }

    /// Sets the outbox gauges from the store's small aggregates just before
    /// an exposition, so a scrape costs a few index lookups.
    static func refreshGauges(state: ServerState, operations: Operations) throws {
        let now = state.clock.now()
        let metrics = operations.metrics
        metrics.setMessageCounts(try state.store.messageCounts().map { ($0.state.rawValue, $0.channel.rawValue, $0.language, $0.count) })
        let queue = try state.store.queueStatus(now: now)
        metrics.setDueQueue(count: queue.due, oldestAge: queue.oldestDueAt.map { now.timeIntervalSince($0) } ?? 0)
        metrics.setDispatcherHeartbeatAge(operations.dispatcherHeartbeat().map { now.timeIntervalSince($0) } ?? -1)
    }
}

/// Counts every request by route pattern and status, and logs it at debug
/// level with the pattern, never the raw path or query.
struct RequestObserver<Context: RequestContext>: RouterMiddleware {
    let metrics: AvisoMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let status: Int
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            record(request, context, status: status, started: started)
            return response
        } catch {
            record(request, context, status: Int((error as? any HTTPResponseError)?.status.code ?? 500), started: started)
            throw error
        }
    }

    func record(_ request: Request, _ context: Context, status: Int, started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        metrics.recordHTTPRequest(route: route, method: request.method.rawValue, status: status)
        let elapsed = ContinuousClock.now - started
        context.logger.debug(
            "request", metadata: ["method": "\(request.method.rawValue)", "route": "\(route)", "status": "\(status)", "duration": "\(elapsed)"])
    }
}
