public import AvisoCore
import CCurl
import Dispatch
import Foundation

/// How the SMTP connection is secured. There is no plain-text mode.
public enum SMTPSecurity: String, Sendable, CaseIterable {
    /// Connect in plain text, then STARTTLS, required: a server that does not
    /// offer it makes the send fail rather than fall back to plain text.
    case starttls
    /// TLS from the first byte (port 465, `smtps://`).
    case implicitTLS = "implicit"
}

public struct SMTPSettings: Sendable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    public var username: String?
    /// Read from a credentials file or the environment; never logged.
    public var password: String?
    /// A CA bundle to trust instead of the system's (certificate verification is always on).
    public var caFile: String?
    public var connectTimeout: Int
    public var timeout: Int
    /// Connections open at once.
    public var connections: Int

    public init(
        host: String, port: Int, security: SMTPSecurity, username: String? = nil, password: String? = nil, caFile: String? = nil,
        connectTimeout: Int = 10, timeout: Int = 60, connections: Int = 4
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.connections = connections
    }

    var url: String { "\(security == .implicitTLS ? "smtps" : "smtp")://\(host):\(port)" }
}

/// Email over SMTP through libcurl. Each message is one SMTP transaction on a
/// worker thread (libcurl's easy interface blocks), at most
/// `settings.connections` at once.
public final class SMTPGateway: MessageGateway, Sendable {
    public let name = "smtp"
    let settings: SMTPSettings
    let composer: EmailComposer
    let unsubscribe: UnsubscribeLinks?
    let workers: DispatchQueue
    let slots: DispatchSemaphore

    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(settings: SMTPSettings, composer: EmailComposer, unsubscribe: UnsubscribeLinks?) {
        _ = Self.globalInit
        self.settings = settings
        self.composer = composer
        self.unsubscribe = unsubscribe
        self.workers = DispatchQueue(label: "aviso.smtp", attributes: .concurrent)
        self.slots = DispatchSemaphore(value: max(1, settings.connections))
    }

    public func send(_ message: OutboundMessage) async -> GatewayOutcome {
        let date = Date()
        let messageID = composer.messageID(for: message.messageId, date: date)
        let text = composer.compose(
            messageId: message.messageId, to: message.to, subject: message.subject ?? "", body: message.body, date: date, language: message.language,
            extraHeaders: unsubscribe?.headers(token: message.unsubscribeToken) ?? [],
            footer: unsubscribe?.footer(token: message.unsubscribeToken, language: message.language), discreet: message.discreet)
        return await withCheckedContinuation { continuation in
            workers.async {
                self.slots.wait()
                defer { self.slots.signal() }
                continuation.resume(returning: self.transfer(to: message.to, data: Array(text.utf8), messageID: messageID))
            }
        }
    }

    /// One SMTP transaction, classified: 2xx → sent; 4xx, connection and TLS
    /// failures → transient; 5xx → permanent with the server's words.
    func transfer(to recipient: String, data: [UInt8], messageID: String) -> GatewayOutcome {
        guard let curl = curl_easy_init() else { return .transient(reason: "libcurl could not start a transfer") }
        defer { curl_easy_cleanup(curl) }
        let source = Transfer(data: data)
        let context = Unmanaged.passRetained(source)
        defer { context.release() }
        let recipients: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }

