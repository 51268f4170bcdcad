import AvisoCore
import AvisoDaemon
import AvisoServer
import AvisoStore
import AvisoTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

extension TestClientProtocol {
    /// Posts a form to a webhook, signed by the twilio package (or not, or wrongly).
    func webhook(
        _ path: String, _ parameters: [(String, String)], signature: String?
    ) async throws -> (status: HTTPResponse.Status, body: String) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let signature { headers[HTTPField.Name("X-Twilio-Signature")!] = signature }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: FormEncoding.encode(parameters))) { response in
            (response.status, String(buffer: response.body))
        }
    }

    func signed(_ path: String, _ parameters: [(String, String)]) async throws -> (status: HTTPResponse.Status, body: String) {
        let signature = try twilioSignature(authToken: APIHarness.authToken, url: APIHarness.publicURL + path, parameters: parameters)
        return try await webhook(path, parameters, signature: signature)
    }
}

/// Sends every due message through a recording gateway, as the dispatcher would.
func dispatchAll(_ fixture: StoreFixture, gateway: RecordingGateway = RecordingGateway()) async throws -> RecordingGateway {
    let dispatcher = Dispatcher(
        store: fixture.store, gateways: [.sms: gateway, .email: gateway], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
    while try await dispatcher.runOnce() > 0 {}
    return gateway
}

@Suite struct WebhookSignatureTests {
    @Test func G9_onlyWebhooksSignedForThisURLAreAccepted() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        _ = try await dispatchAll(harness.fixture)
        let sid = "rec-1-1"
        let status = [("MessageSid", sid), ("MessageStatus", "delivered"), ("AccountSid", "AC123"), ("To", "+18165550142")]
        try await harness.run { client in
            let unsigned = try await client.webhook("/webhooks/twilio/status", status, signature: nil)
            #expect(unsigned.status == .forbidden)
            let forged = try twilioSignature(authToken: "not-the-token", url: APIHarness.publicURL + "/webhooks/twilio/status", parameters: status)
            #expect(try await client.webhook("/webhooks/twilio/status", status, signature: forged).status == .forbidden)
            let retargeted = try twilioSignature(
                authToken: APIHarness.authToken, url: APIHarness.publicURL + "/webhooks/twilio/inbound", parameters: status)
            #expect(try await client.webhook("/webhooks/twilio/status", status, signature: retargeted).status == .forbidden)
            var tampered = status
            tampered[1] = ("MessageStatus", "failed")
            let original = try twilioSignature(
                authToken: APIHarness.authToken, url: APIHarness.publicURL + "/webhooks/twilio/status", parameters: status)
            #expect(try await client.webhook("/webhooks/twilio/status", tampered, signature: original).status == .forbidden)
            #expect(try harness.fixture.allMessages().first?.state == .sent)
            #expect(try await client.signed("/webhooks/twilio/status", status).status == .noContent)
            #expect(try harness.fixture.allMessages().first?.state == .delivered)
            let inbound = [("MessageSid", "SMin1"), ("From", "+18165550142"), ("To", "+18165550100"), ("Body", "Gracias")]
            let forgedInbound = try twilioSignature(authToken: "x", url: APIHarness.publicURL + "/webhooks/twilio/inbound", parameters: inbound)
            #expect(try await client.webhook("/webhooks/twilio/inbound", inbound, signature: forgedInbound).status == .forbidden)
            #expect(
                try harness.fixture.store.inbox(for: harness.fixture.captain, caseNumber: nil, includeHandled: true, includeKeywords: true, limit: 10)
                    .isEmpty)
            let accepted = try await client.signed("/webhooks/twilio/inbound", inbound)
            #expect(accepted.status == .ok && accepted.body.contains("<Response></Response>"))
        }
    }

    @Test func withoutAnAuthTokenEveryWebhookIsRefused() async throws {
        let fixture = try StoreFixture()
        let state = ServerState(store: fixture.store, clock: fixture.clock, planner: fixture.planner)
        let app = Application(router: AvisoRoutes.router(state: state, readiness: { [] }))
        try await app.test(.router) { client in
            let signature = try twilioSignature(authToken: "", url: "http://127.0.0.1:8750/webhooks/twilio/status", parameters: [("MessageSid", "x")])
            #expect(try await client.webhook("/webhooks/twilio/status", [("MessageSid", "x")], signature: signature).status == .forbidden)
        }
    }
}

