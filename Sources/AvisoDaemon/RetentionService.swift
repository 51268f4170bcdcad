public import AvisoCore
public import AvisoStore
public import Logging
public import ServiceLifecycle

/// Applies the retention policy at start and then every hour.
public struct RetentionService: Service {
    let store: AvisoStore
    let clock: any WallClock
    let days: Int
    let logger: Logger

    public init(store: AvisoStore, clock: any WallClock, days: Int, logger: Logger) {
        self.store = store
        self.clock = clock
        self.days = days
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.loop()
        }
    }

    func loop() async {
        while !Task.isCancelled {
            do {
                let summary = try store.purgeExpired(olderThan: days, now: clock.now())
                if !summary.cases.isEmpty {
                    logger.notice(
                        "retention: purged closed cases",
                        metadata: ["cases": "\(summary.cases.count)", "message_bodies": "\(summary.messageBodies)", "victims": "\(summary.victims)"])
                }
            } catch {
                logger.error("retention pass failed; it runs again within the hour", metadata: ["error": "\(type(of: error))"])
            }
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}
