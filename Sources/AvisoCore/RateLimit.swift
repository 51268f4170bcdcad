/// Spaces hand-offs so a sender never exceeds its rate: each reservation
/// takes the next free slot, `1/rate` seconds after the one before.
///
/// ```swift
/// var spacing = SendSpacing(perSecond: 10)
/// spacing.reserve(at: 0)   // 0: send now
/// spacing.reserve(at: 0)   // 0.1: wait a tenth of a second
/// ```
public struct SendSpacing: Sendable {
    public let interval: Double
    var nextSlot: Double = -.infinity

    public init(perSecond rate: Double) {
        interval = rate > 0 ? 1 / rate : 0
    }

    /// Reserves the next slot at or after `now` (seconds on a monotonic
    /// clock); returns how long to wait before sending.
    public mutating func reserve(at now: Double) -> Double {
        let slot = max(now, nextSlot)
        nextSlot = slot + interval
        return slot - now
    }
}
