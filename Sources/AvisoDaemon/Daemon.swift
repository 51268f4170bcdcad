public import AvisoCore
public import AvisoStore
import AvisoGateways
public import AvisoServer
public import Foundation
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

    /// The gateway for each channel, as configured, with their secrets.
    public func gateways(environment: [String: String]) throws -> [Channel: any MessageGateway] {
        let composer = EmailComposer(fromAddress: configuration.emailFromAddress, fromName: configuration.emailFromName)
        let unsubscribe = UnsubscribeLinks(publicURL: configuration.publicURL, mailto: configuration.unsubscribeMailto)
        let spool = try SpoolGateway(
            directory: URL(fileURLWithPath: configuration.resolvedSpoolDirectory), composer: composer, smsFrom: configuration.smsFrom,
            unsubscribe: unsubscribe)
        var gateways: [Channel: any MessageGateway] = [.sms: spool, .email: spool]
        if configuration.smsGateway == "twilio" {
            let twilio = configuration.twilio
            guard let token = try Secrets.read("twilio-auth-token", file: twilio.authTokenFile, environment: environment) else {
                throw AvisoError(.configuration, title: "Secret missing", detail: "gateway.sms is twilio but no auth token was found: set twilio.auth_token_file, provide the credential 'twilio-auth-token' (LoadCredential=), or set AVISO_TWILIO_AUTH_TOKEN.")
            }
            gateways[.sms] = TwilioGateway(
                settings: TwilioSettings(
                    baseURL: twilio.baseURL, accountSid: twilio.accountSid, authToken: token, from: twilio.from,
                    messagingServiceSid: twilio.messagingServiceSid, statusCallback: configuration.publicURL + "/webhooks/twilio/status",
                    ratePerSecond: twilio.ratePerSecond, timeout: twilio.timeout))
        }
        if configuration.emailGateway == "smtp" {
            let smtp = configuration.smtp
            let password = try Secrets.read("smtp-password", file: smtp.passwordFile, environment: environment)
            if smtp.username != nil && password == nil {
                throw AvisoError(.configuration, title: "Secret missing", detail: "smtp.username is set but no password was found: set smtp.password_file, provide the credential 'smtp-password' (LoadCredential=), or set AVISO_SMTP_PASSWORD.")
            }
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

    /// Runs until SIGTERM or SIGINT; then stops claiming, finishes the batch in hand and returns.
    public func run(clock: any WallClock = SystemClock(), notify: SystemdNotify, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let dispatcher = Dispatcher(
            store: store, gateways: try gateways(environment: environment), clock: clock,
            settings: .init(
                batchSize: configuration.batchSize, concurrency: configuration.concurrency, pollInterval: configuration.pollInterval,
                retry: configuration.retry),
            logger: logger)
        let planner = UpdatePlanner(catalog: catalog, policy: configuration.policy)
        let state = ServerState(
            store: store, clock: clock, planner: planner, messageLifetime: configuration.messageLifetime,
            webhooks: try webhookSettings(environment: environment), wakeDispatcher: { dispatcher.wake() })
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
                services: [
                    .init(service: app), .init(service: dispatcher),
                    .init(service: RetentionService(store: store, clock: clock, days: configuration.retentionDays, logger: logger)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        notify.send("STOPPING=1")
    }
}
