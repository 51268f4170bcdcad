public import Foundation

/// The wall clock, injected so tests can stand at any instant (a DST change,
/// the middle of the night in another time zone).
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until told to move. For tests and previews.
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func set(_ date: Date) { lock.withLock { current = date } }

    public func advance(by seconds: TimeInterval) { lock.withLock { current += seconds } }
}

/// Validates an IANA time zone name.
public func validTimeZone(_ identifier: String) throws(AvisoError) -> TimeZone {
    guard !identifier.isEmpty, identifier.contains("/") || identifier == "UTC", let zone = TimeZone(identifier: identifier) else {
        throw .invalid(nil, "'\(identifier)' is not an IANA time zone. Use a name such as America/Chicago, America/Mexico_City or Africa/Mogadishu.")
    }
    return zone
}
