import AvisoCore
import AvisoStore
import Foundation
import Hummingbird
import Logging

/// A victim's SMS, after its signature was checked.
enum InboundHandling {
    static func handle(_ parameters: [(String, String)], state: ServerState, logger: Logger) throws -> Response {
        let fields = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
        guard let from = fields["From"], let body = fields["Body"] else {
            throw AvisoError.invalid(nil, "An inbound message carries From and Body.")
        }
        let result = try state.store.receiveInbound(
            providerId: fields["MessageSid"] ?? fields["SmsSid"], from: from, body: body, planner: state.planner, now: state.clock.now())
        logger.info(
            "inbound message",
            metadata: [
                "inbound": "\(result.inboundId)", "from": "\(Redact.phone(from))", "known": "\(result.known)",
                "intent": "\(result.intent.map { "\($0)" } ?? "free text")", "reply": "\(result.reply?.rawValue ?? "none")",
                "duplicate": "\(result.duplicate)",
            ])
        if result.reply != nil { state.wakeDispatcher() }
        // Replies go through the outbox like every message, so TwiML stays empty.
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>")))
    }
}
