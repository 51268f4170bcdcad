import AvisoCore
import AvisoMetrics
import AvisoStore
import Foundation
import Hummingbird
import Logging

/// A victim's SMS, after its signature was checked.
enum InboundHandling {
    static func handle(_ parameters: [(String, String)], state: ServerState, metrics: AvisoMetrics, logger: Logger) throws -> Response {
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
        if !result.duplicate {
            // A sender Aviso does not know has no language: "und", BCP 47's undetermined.
            let language = result.language ?? "und"
            metrics.recordInbound(language: language, intent: result.intent.map(InboundIntent.init) ?? .freeText)
            if result.optedOut { metrics.recordOptOut(language: language, method: ConsentMethod.keyword.rawValue) }
        }
        if result.reply != nil { state.wakeDispatcher() }
        // Replies go through the outbox like every message, so TwiML stays empty.
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>")))
    }
}

extension InboundIntent {
    init(_ intent: ReplyIntent) {
        switch intent {
        case .optOut: self = .optOut
        case .optIn: self = .optIn
        case .help: self = .help
        case .language: self = .language
        }
    }
}
