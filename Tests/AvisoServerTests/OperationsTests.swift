import AvisoCore
import AvisoDaemon
import AvisoMetrics
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct OperationsTests {
    /// A case with two Spanish-speaking victims and one English-speaking one, welcomes and an arrest sent.
    func sentCase(_ harness: APIHarness) async throws {
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try harness.fixture.addVictim("Luis Gómez", language: "es", phone: "+18165550143", email: "luis@example.org")
        try harness.fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        try harness.fixture.queue(.arrest)
        let dispatcher = Dispatcher(
            store: harness.fixture.store, gateways: [.sms: RecordingGateway(name: "spool"), .email: RecordingGateway(name: "spool")],
            clock: harness.fixture.clock, settings: .init(), logger: .init(label: "test"))
        while try await dispatcher.runOnce() > 0 {}
    }

    func run(_ harness: APIHarness, _ operations: Operations, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: AvisoRoutes.router(state: harness.state, operations: operations))
        try await app.test(.router, body)
    }

    @Test func metricsAreInThePrometheusTextFormatWithoutPersonalData() async throws {
        let harness = try APIHarness()
        try await sentCase(harness)
        try harness.fixture.queue(.courtDate, UpdateFields(startsAt: "2026-07-01T09:00", place: "Jackson County Courthouse"))
        let metrics = AvisoMetrics()
        metrics.registerLanguages(["en", "es"], optOutMethods: ConsentMethod.allCases.map(\.rawValue))
        metrics.recordHandOff(gateway: "spool", outcome: .sent, duration: .milliseconds(3))
        try await run(harness, Operations(metrics: metrics)) { client in
            _ = try await client.call(.get, "/v1/cases/KC-2025-004512", as: harness.tokens[.captain])
            _ = try await client.call(.get, "/no/such/path", as: nil)
            let response = try await client.call(.get, "/metrics", as: nil)
            #expect(response.status == .ok)
            #expect(response.contentType?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.body
            #expect(text.contains(#"aviso_messages{state="sent",channel="sms",language="es"} 4.0"#))
            #expect(text.contains(#"aviso_messages{state="sent",channel="email",language="en"} 2.0"#))
            // The court date goes out now to each of the 4 contact points; its 8 reminders wait for their day.
            #expect(text.contains(#"aviso_messages{state="queued",channel="sms",language="es"} 6.0"#))
            #expect(text.contains("aviso_due_messages 4.0"))
            #expect(text.contains("aviso_oldest_due_message_age_seconds 0.0"))
            #expect(text.contains(#"aviso_gateway_handoff_duration_seconds_bucket{gateway="spool",le="0.005"} 1"#))
            #expect(text.contains(#"aviso_gateway_handoffs_total{gateway="spool",outcome="sent"} 1"#))
            #expect(text.contains(#"aviso_inbound_messages_total{language="es",intent="free_text"} 0"#))
            #expect(text.contains(#"aviso_opt_outs_total{language="en",method="link"} 0"#))
            #expect(text.contains(#"aviso_http_requests_total{route="/v1/cases/{number}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"aviso_http_requests_total{route="NotFound",method="GET",status="404"} 1"#))
            #expect(!text.contains("KC-2025-004512") && !text.contains("555") && !text.contains("example.org"))
        }
    }

    @Test func aStateThatEmptiesIsReportedAsZero() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try await run(harness, Operations()) { client in
            #expect(
                try await client.call(.get, "/metrics", as: nil).body.contains(#"aviso_messages{state="queued",channel="sms",language="es"} 1.0"#))
            try await RecordingGateway().dispatchAll(harness.fixture)
            let text = try await client.call(.get, "/metrics", as: nil).body
            #expect(text.contains(#"aviso_messages{state="queued",channel="sms",language="es"} 0.0"#))
            #expect(text.contains(#"aviso_messages{state="sent",channel="sms",language="es"} 1.0"#))
        }
    }

    @Test func anOptOutByStaffIsCountedByLanguage() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let jose = try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let metrics = AvisoMetrics()
        try await run(harness, Operations(metrics: metrics)) { client in
            let optOut = #"{"state": "opted_out", "method": "verbal", "wording_version": "2026-01"}"#
            let answer = try await client.call(
                .post, "/v1/contact-points/\(jose.contactPoints[0].id)/consent", as: harness.tokens[.captain], json: optOut)
            #expect(answer.status == .created)
        }
        #expect(metrics.exposition().contains(#"aviso_opt_outs_total{language="es",method="verbal"} 1"#))
    }

    @Test func statusShowsQueueFailuresAndEachGatewaysLastSendToAnyRole() async throws {
        let harness = try APIHarness()
        try await sentCase(harness)
        let heartbeat = harness.fixture.clock.now()
        let operations = Operations(readiness: { [] }, dispatcherHeartbeat: { heartbeat })
        try await run(harness, operations) { client in
            #expect(try await client.call(.get, "/v1/status", as: nil).status == .unauthorized)
            for role in StaffRole.allCases {
                #expect(try await client.call(.get, "/v1/status", as: harness.tokens[role]).status == .ok)
            }
            let response = try await client.call(.get, "/v1/status", as: harness.tokens[.admin])
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let status = try decoder.decode(StatusView.self, from: Data(response.body.utf8))
            #expect(status.status == "ready")
            #expect(status.languages == ["ar", "bs", "en", "es", "my", "so", "sw", "vi"])
            #expect(status.queue == QueueStatus(due: 0, oldestDueAt: nil, scheduled: 0, sending: 0))
            #expect(status.lastHour.failed == 0)
            #expect(status.gateways.map(\.gateway) == ["spool"])
            #expect(status.gateways.first?.lastSentAt != nil)
            #expect(status.dispatcherHeartbeat != nil)
        }
    }

    @Test func statusCountsFailuresOfTheLastHourAndTheGatewaysLastError() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("Robert Hill", language: "en", email: "robert@example.org")
        try await RecordingGateway(name: "smtp", script: [.permanent(reason: "550 mailbox unavailable")]).dispatchAll(harness.fixture)
        try await run(harness, Operations()) { client in
            let body = try await client.call(.get, "/v1/status", as: harness.tokens[.captain]).body
            #expect(body.contains(#""last_hour":{"failed":1}"#))
            #expect(body.contains(#""gateway":"smtp","last_error":"550 mailbox unavailable","last_failure_at""#))
            #expect(!body.contains("last_sent_at"))
            harness.fixture.clock.advance(by: 3601)
            #expect(try await client.call(.get, "/v1/status", as: harness.tokens[.captain]).body.contains(#""last_hour":{"failed":0}"#))
        }
    }
}

extension RecordingGateway {
    /// Dispatches everything due through this gateway.
    func dispatchAll(_ fixture: StoreFixture) async throws {
        let dispatcher = Dispatcher(
            store: fixture.store, gateways: [.sms: self, .email: self], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
        while try await dispatcher.runOnce() > 0 {}
    }
}
