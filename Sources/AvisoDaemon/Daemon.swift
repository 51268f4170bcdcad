public import AvisoCore
import AvisoGateways
public import AvisoMetrics
public import AvisoServer
public import AvisoStore
public import Foundation
import Hummingbird
public import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Everything `avisod serve` runs, wired once: the store, the templates, the
/// gateways, the dispatcher and the HTTP listener, in one ServiceGroup.
public struct Daemon: Sendable {
    public let configuration: DaemonConfiguration
    public let store: AvisoStore
    public let catalog: TemplateCatalog
    public let logger: Logger
    /// The shared level of every logger, which a reload may change.
    public let logLevel: LogLevelControl?
    public let metrics = AvisoMetrics()

    /// Opens the database (running migrations) and loads the templates; any
    /// problem is an error naming what to fix, before anything listens.
    public init(configuration: DaemonConfiguration, logger: Logger, logLevel: LogLevelControl? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.logLevel = logLevel
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        self.catalog = try TemplateDirectory.load(configuration.templatesDirectory)
        self.store = try AvisoStore(path: configuration.resolvedDatabasePath)
    }

    /// The gateway for each channel, as configured, with their secrets.
    /// `templates` gives the templates in force (a reload replaces them),
    /// for the visible unsubscribe link of every email.
    public func gateways(
        environment: [String: String], templates: (@Sendable () -> TemplateCatalog)? = nil
    ) throws -> [Channel: any MessageGateway] {
        var composer = EmailComposer(fromAddress: configuration.emailFromAddress, fromName: configuration.emailFromName)
        composer.replyTo = configuration.emailReplyTo
        let loaded = catalog
        let templates = templates ?? { loaded }
        let unsubscribe = UnsubscribeLinks(publicURL: configuration.publicURL, mailto: configuration.unsubscribeMailto) { language in
            // Every language has the term (UnsubscribePageTests); without it the link stands alone rather than in another language (G6).
            guard let tag = try? LanguageTag(language) else { return "" }
            return (try? templates().term("unsubscribe.link", for: tag)) ?? ""
        }
        let spool = try SpoolGateway(
            directory: URL(fileURLWithPath: configuration.resolvedSpoolDirectory), composer: composer, smsFrom: configuration.smsFrom,
            unsubscribe: unsubscribe)
        var gateways: [Channel: any MessageGateway] = [.sms: spool, .email: spool]
        let secrets = try GatewaySecrets.read(configuration: configuration, environment: environment)
        if configuration.smsGateway == "twilio", let token = secrets.twilioAuthToken {
            let twilio = configuration.twilio
            gateways[.sms] = TwilioGateway(
                settings: TwilioSettings(
                    baseURL: twilio.baseURL, accountSid: twilio.accountSid, authToken: token, from: twilio.from,
                    messagingServiceSid: twilio.messagingServiceSid, statusCallback: configuration.statusCallbackURL,
                    ratePerSecond: twilio.ratePerSecond, timeout: twilio.timeout, connections: configuration.concurrency))
        }
        if configuration.emailGateway == "smtp" {
            let smtp = configuration.smtp
            let password = secrets.smtpPassword
            gateways[.email] = SMTPGateway(
                settings: SMTPSettings(
                    host: smtp.host, port: smtp.port, security: smtp.security == .implicit ? .implicitTLS : .starttls, username: smtp.username,
                    password: password, caFile: smtp.caFile, timeout: smtp.timeout, connections: smtp.connections),
                composer: composer, unsubscribe: unsubscribe)
        }
        return gateways
    }

    /// What webhooks need: the public URL and, when there is one, the Twilio auth token.
    public func webhookSettings(environment: [String: String]) throws -> WebhookSettings {
        WebhookSettings(
            publicURL: configuration.publicURL,
            twilioAuthToken: try Secrets.read("twilio-auth-token", file: configuration.twilio.authTokenFile, environment: environment))
    }

