public import AvisoCore
public import AvisoStore
public import Foundation
import Synchronization

/// What the routes work with: the store, the clock, the current templates and
/// policy (replaced whole on reload), and a way to wake the dispatcher.
public final class ServerState: Sendable {
    public let store: AvisoStore
    public let clock: any WallClock
    private let plannerBox: Mutex<UpdatePlanner>
    /// Called after messages were queued, so the dispatcher looks at once.
    public let wakeDispatcher: @Sendable () -> Void
    /// How long an undelivered message stays useful.
    public let messageLifetime: TimeInterval

    public init(
        store: AvisoStore, clock: any WallClock, planner: UpdatePlanner, messageLifetime: TimeInterval = 3 * 86400,
        wakeDispatcher: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.clock = clock
        self.plannerBox = Mutex(planner)
        self.messageLifetime = messageLifetime
        self.wakeDispatcher = wakeDispatcher
    }

    /// The planner in force now.
    public var planner: UpdatePlanner { plannerBox.withLock { $0 } }

    /// Replaces templates and policy at once (on reload).
    public func replacePlanner(_ planner: UpdatePlanner) { plannerBox.withLock { $0 = planner } }
}
