import AvisoCore
import AvisoDaemon
import AvisoMetrics
import AvisoServer
import AvisoTesting
import Foundation
import Logging
import Testing

/// A running daemon's reloadable parts, over a copy of the repository's templates.
struct ReloadHarness {
    let fixture: StoreFixture
    let templates: URL
    let configuration: DaemonConfiguration
    let state: ServerState
    let metrics = AvisoMetrics()
    let notes = LineSink()
    let logs = LineSink()

    init() throws {
        fixture = try StoreFixture()
        templates = try temporaryDirectory("templates").appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Templates"), to: templates)
        var configuration = DaemonConfiguration()
        configuration.stateDirectory = fixture.directory.path
        configuration.templatesDirectory = templates.path
        self.configuration = configuration
        state = ServerState(
            store: fixture.store, clock: fixture.clock,
            planner: UpdatePlanner(catalog: try TemplateDirectory.load(templates.path), policy: configuration.policy))
    }

    func reloader(loading load: @escaping @Sendable () throws -> DaemonConfiguration) throws -> Reloader {
        let logs = self.logs
        let notes = self.notes
        let logger = Logger(label: "avisod") { label in
            AvisoLogHandler(label: label, style: .journal, control: LogLevelControl(.info), write: { logs.write($0) })
        }
        return Reloader(
            configuration: configuration, catalog: state.planner.catalog, state: state, logLevel: nil, metrics: metrics, logger: logger,
            notify: { notes.write($0) }, load: load)
    }

    func write(_ text: String, to file: String) throws {
        try text.write(to: templates.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }

    func arrestSMS() throws -> String {
        try state.planner.catalog.render(
            .arrest, .sms, language: LanguageTag("en"),
            context: ["case_number": "KC-2025-004512", "offense": "armed robbery", "contact_phone": state.planner.policy.contactPhone]
        ).body
    }
}

@Suite struct ReloadTests {
    @Test func aTemplateWithASyntaxErrorIsRejectedAndTheRunningSetStays() throws {
        let harness = try ReloadHarness()
        let before = try harness.arrestSMS()
        try harness.write("KCPD: {{#charges}} never closed", to: "en/arrest.sms.mustache")
        let configuration = harness.configuration
        try harness.reloader(loading: { configuration }).reload()

        #expect(try harness.arrestSMS() == before)
        #expect(harness.notes.all.count == 2)
        #expect(harness.notes.all.first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(harness.notes.all.last?.hasPrefix("READY=1\nSTATUS=reload rejected") == true)
        let line = try #require(harness.logs.all.first { $0.contains("reload rejected") })
        #expect(line.hasPrefix("<3>"))
        #expect(line.contains("en/arrest.sms.mustache"))
        #expect(harness.metrics.exposition().contains(#"aviso_reloads_total{result="rejected"} 1"#))
    }

    @Test func aTemplateSetThatLostTemplatesIsRejectedNamingThem() throws {
        let harness = try ReloadHarness()
        try FileManager.default.removeItem(at: harness.templates.appendingPathComponent("es/arrest.email.mustache"))
        let configuration = harness.configuration
        try harness.reloader(loading: { configuration }).reload()
        let line = try #require(harness.logs.all.first { $0.contains("reload rejected") })
        #expect(line.contains("es/arrest.email"))
        #expect(harness.state.planner.catalog.has(.arrest, .email, for: try LanguageTag("es")))
    }

    @Test func aConfigurationThatDoesNotParseIsRejected() throws {
        let harness = try ReloadHarness()
        try harness.reloader(loading: {
            throw AvisoError(.configuration, title: "Invalid configuration", detail: "/etc/aviso/avisod.conf:12: unknown key 'http.prot'.")
        }).reload()
        #expect(harness.logs.all.contains { $0.contains("reload rejected") && $0.contains("avisod.conf:12") })
        #expect(harness.notes.all.last?.hasPrefix("READY=1") == true)
    }

    @Test func aValidChangeIsAppliedWholeAndRestartOnlyKeysAreNamed() throws {
        let harness = try ReloadHarness()
        try harness.write("KCPD: Arrest in case {{case_number}}. Call {{contact_phone}}. Reply STOP to stop.", to: "en/arrest.sms.mustache")
        var changed = harness.configuration
        changed.departmentPhone = "+1 816 234 5999"
        changed.messageLifetime = 3600
        changed.httpPort = 9999
        let loaded = changed
        try harness.reloader(loading: { loaded }).reload()

        #expect(try harness.arrestSMS() == "KCPD: Arrest in case KC-2025-004512. Call +1 816 234 5999. Reply STOP to stop.")
        #expect(harness.state.messageLifetime == 3600)
        #expect(harness.notes.all.last?.hasPrefix("READY=1\nSTATUS=reloaded") == true)
        #expect(harness.logs.all.contains { $0.hasPrefix("<5>configuration and templates reloaded") })
        #expect(harness.logs.all.contains { $0.hasPrefix("<4>") && $0.contains("keys=http.port") })
        #expect(harness.metrics.exposition().contains(#"aviso_reloads_total{result="applied"} 1"#))
    }
}
