import AvisoStore
import Synchronization

/// One claimed batch on its way to the gateways: which hand-offs started,
/// which finished with what outcome.
///
/// It exists so that shutdown is bounded even when a gateway does not
/// return: the dispatcher stops waiting after the grace period, `seal()`s the
/// batch, records what finished and puts the rest back in the queue. An
/// outcome that arrives after the seal is dropped, because its message is
/// already due again.
final class HandOffBatch: Sendable {
    struct State {
        var results: [HandOffResult?]
        var started: [Bool]
        var sealed = false
    }

    let messages: [ClaimedMessage]
    let state: Mutex<State>
    /// Opens when every started hand-off has finished.
    let finished = Latch()

    init(_ messages: [ClaimedMessage]) {
        self.messages = messages
        state = Mutex(State(results: Array(repeating: nil, count: messages.count), started: Array(repeating: false, count: messages.count)))
    }

    /// Marks a hand-off as started; false when the batch is sealed and it must not start.
    func start(_ index: Int) -> Bool {
        state.withLock { state in
            guard !state.sealed else { return false }
            state.started[index] = true
            return true
        }
    }

    func record(_ index: Int, _ result: HandOffResult) {
        state.withLock { state in
            guard !state.sealed else { return }
            state.results[index] = result
        }
    }

    /// Stops taking outcomes; returns those that arrived and the messages
    /// without one, with whether their hand-off had started.
    func seal() -> (finished: [HandOffResult], unfinished: [(message: ClaimedMessage, started: Bool)]) {
        state.withLock { state in
            state.sealed = true
            var finished: [HandOffResult] = []
            var unfinished: [(message: ClaimedMessage, started: Bool)] = []
            for index in messages.indices {
                if let result = state.results[index] {
                    finished.append(result)
                } else {
                    unfinished.append((messages[index], state.started[index]))
                }
            }
            return (finished, unfinished)
        }
    }
}
