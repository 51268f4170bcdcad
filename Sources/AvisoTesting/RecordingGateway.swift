public import AvisoCore
import Synchronization

/// A gateway double: records every hand-off and answers with a scripted
/// outcome (accepted by default), as the real gateways answer.
public final class RecordingGateway: MessageGateway, Sendable {
    public let name: String
    private let state: Mutex<(sent: [OutboundMessage], script: [GatewayOutcome])>
    private let decide: @Sendable (OutboundMessage) -> GatewayOutcome?

    /// `script` answers the first hand-offs in order; after it runs out,
    /// `decide` (or acceptance) answers.
    public init(
        name: String = "recording", script: [GatewayOutcome] = [], decide: @escaping @Sendable (OutboundMessage) -> GatewayOutcome? = { _ in nil }
    ) {
        self.name = name
        self.state = Mutex(([], script))
        self.decide = decide
    }

    public func send(_ message: OutboundMessage) async -> GatewayOutcome {
        let scripted = state.withLock { state -> GatewayOutcome? in
            state.sent.append(message)
            return state.script.isEmpty ? nil : state.script.removeFirst()
        }
        return scripted ?? decide(message) ?? .sent(providerId: "rec-\(message.messageId)-\(message.attempt)")
    }

    /// Every message handed off so far, in order.
    public var sent: [OutboundMessage] { state.withLock { $0.sent } }
}