        aviso_curl_setopt_string(curl, CURLOPT_URL, settings.url)
        aviso_curl_setopt_long(curl, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue))
        aviso_curl_setopt_long(curl, CURLOPT_SSL_VERIFYPEER, 1)
        aviso_curl_setopt_long(curl, CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = settings.caFile { aviso_curl_setopt_string(curl, CURLOPT_CAINFO, caFile) }
        if let username = settings.username { aviso_curl_setopt_string(curl, CURLOPT_USERNAME, username) }
        if let password = settings.password { aviso_curl_setopt_string(curl, CURLOPT_PASSWORD, password) }
        aviso_curl_setopt_string(curl, CURLOPT_MAIL_FROM, "<\(composer.fromAddress)>")
        aviso_curl_setopt_slist(curl, CURLOPT_MAIL_RCPT, recipients)
        aviso_curl_setopt_long(curl, CURLOPT_UPLOAD, 1)
        aviso_curl_setopt_long(curl, CURLOPT_INFILESIZE, data.count)
        aviso_curl_setopt_io_callback(curl, CURLOPT_READFUNCTION) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            return Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }
        aviso_curl_setopt_pointer(curl, CURLOPT_READDATA, context.toOpaque())
        aviso_curl_setopt_debug_callback(curl) { _, type, data, size, userdata in
            guard type == CURLINFO_HEADER_IN, let data, let userdata else { return 0 }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
            Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().serverSaid(line)
            return 0
        }
        aviso_curl_setopt_pointer(curl, CURLOPT_DEBUGDATA, context.toOpaque())
        aviso_curl_setopt_long(curl, CURLOPT_VERBOSE, 1)
        aviso_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout)
        aviso_curl_setopt_long(curl, CURLOPT_TIMEOUT, settings.timeout)
        aviso_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code = errorBuffer.withUnsafeMutableBufferPointer { buffer -> CURLcode in
            aviso_curl_setopt_pointer(curl, CURLOPT_ERRORBUFFER, buffer.baseAddress)
            return curl_easy_perform(curl)
        }
        var reply = 0
        aviso_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &reply)
        let curlText = String(cString: errorBuffer.withUnsafeBufferPointer { $0.baseAddress! })
        return Self.classify(
            code: code, reply: reply, serverText: source.lastReply, curlText: curlText.isEmpty ? String(cString: curl_easy_strerror(code)) : curlText,
            messageID: messageID)
    }

    static func classify(code: CURLcode, reply: Int, serverText: String?, curlText: String, messageID: String) -> GatewayOutcome {
        if code == CURLE_OK { return .sent(providerId: messageID) }
        let said = Redact.scrub(serverText.map { "server said: \($0)" } ?? curlText)
        // A rejected login is the configuration's fault, not the message's: keep it for a retry.
        if code == CURLE_LOGIN_DENIED || [530, 534, 535].contains(reply) {
            return .transient(reason: "the SMTP server rejected the username or password (\(said))")
        }
        switch reply {
        case 500..<600: return .permanent(reason: "SMTP \(reply): \(said)")
        case 400..<500: return .transient(reason: "SMTP \(reply): \(said)")
        default: break
        }
        if code == CURLE_USE_SSL_FAILED {
            return .transient(reason: "the SMTP server does not offer STARTTLS; Aviso never sends email in plain text (\(curlText))")
        }
        return .transient(reason: "SMTP transfer failed: \(curlText)")
    }
}

/// The bytes of one message being uploaded, and what the server replied.
final class Transfer: @unchecked Sendable {
    let data: [UInt8]
    var offset = 0
    var lastReply: String?

    init(data: [UInt8]) { self.data = data }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, data.count - offset)
        guard count > 0 else { return 0 }
        data.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    func serverSaid(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if let first = trimmed.first, first == "4" || first == "5" { lastReply = trimmed }
    }
}

/// The unsubscribe headers of every email (RFC 2369, RFC 8058 one-click).
public struct UnsubscribeLinks: Sendable {
    /// The public base URL of avisod's listener (`https://aviso.kcpd.example`,
    /// or `https://kcpd.example/aviso` behind a proxy with a path prefix).
    public var publicURL: String
    /// An address that unsubscribes by mail (`unsubscribe@kcpd.example`).
    public var mailto: String?
    /// The sentence before the visible link, in a language (`es` →
    /// "Para dejar de recibir estos correos, abra este enlace:"): the
    /// `unsubscribe.link` term of the templates in force.
    public var label: @Sendable (_ language: String) -> String

    public static let englishLabel = "To stop these emails, open this link:"

    public init(publicURL: String, mailto: String?, label: @escaping @Sendable (_ language: String) -> String = { _ in englishLabel }) {
        var url = publicURL
        while url.hasSuffix("/") { url.removeLast() }
        self.publicURL = url
        self.mailto = mailto
        self.label = label
    }

    public func url(token: String) -> String { "\(publicURL)/unsubscribe/\(token)" }

    public func headers(token: String?) -> [(String, String)] {
        guard let token else { return [] }
        var links = ["<\(url(token: token))>"]
        if let mailto { links.append("<mailto:\(mailto)?subject=unsubscribe%20\(token)>") }
        return [("List-Unsubscribe", links.joined(separator: ", ")), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    }

    /// The visible link for the body, the same URL as `headers(token:)`.
    public func footer(token: String?, language: String) -> UnsubscribeFooter? {
        token.map { UnsubscribeFooter(label: label(language), url: url(token: $0)) }
    }
}