    /// Runs until SIGTERM or SIGINT; then stops claiming, gives in-flight
    /// hand-offs `shutdown.grace_seconds`, records them, and returns.
    ///
    /// `reload` reads the configuration again for SIGHUP; without it, SIGHUP
    /// reloads the templates with the running configuration.
    public func run(
        clock: any WallClock = SystemClock(), notify: SystemdNotify, environment: [String: String] = ProcessInfo.processInfo.environment,
        reload: (@Sendable () throws -> DaemonConfiguration)? = nil
    ) async throws {
        let lock = try ServeLock(database: configuration.resolvedDatabasePath)
        defer { withExtendedLifetime(lock) {} }
        let store = self.store
        let watchdog = SystemdNotify.watchdogInterval(environment: environment)
        // While the disk is full, systemd's STATUS= says so first (`systemctl status avisod`).
        let storage = StorageNote()
        let notifier = ServiceNotifier(notify: notify, watchdogInterval: watchdog) {
            let queue = ServiceNotifier.statusLine(store: store, now: clock.now())
            guard let problem = storage.problem else { return queue }
            return "PAUSED: \(problem)" + (queue.map { "; \($0)" } ?? "")
        }
        let inForce = TemplatesInForce(initial: catalog)
        let dispatcher = Dispatcher(
            store: store, gateways: try gateways(environment: environment, templates: { inForce.catalog }), clock: clock,
            settings: .init(
                batchSize: configuration.batchSize, concurrency: configuration.concurrency, pollInterval: configuration.pollInterval,
                retry: configuration.retry, shutdownGrace: configuration.shutdownGrace, heartbeatInterval: watchdog),
            logger: logger, metrics: metrics, onHeartbeat: { notifier.beat() },
            onStorageProblem: { problem in
                storage.problem = problem
                notifier.send("STATUS=" + (problem.map { "PAUSED: \($0)" } ?? "the database can be written again; dispatching"))
            })
        metrics.registerLanguages(catalog.languages, optOutMethods: ConsentMethod.allCases.map(\.rawValue))
        metrics.registerGateways(Set(dispatcher.gateways.values.map(\.name)).sorted())
        let state = ServerState(
            store: store, clock: clock, planner: UpdatePlanner(catalog: catalog, policy: configuration.policy),
            messageLifetime: configuration.messageLifetime, webhooks: try webhookSettings(environment: environment),
            security: SecuritySettings(
                tokenLifetime: configuration.tokenLifetime, trustForwardedFor: configuration.trustForwardedFor, approval: configuration.approval),
            wakeDispatcher: { dispatcher.wake() })
        inForce.attach(state)
        let operations = Operations(
            metrics: metrics,
            readiness: Self.readiness(store: store, state: state, dispatcher: dispatcher, clock: clock, configuration: configuration),
            dispatcherHeartbeat: { dispatcher.lastHeartbeat })
        let logger = self.logger
        let host = configuration.httpAddress
        let listening = ListenerStarted()
        let app = Application(
            router: AvisoRoutes.router(state: state, operations: operations),
            server: .http1(configuration: .init(idleTimeout: .init(configuration.idleTimeout))),
            configuration: .init(address: .hostname(host, port: configuration.httpPort), serverName: "avisod"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                listening.flag.store(true, ordering: .releasing)
                logger.notice("listening", metadata: ["address": "http://\(host):\(port)"])
                notifier.send("READY=1\nSTATUS=listening on \(host):\(port)")
            },
            logger: logger)
        let running = configuration
        let reloader = Reloader(
            configuration: configuration, catalog: catalog, state: state, logLevel: logLevel, metrics: metrics, logger: logger,
            notify: { notifier.send($0) }, load: reload ?? { running })
        let control = ControlService(signals: await UnixSignalsSequence(trapping: .sighup), reloader: reloader, notify: { notifier.send($0) })
        var group = ServiceGroupConfiguration(
            // Shut down in reverse: announce STOPPING=1, drain the dispatcher, then close the listener.
            services: [
                .init(service: app), .init(service: dispatcher), .init(service: control),
                .init(service: RetentionService(store: store, clock: clock, days: configuration.retentionDays, logger: logger)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // A last resort above the dispatcher's own bound, for a service that ignores graceful shutdown.
        group.maximumGracefulShutdownDuration = configuration.shutdownGrace + .seconds(10)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch  where !listening.flag.load(ordering: .acquiring) {
            throw Self.listenerError(error, configuration: configuration)
        }
    }

    /// Why the daemon is not ready: the database does not answer, no
    /// templates are loaded, or the dispatcher has not beaten lately.
    static func readiness(
        store: AvisoStore, state: ServerState, dispatcher: Dispatcher, clock: any WallClock, configuration: DaemonConfiguration
    ) -> @Sendable () -> [String] {
        let pollSeconds = Double(configuration.pollInterval.components.seconds) + 1
        return {
            var problems: [String] = []
            do { try store.ping() } catch { problems.append("database unreachable") }
            if state.planner.catalog.languages.isEmpty { problems.append("no templates loaded") }
            if let storage = dispatcher.storageProblem { problems.append(storage) }
            if let beat = dispatcher.lastHeartbeat {
                if clock.now().timeIntervalSince(beat) > max(30, pollSeconds * 5) { problems.append("dispatcher heartbeat is stale") }
            } else {
                problems.append("dispatcher has not started")
            }
            return problems
        }
    }
}

/// The templates in force, for the gateways, which are built before the
/// server state whose templates a reload replaces.
final class TemplatesInForce: Sendable {
    let initial: TemplateCatalog
    let state = Mutex<ServerState?>(nil)

    init(initial: TemplateCatalog) { self.initial = initial }

    func attach(_ state: ServerState) { self.state.withLock { $0 = state } }

    var catalog: TemplateCatalog { state.withLock { $0?.planner.catalog } ?? initial }
}

/// The dispatcher's storage problem, for the STATUS= line.
final class StorageNote: Sendable {
    private let value = Mutex<String?>(nil)
    var problem: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