@Suite struct DeliveryStatusTests {
    @Test func callbacksTwiceAndOutOfOrderNeverMoveAMessageBackwards() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        try harness.fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try harness.fixture.addVictim("Robert Hill", language: "en", phone: "+18165550177")
        _ = try await dispatchAll(harness.fixture)
        let messages = try harness.fixture.allMessages()
        let first = try #require(messages.first?.providerId)
        let second = try #require(messages.last?.providerId)
        try await harness.run { client in
            for status in ["delivered", "delivered", "sent", "undelivered"] {
                let answer = try await client.signed("/webhooks/twilio/status", [("MessageSid", first), ("MessageStatus", status)])
                #expect(answer.status == .noContent)
            }
            for (status, code) in [("undelivered", "30005"), ("sent", ""), ("delivered", "")] {
                var fields = [("MessageSid", second), ("MessageStatus", status)]
                if !code.isEmpty { fields.append(("ErrorCode", code)) }
                let answer = try await client.signed("/webhooks/twilio/status", fields)
                #expect(answer.status == .noContent)
            }
        }
        let after = try harness.fixture.allMessages()
        #expect(after.first?.state == .delivered)
        #expect(after.last?.state == .undelivered && after.last?.lastError == "provider error 30005")
        let log = try harness.fixture.store.contactLog(messageId: after.first!.id!)
        #expect(log.filter { $0.kind == "delivered" }.count == 1)
        #expect(!log.contains { $0.kind == "undelivered" })
        #expect(try harness.fixture.store.verifyAuditChains().isEmpty)
    }

    @Test func aReportThatArrivesBeforeTheSendIsRecordedIsAppliedWhenItIs() throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let claimed = try fixture.store.claimDue(limit: 10, now: fixture.clock.now())
        #expect(
            try fixture.store.recordDeliveryReport(providerId: "SMearly", status: "delivered", errorCode: nil, now: fixture.clock.now())
                == .unknownMessage)
        _ = try fixture.store.complete(
            [HandOffResult(message: claimed[0], outcome: .sent(providerId: "SMearly"), gateway: "twilio")], now: fixture.clock.now(),
            retry: RetryPolicy())
        #expect(try fixture.allMessages().first?.state == .delivered)
    }
}

@Suite struct UnsubscribeTests {
    @Test func theLinkShowsAPageInTheVictimsLanguageAndOneClickOptsOut() async throws {
        let harness = try APIHarness()
        try harness.fixture.openCase()
        let victim = try harness.fixture.addVictim("Luis Gómez", language: "es-MX", email: "luis@example.org")
        let point = victim.contactPoints[0]
        let token = try #require(try harness.fixture.store.unsubscribeToken(contactPointId: point.id))
        let gateway = try await dispatchAll(harness.fixture)
        #expect(gateway.sent.first?.unsubscribeToken == token)
        try await harness.run { client in
            let page = try await client.call(.get, "/unsubscribe/\(token)", as: nil)
            #expect(page.status == .ok && page.contentType == "text/html; charset=utf-8")
            #expect(page.body.contains("lang=\"es-MX\"") && page.body.contains("No enviarme más correos") && page.body.contains("method=\"post\""))
            #expect(try harness.fixture.store.victim(id: victim.id).contactPoints[0].consentState == .optedIn)
            let unknown = String(repeating: "0", count: 64)
            #expect(try await client.call(.get, "/unsubscribe/\(unknown)", as: nil).status == .notFound)
            #expect(try await client.call(.post, "/unsubscribe/\(unknown)", as: nil, json: "List-Unsubscribe=One-Click").status == .notFound)
            #expect(try await client.call(.post, "/unsubscribe/not-a-token", as: nil, json: "List-Unsubscribe=One-Click").status == .notFound)
            #expect(try harness.fixture.store.victim(id: victim.id).contactPoints[0].consentState == .optedIn)
            let done = try await client.call(.post, "/unsubscribe/\(token)", as: nil, json: "List-Unsubscribe=One-Click")
            #expect(done.status == .ok && done.body.contains("Listo"))
            #expect(try await client.call(.post, "/unsubscribe/\(token)", as: nil, json: "List-Unsubscribe=One-Click").status == .ok)
        }
        let after = try harness.fixture.store.victim(id: victim.id).contactPoints[0]
        #expect(after.consentState == .optedOut)
        #expect(after.consent.count == 2)
        #expect(after.consent.last?.method == .link && after.consent.last?.actor == "victim")
        // The only address is opted out: there is no one to tell, and the captain is told so.
        #expect(throws: AvisoError.self) { try harness.fixture.queue(.arrest) }
        #expect(try await dispatchAll(harness.fixture).sent.isEmpty)
    }
}
