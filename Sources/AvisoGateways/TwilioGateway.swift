import AsyncHTTPClient
public import AvisoCore
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

public struct TwilioSettings: Sendable {
    /// `https://api.twilio.com`, or a Twilio-compatible provider, or a test server.
    public var baseURL: String
    public var accountSid: String
    /// Read from a credentials file or the environment; never logged.
    public var authToken: String
    /// The sending number (E.164), unless a messaging service sends.
    public var from: String?
    public var messagingServiceSid: String?
    /// Where the provider posts delivery status (`{public_url}/webhooks/twilio/status`).
    public var statusCallback: String?
    /// Messages per second per sender.
    public var ratePerSecond: Double
    public var timeout: Int64
    /// Connections to the provider at most (the dispatcher's concurrency), kept open and reused.
    public var connections: Int

    public init(
        baseURL: String, accountSid: String, authToken: String, from: String?, messagingServiceSid: String?, statusCallback: String?,
        ratePerSecond: Double = 10, timeout: Int64 = 15, connections: Int = 8
    ) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.accountSid = accountSid
        self.authToken = authToken
        self.from = from
        self.messagingServiceSid = messagingServiceSid
        self.statusCallback = statusCallback
        self.ratePerSecond = ratePerSecond
        self.timeout = timeout
        self.connections = max(1, connections)
    }
}

/// SMS through the Twilio Messaging API (or a compatible provider): one form
/// POST per message over pooled connections, spaced to the configured rate.
public final class TwilioGateway: MessageGateway, Sendable {
    public let name = "twilio"
    let settings: TwilioSettings
    let spacing: Mutex<SendSpacing>
    let started = ContinuousClock.now

    /// Twilio errors that mean the number can never receive this message.
    static let unreachableCodes: Set<Int> = [21211, 21214, 21217, 21401, 21407, 21408, 21421, 21612, 21614, 21635, 30003, 30005, 30006]

    /// The HTTP client, whose pool holds `settings.connections` connections to the provider.
    let client: HTTPClient

    public init(settings: TwilioSettings) {
        self.settings = settings
        self.spacing = Mutex(SendSpacing(perSecond: settings.ratePerSecond))
        self.client = Self.client(connections: settings.connections)
    }

    /// One client per pool size for the life of the process, like
    /// `HTTPClient.shared` (whose pool is fixed at 8 connections per host):
    /// never shut down, so a gateway rebuilt on reload reuses its connections.
    static let clients = Mutex<[Int: HTTPClient]>([:])

    static func client(connections: Int) -> HTTPClient {
        clients.withLock { clients in
            if let client = clients[connections] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[connections] = client
            return client
        }
    }

    var endpoint: String { "\(settings.baseURL)/2010-04-01/Accounts/\(settings.accountSid)/Messages.json" }

    /// The form fields of one message, in the order they are sent.
    func form(for message: OutboundMessage) -> [(String, String)] {
        var fields = [("To", message.to)]
        if let service = settings.messagingServiceSid {
            fields.append(("MessagingServiceSid", service))
        } else if let from = settings.from {
            fields.append(("From", from))
        }
        // NFC, as the planner measured it (a message queued by an older version may not be).
        fields.append(("Body", SMSEncoding.normalized(message.body)))
        if let callback = settings.statusCallback { fields.append(("StatusCallback", callback)) }
        return fields
    }

    public func send(_ message: OutboundMessage) async -> GatewayOutcome {
        await send(message, mayHandOff: { true })
    }

    /// Waits for the message's turn under the rate limit, then asks
    /// `mayHandOff` once more right before the request is written (G1).
    public func send(_ message: OutboundMessage, mayHandOff: @Sendable () -> Bool) async -> GatewayOutcome {
        let elapsed = (ContinuousClock.now - started).components
        let now = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let wait = spacing.withLock { $0.reserve(at: now) }
        if wait > 0 { try? await Task.sleep(for: .milliseconds(Int64(wait * 1000))) }
        guard mayHandOff() else { return .consentWithdrawn }

        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        let credentials = Data("\(settings.accountSid):\(settings.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form(for: message))))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(settings.timeout))
            body = try await response.body.collect(upTo: 1024 * 1024)
        } catch {
            return .transient(reason: "could not reach the SMS provider: \(Redact.scrub(String(describing: error)))")
        }
        return Self.classify(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    /// After a crash: asks the provider for the latest messages to the
    /// number and looks for this one's body, so a message the provider
    /// already accepted is recorded, not sent twice. Any doubt (the provider
    /// unreachable, an answer it cannot read) is `unknown`: sent again, as G3 allows.
    public func reconcile(_ message: OutboundMessage) async -> Reconciliation {
        guard message.channel == .sms else { return .unknown }
        let to = FormEncoding.encode([("To", message.to), ("PageSize", "50")])
        var request = HTTPClientRequest(url: endpoint + "?" + to)
        request.method = .GET
        let credentials = Data("\(settings.accountSid):\(settings.authToken)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await client.execute(request, timeout: .seconds(settings.timeout))
            let body = try await response.body.collect(upTo: 4 * 1024 * 1024)
            guard response.status.code == 200 else { return .unknown }
            return Self.match(message, in: Data(body.readableBytesView))
        } catch {
            return .unknown
        }
    }

    struct MessageList: Decodable {
        struct Item: Decodable {
            var sid: String?
            var to: String?
            var body: String?
            var status: String?
        }
        var messages: [Item]
    }

    /// The provider's copy of `message` in a page of its message list, if there is one.
    static func match(_ message: OutboundMessage, in data: Data) -> Reconciliation {
        guard let list = try? JSONDecoder().decode(MessageList.self, from: data) else { return .unknown }
        let body = SMSEncoding.normalized(message.body)
        let found = list.messages.first {
            $0.to == message.to && $0.body.map(SMSEncoding.normalized) == body && $0.status != "failed" && $0.sid?.isEmpty == false
        }
        if let sid = found?.sid { return .alreadySent(providerId: sid) }
        return .notSent
    }

    struct Answer: Decodable {
        var sid: String?
        var code: Int?
        var message: String?
    }

    static func classify(status: Int, body: Data) -> GatewayOutcome {
        let answer = try? JSONDecoder().decode(Answer.self, from: body)
        let said = Redact.scrub(answer?.message ?? "no message")
        switch status {
        case 200..<300:
            guard let sid = answer?.sid, !sid.isEmpty else { return .transient(reason: "the provider accepted the message but returned no sid") }
            return .sent(providerId: sid)
        case 429:
            return .transient(reason: "rate limited by the provider (429): \(said)")
        case 500..<600:
            return .transient(reason: "provider error \(status): \(said)")
        case 401, 403:
            return .transient(reason: "the provider rejected the account credentials (\(status)); check the account SID and auth token")
        default:
            guard let code = answer?.code else { return .permanent(reason: "provider answered \(status): \(said)") }
            if code == 21610 { return .optedOutAtCarrier(reason: "error 21610: the recipient replied STOP to the carrier") }
            if unreachableCodes.contains(code) { return .permanent(reason: "error \(code): the number cannot receive SMS: \(said)") }
            return .permanent(reason: "error \(code): \(said)")
        }
    }
}
