public import AvisoCore
public import AvisoStore
import AvisoGateways
import AvisoServer
import Foundation
import Hummingbird
public import Logging
import ServiceLifecycle

/// Everything `avisod serve` runs, wired once: the store, the templates, the
/// gateways, the dispatcher and the HTTP listener, in one ServiceGroup.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let store: AvisoStore
    public let catalog: TemplateCatalog
    public let logger: Logger

    /// Opens the database (running migrations) and loads the templates; any
    /// problem is an error naming what to fix, before anything listens.
    public init(configuration: DaemonConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        self.catalog = try TemplateDirectory.load(configuration.templatesDirectory)
        self.store = try AvisoStore(path: configuration.resolvedDatabasePath)
    }

    public func gateways() throws -> [Channel: any MessageGateway] {
        let spool = try SpoolGateway(
            directory: URL(fileURLWithPath: configuration.resolvedSpoolDirectory),
            composer: EmailComposer(fromAddress: configuration.emailFromAddress, fromName: configuration.emailFromName),
            smsFrom: configuration.smsFrom)
        return [.sms: spool, .email: spool]
    }

    /// Runs until SIGTERM or SIGINT; then stops claiming, finishes the batch in hand and returns.
    public func run(clock: any WallClock = SystemClock(), notify: SystemdNotify) async throws {
        let dispatcher = Dispatcher(
            store: store, gateways: try gateways(), clock: clock,
            settings: .init(
                batchSize: configuration.batchSize, concurrency: configuration.concurrency, pollInterval: configuration.pollInterval,
                retry: configuration.retry),
            logger: logger)
        let planner = UpdatePlanner(catalog: catalog, policy: configuration.policy)
        let state = ServerState(
            store: store, clock: clock, planner: planner, messageLifetime: configuration.messageLifetime, wakeDispatcher: { dispatcher.wake() })
        let pollSeconds = Double(configuration.pollInterval.components.seconds) + 1
        let router = AvisoRoutes.router(state: state) { [store] in
            var problems: [String] = []
            do { try store.ping() } catch { problems.append("database unreachable") }
            if let beat = dispatcher.lastHeartbeat {
                if clock.now().timeIntervalSince(beat) > max(30, pollSeconds * 5) { problems.append("dispatcher heartbeat is stale") }
            } else {
                problems.append("dispatcher has not started")
            }
            return problems
        }
        let logger = self.logger
        let host = configuration.httpAddress
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: configuration.httpPort), serverName: "avisod"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.notice("listening", metadata: ["address": "http://\(host):\(port)"])
                notify.send("READY=1\nSTATUS=listening on \(host):\(port)")
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: app), .init(service: dispatcher)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        notify.send("STOPPING=1")
    }
}
