public import AvisoCore
public import AvisoMetrics
public import AvisoServer
import Foundation
public import Logging
import Synchronization

/// Applies a new configuration and template set on SIGHUP: all of it, or
/// none of it. The new files are read and checked in full first; only when
/// everything passes are templates, policy, message lifetime and log level
/// swapped in, at once. Otherwise the daemon goes on exactly as before and
/// the log says why.
public final class Reloader: Sendable {
    /// What a reload would put in force.
    public struct Prepared: Sendable {
        public var configuration: DaemonConfiguration
        public var catalog: TemplateCatalog
        /// Changed keys that only a restart applies; they keep their running value.
        public var needsRestart: [String]
    }

    let load: @Sendable () throws -> DaemonConfiguration
    /// The configuration the daemon started with: what the restart-only keys still hold.
    let startup: DaemonConfiguration
    /// The templates in force.
    let catalog: Mutex<TemplateCatalog>
    let state: ServerState
    let logLevel: LogLevelControl?
    let metrics: AvisoMetrics
    let notify: @Sendable (String) -> Void
    let logger: Logger

    /// `configuration` and `catalog` are what runs now; `load` reads the configuration file again.
    public init(
        configuration: DaemonConfiguration, catalog: TemplateCatalog, state: ServerState, logLevel: LogLevelControl?, metrics: AvisoMetrics,
        logger: Logger, notify: @escaping @Sendable (String) -> Void, load: @escaping @Sendable () throws -> DaemonConfiguration
    ) {
        self.startup = configuration
        self.catalog = Mutex(catalog)
        self.state = state
        self.logLevel = logLevel
        self.metrics = metrics
        self.logger = logger
        self.notify = notify
        self.load = load
    }

    /// Reads the configuration file and templates again and applies them if they pass.
    public func reload() {
        notify("RELOADING=1\nMONOTONIC_USEC=\(SystemdNotify.monotonicMicroseconds())\nSTATUS=reloading configuration and templates")
        do {
            let prepared = try Self.prepare(loading: load, running: startup, catalog: catalog.withLock { $0 })
            apply(prepared)
            metrics.recordReload(applied: true)
            var metadata: Logger.Metadata = [
                "templates": "\(prepared.configuration.templatesDirectory)", "languages": "\(prepared.catalog.languages.joined(separator: ","))",
                "log_level": "\(prepared.configuration.logLevel)",
            ]
            if !prepared.needsRestart.isEmpty { metadata["needs_restart"] = "\(prepared.needsRestart.joined(separator: ","))" }
            logger.notice("configuration and templates reloaded", metadata: metadata)
            if !prepared.needsRestart.isEmpty {
                logger.warning(
                    "changed settings take effect only at the next restart: systemctl restart avisod",
                    metadata: ["keys": "\(prepared.needsRestart.joined(separator: ","))"])
            }
            notify("READY=1\nSTATUS=reloaded: templates for \(prepared.catalog.languages.joined(separator: ", "))")
        } catch {
            metrics.recordReload(applied: false)
            let reason = (error as? AvisoError).map { "\($0.title): \($0.detail)" } ?? "\(error)"
            logger.error("reload rejected; the configuration and templates in force stay in force", metadata: ["reason": "\(reason)"])
            notify("READY=1\nSTATUS=reload rejected, previous configuration and templates in force: \(AvisoLogHandler.oneLine(reason))")
        }
    }

    /// Loads and checks a new configuration and template set against what runs now.
    public static func prepare(
        loading load: () throws -> DaemonConfiguration, running: DaemonConfiguration, catalog: TemplateCatalog
    ) throws -> Prepared {
        let configuration = try load()
        let newCatalog = try TemplateDirectory.load(configuration.templatesDirectory)
        let lost = catalog.provisions.subtracting(newCatalog.provisions).sorted()
        if !lost.isEmpty {
            let shown = lost.prefix(10).joined(separator: ", ") + (lost.count > 10 ? " and \(lost.count - 10) more" : "")
            throw AvisoError(
                .configuration, title: "Templates missing",
                detail:
                    "The templates in \(configuration.templatesDirectory) lack what the running set has: \(shown). Victims in those languages would get nothing. Restore them, or restart avisod to drop them on purpose."
            )
        }
        return Prepared(configuration: configuration, catalog: newCatalog, needsRestart: configuration.restartOnlyChanges(from: running))
    }

    func apply(_ prepared: Prepared) {
        let configuration = prepared.configuration
        state.replace(
            .init(planner: UpdatePlanner(catalog: prepared.catalog, policy: configuration.policy), messageLifetime: configuration.messageLifetime))
        logLevel?.level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        metrics.registerLanguages(prepared.catalog.languages, optOutMethods: ConsentMethod.allCases.map(\.rawValue))
        catalog.withLock { $0 = prepared.catalog }
    }
}
