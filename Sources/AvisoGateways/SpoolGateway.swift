public import AvisoCore
public import Foundation
import Glibc

/// The embedded default gateway: writes each message as a file, so the daemon
/// runs with no credentials and no network. SMS go to `sms/<id>.json`, email
/// to `email/<id>.eml` (a complete RFC 5322 message).
///
/// Each file is written to a temporary name, flushed to disk and renamed, so
/// a reader never sees half a message; a message handed off again after a
/// crash replaces its own file, so the spool holds each message once.
public struct SpoolGateway: MessageGateway {
    public let name = "spool"
    public let directory: URL
    public let composer: EmailComposer
    public let smsFrom: String
    public let unsubscribe: UnsubscribeLinks?

    public init(directory: URL, composer: EmailComposer, smsFrom: String, unsubscribe: UnsubscribeLinks? = nil) throws {
        self.directory = directory
        self.composer = composer
        self.smsFrom = smsFrom
        self.unsubscribe = unsubscribe
        for sub in ["sms", "email"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
    }

    struct SMSFile: Encodable {
        var messageId: Int64
        var from: String
        var to: String
        var language: String
        var body: String
        var encoding: String
        var segments: Int
        var attempt: Int
        var spooledAt: String

        enum CodingKeys: String, CodingKey {
            case from, to, language, body, encoding, segments, attempt
            case messageId = "message_id"
            case spooledAt = "spooled_at"
        }
    }

    public func send(_ message: OutboundMessage) async -> GatewayOutcome {
        let now = Date()
        let contents: Data
        let file: URL
        switch message.channel {
        case .sms:
            let body = SMSEncoding.normalized(message.body)
            let measure = SMSEncoding.measure(body)
            let record = SMSFile(
                messageId: message.messageId, from: smsFrom, to: message.to, language: message.language, body: body,
                encoding: measure.encoding.rawValue, segments: measure.segments, attempt: message.attempt,
                spooledAt: ISO8601DateFormatter().string(from: now))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(record) else { return .permanent(reason: "the SMS could not be encoded as JSON") }
            contents = data
            file = self.file(for: message)
        case .email:
            let text = composer.compose(
                messageId: message.messageId, to: message.to, subject: message.subject ?? "", body: message.body, date: now,
                language: message.language,
                extraHeaders: unsubscribe?.headers(token: message.unsubscribeToken) ?? [],
                footer: unsubscribe?.footer(token: message.unsubscribeToken, language: message.language), discreet: message.discreet)
            contents = Data(text.utf8)
            file = self.file(for: message)
        }
        do {
            try Self.writeDurably(contents, to: file)
            return .sent(providerId: "spool-\(message.messageId)")
        } catch {
            return .transient(reason: "spool write failed: \(error)")
        }
    }

    /// The spool's file for a message: the rename that publishes it is atomic
    /// and made durable, so the file's presence is the truth.
    func file(for message: OutboundMessage) -> URL {
        directory.appendingPathComponent(message.channel == .sms ? "sms/\(message.messageId).json" : "email/\(message.messageId).eml")
    }

    public func reconcile(_ message: OutboundMessage) async -> Reconciliation {
        FileManager.default.fileExists(atPath: file(for: message).path) ? .alreadySent(providerId: "spool-\(message.messageId)") : .notSent
    }

    /// Write to a temporary file, fsync, rename over the target, fsync the directory.
    static func writeDurably(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SpoolError(operation: "open", path: temporary.path, code: errno) }
        var ok = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
        let writeErrno = errno
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok else { throw SpoolError(operation: "write", path: temporary.path, code: writeErrno) }
        guard rename(temporary.path, url.path) == 0 else { throw SpoolError(operation: "rename", path: url.path, code: errno) }
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }
}

struct SpoolError: Error, CustomStringConvertible {
    var operation: String
    var path: String
    var code: Int32
    var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}
