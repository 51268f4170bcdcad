public import AvisoCore
import Dispatch
import Synchronization

/// A gateway that takes `delay` to accept each message and, like a client
/// library blocked in a system call, ignores task cancellation meanwhile.
/// For testing that shutdown stays bounded whatever a gateway does.
public final class StallingGateway: MessageGateway, Sendable {
    public let name = "stalling"
    let delay: Duration
    private let state = Mutex<(started: Int, finished: Int)>((0, 0))

    public init(delay: Duration) { self.delay = delay }

    public func send(_ message: OutboundMessage) async -> GatewayOutcome {
        state.withLock { $0.started += 1 }
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { continuation.resume() }
        }
        state.withLock { $0.finished += 1 }
        return .sent(providerId: "stalled-\(message.messageId)")
    }

    /// Hand-offs begun so far.
    public var started: Int { state.withLock { $0.started } }
    /// Hand-offs that returned so far.
    public var finished: Int { state.withLock { $0.finished } }
}
