import AvisoCore
import AvisoDaemon
import AvisoGateways
import AvisoStore
import AvisoTesting
import Foundation
import Hummingbird
import Synchronization
import Testing

/// A Twilio-compatible provider on loopback: records each request and answers as scripted.
final class FakeTwilio: Sendable {
    struct Recorded: Sendable {
        var path: String
        var authorization: String?
        var form: [(String, String)]
        var field: [String: String] { Dictionary(form, uniquingKeysWith: { a, _ in a }) }
    }

    let requests = Mutex<[Recorded]>([])
    let answers: Mutex<[(Int, String)]>
    let delay: Duration
    let listFails = Mutex(false)
    /// Requests being answered at once now, and the most there ever were.
    let concurrent = Mutex((now: 0, peak: 0))

    init(answers: [(Int, String)] = [], delay: Duration = .zero) {
        self.answers = Mutex(answers)
        self.delay = delay
    }

    var recorded: [Recorded] { requests.withLock { $0 } }

    /// Runs the fake on a free loopback port for the duration of `body`.
    func run(_ body: @Sendable (_ baseURL: String) async throws -> Void) async throws {
        let router = Router()
        router.post("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            let form = FormEncoding.decode(String(buffer: buffer))
            let count = self.requests.withLock { requests in
                requests.append(Recorded(path: request.uri.path, authorization: request.headers[.authorization], form: form))
                return requests.count
            }
            self.concurrent.withLock {
                $0.now += 1; $0.peak = max($0.peak, $0.now)
            }
            if self.delay > .zero { try await Task.sleep(for: self.delay) }
            self.concurrent.withLock { $0.now -= 1 }
            let answer = self.answers.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            let (status, json) = answer ?? (201, #"{"sid": "SM\#(String(format: "%032d", count))", "status": "queued"}"#)
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
        // The message list, newest first, as Twilio answers `GET …/Messages.json?To=…`.
        router.get("/2010-04-01/Accounts/:sid/Messages.json") { request, _ -> Response in
            if self.listFails.withLock({ $0 }) { return Response(status: .internalServerError) }
            let to = request.uri.queryParameters.get("To")
            let items = self.recorded.enumerated().reversed().filter { $0.element.field["To"] == to }.map { index, recorded in
                [
                    "sid": "SM" + String(format: "%032d", index + 1), "to": recorded.field["To"] ?? "", "body": recorded.field["Body"] ?? "",
                    "status": "delivered",
                ]
            }
            let json = try JSONSerialization.data(withJSONObject: ["messages": items])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        let port = try freeLoopbackPort()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            try await waitForPort(port)
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }
}

func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

func waitForPort(_ port: Int) async throws {
    for _ in 0..<200 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        close(fd)
        if connected { return }
        try await Task.sleep(for: .milliseconds(25))
    }
}

@Suite struct TwilioGatewayTests {
    func gateway(_ base: String, timeout: Int64 = 5) -> TwilioGateway {
        TwilioGateway(
            settings: TwilioSettings(
                baseURL: base, accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "s3cr3t-token", from: "+18165550100",
                messagingServiceSid: nil, statusCallback: "https://aviso.kcpd.example/webhooks/twilio/status", ratePerSecond: 100, timeout: timeout))
    }

    let message = OutboundMessage(
        messageId: 12, channel: .sms, to: "+18165550142", language: "es", subject: nil, body: "KCPD: Su caso avanzó. ¿Preguntas? 100% & más",
        attempt: 1)

    /// The pool holds as many connections as the dispatcher sends at once, not HTTPClient.shared's 8 per host.
    @Test func asManyRequestsAreInFlightAsTheGatewayHasConnections() async throws {
        let fake = FakeTwilio(delay: .milliseconds(400))
        try await fake.run { base in
            let gateway = TwilioGateway(
                settings: TwilioSettings(
                    baseURL: base, accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "s3cr3t-token", from: "+18165550100",
                    messagingServiceSid: nil, statusCallback: nil, ratePerSecond: 100_000, timeout: 30, connections: 24))
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        var copy = message
                        copy.messageId = Int64(100 + index)
                        let outcome = await gateway.send(copy)
                        if case .sent = outcome {} else { Issue.record("message \(index): \(outcome)") }
                    }
                }
            }
        }
        let peak = fake.concurrent.withLock { $0.peak }
        #expect(peak > 8, "only \(peak) requests were in flight at once with 24 connections")
    }

    @Test func sendsTheFormWithBasicAuthAndKeepsTheSid() async throws {
        let fake = FakeTwilio()
        try await fake.run { base in
            let outcome = await gateway(base).send(message)
            #expect(outcome == .sent(providerId: "SM" + String(format: "%032d", 1)))
        }
        let request = try #require(fake.recorded.first)
        #expect(request.path == "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json")
        #expect(request.authorization == "Basic " + Data("AC0123456789abcdef0123456789abcdef:s3cr3t-token".utf8).base64EncodedString())
        #expect(request.field["To"] == "+18165550142")
        #expect(request.field["From"] == "+18165550100")
        #expect(request.field["Body"] == message.body)
        #expect(request.field["StatusCallback"] == "https://aviso.kcpd.example/webhooks/twilio/status")
    }

    /// G1 at the instant of hand-off: the gateway asks once more after its rate-limit wait, right before it writes.
    @Test func aMessageWithdrawnDuringTheRateLimitWaitIsNeverPosted() async throws {
        let fake = FakeTwilio()
        try await fake.run { base in
            let gateway = TwilioGateway(
                settings: TwilioSettings(
                    baseURL: base, accountSid: "AC0123456789abcdef0123456789abcdef", authToken: "s3cr3t-token", from: "+18165550100",
                    messagingServiceSid: nil, statusCallback: nil, ratePerSecond: 0.2, timeout: 60))
            // The first message takes the first slot: its check comes right after it reserved it.
            let reserved = Mutex(false)
            let first = Task {
                await gateway.send(
                    message,
                    mayHandOff: {
                        reserved.withLock { $0 = true }; return true
                    })
            }
            while !reserved.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            // The next message waits five seconds for its turn, however long the first takes; consent is withdrawn while it waits.
            let withdrawn = Mutex(false)
            let asked = Mutex<[Bool]>([])
            let second = Task {
                await gateway.send(
                    message,
                    mayHandOff: {
                        let allowed = !withdrawn.withLock { $0 }
                        asked.withLock { $0.append(allowed) }
                        return allowed
                    })
            }
            try await Task.sleep(for: .milliseconds(150))
            #expect(asked.withLock { $0 }.isEmpty, "the gateway asked before its wait was over")
            withdrawn.withLock { $0 = true }
            #expect(await second.value == .consentWithdrawn)
            #expect(asked.withLock { $0 } == [false])
            #expect(await first.value == .sent(providerId: "SM" + String(format: "%032d", 1)))
        }
        #expect(fake.recorded.count == 1)
    }

    /// After a crash, the provider's own message list says whether a message left in flight was accepted.
    @Test func reconcilingAfterACrashFindsWhatTheProviderAlreadyAccepted() async throws {
        let fake = FakeTwilio()
        try await fake.run { base in
            let gateway = gateway(base)
            #expect(await gateway.send(message) == .sent(providerId: "SM" + String(format: "%032d", 1)))
            #expect(await gateway.reconcile(message) == .alreadySent(providerId: "SM" + String(format: "%032d", 1)))
            var other = message
            other.messageId = 13
            other.body = "KCPD: Audiencia el martes."
            #expect(await gateway.reconcile(other) == .notSent)
            var elsewhere = message
            elsewhere.to = "+18165550199"
            #expect(await gateway.reconcile(elsewhere) == .notSent)
            fake.listFails.withLock { $0 = true }
            #expect(await gateway.reconcile(message) == .unknown, "a provider that cannot answer is not taken as an answer")
        }
        #expect(fake.recorded.count == 1, "reconciling sends nothing")
    }

    @Test func everyOutcomeIsClassified() async throws {
        let answers: [(Int, String)] = [
            (400, #"{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400}"#),
            (400, #"{"code": 21211, "message": "The 'To' number +18165550142 is not a valid phone number.", "status": 400}"#),
            (429, #"{"code": 20429, "message": "Too Many Requests", "status": 429}"#),
            (503, #"{"message": "Service Unavailable"}"#),
            (401, #"{"code": 20003, "message": "Authenticate", "status": 401}"#),
            (400, #"{"code": 21602, "message": "Message body is required.", "status": 400}"#),
        ]
        let fake = FakeTwilio(answers: answers)
        try await fake.run { base in
            let gateway = gateway(base)
            var outcomes: [GatewayOutcome] = []
            for _ in answers { outcomes.append(await gateway.send(message)) }
            guard case .optedOutAtCarrier = outcomes[0] else { Issue.record("21610: \(outcomes[0])"); return }
            guard case .permanent(let invalid) = outcomes[1] else { Issue.record("21211: \(outcomes[1])"); return }
            #expect(invalid.contains("21211") && !invalid.contains("+18165550142"))
            guard case .transient = outcomes[2], case .transient = outcomes[3], case .transient = outcomes[4] else {
                Issue.record("429/503/401 must be retried: \(outcomes[2...4])")
                return
            }
            guard case .permanent = outcomes[5] else { Issue.record("21602: \(outcomes[5])"); return }
        }
    }

    @Test func timeoutsAndRefusedConnectionsAreTransient() async throws {
        let slow = FakeTwilio(delay: .seconds(3))
        try await slow.run { base in
            guard case .transient = await gateway(base, timeout: 1).send(message) else { Issue.record("a timeout must be retried"); return }
        }
        guard case .transient = await gateway("http://127.0.0.1:\(try freeLoopbackPort())").send(message) else {
            Issue.record("a refused connection must be retried")
            return
        }
    }

    @Test func error21610OptsTheContactPointOutAsTheCarriersWord() async throws {
        let fixture = try StoreFixture()
        try fixture.openCase()
        let victim = try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        try fixture.queue(.arrest)
        let fake = FakeTwilio(answers: [(400, #"{"code": 21610, "message": "Attempt to send to unsubscribed recipient"}"#)])
        try await fake.run { base in
            let sms = gateway(base)
            let dispatcher = Dispatcher(
                store: fixture.store, gateways: [.sms: sms], clock: fixture.clock, settings: .init(), logger: .init(label: "test"))
            while try await dispatcher.runOnce() > 0 {}
        }
        #expect(fake.recorded.count == 1)
        let point = try fixture.store.victim(id: victim.id).contactPoints[0]
        #expect(point.consentState == .optedOut)
        #expect(point.consent.last?.method == .carrier)
        let messages = try fixture.allMessages()
        #expect(messages.map(\.state) == [.failed, .suppressed])
    }
}

@Suite struct RateTests {
    @Test func sendsAreSpacedToTheRate() {
        var spacing = SendSpacing(perSecond: 10)
        #expect(spacing.reserve(at: 0) == 0)
        #expect(abs(spacing.reserve(at: 0) - 0.1) < 1e-9)
        #expect(abs(spacing.reserve(at: 0.05) - 0.15) < 1e-9)
        #expect(spacing.reserve(at: 5) == 0)
    }

    @Test func smartEncodingReplacesPunctuationButNeverLetters() {
        let text = "“Hola” — dijo… ‘sí’ á é ñ"
        let replaced = SMSEncoding.smartReplace(text)
        #expect(replaced == "\"Hola\" - dijo... 'sí' á é ñ")
        #expect(SMSEncoding.measure(SMSEncoding.smartReplace("“Quote” – dash… ok")).encoding == .gsm7)
    }

    @Test func freeTextFromProvidersIsRedacted() {
        #expect(Redact.scrub("The 'To' number +1 816-555-0142 is not valid") == "The 'To' number …42 is not valid")
        #expect(Redact.scrub("550 <maria.lopez@example.org>: rejected") == "550 <…@example.org>: rejected")
        #expect(Redact.scrub("error 21211 at 12:30") == "error 21211 at 12:30")
    }
}
