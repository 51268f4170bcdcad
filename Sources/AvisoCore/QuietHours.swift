public import Foundation

/// The victim-local daytime window in which routine messages may go out (G7).
/// Outside it, a routine message waits for the window to open; urgent events
/// go at once.
///
/// ```swift
/// let window = try DaytimeWindow(start: "08:00", end: "21:00")
/// window.earliestSend(at: tenPmInChicago, in: chicago, urgent: false) // next day 08:00 Chicago
/// ```
public struct DaytimeWindow: Sendable, Equatable {
    /// Minutes after local midnight when the window opens.
    public let startMinute: Int
    /// Minutes after local midnight when the window closes (exclusive).
    public let endMinute: Int

    public static let `default` = DaytimeWindow(startMinute: 8 * 60, endMinute: 21 * 60)

    public init(startMinute: Int, endMinute: Int) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Parses `HH:MM` bounds; the window must open before it closes.
    public init(start: String, end: String) throws(AvisoError) {
        let startMinute = try Self.parse(start, field: "quiet_hours.day_starts")
        let endMinute = try Self.parse(end, field: "quiet_hours.day_ends")
        guard startMinute < endMinute else {
            throw .invalid(
                "quiet_hours", "The daytime window must open before it closes: \(start)–\(end) is empty. Use, for example, 08:00 and 21:00.")
        }
        self.init(startMinute: startMinute, endMinute: endMinute)
    }

    /// Parses `HH:MM` into minutes after midnight.
    public static func parse(_ text: String, field: String) throws(AvisoError) -> Int {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour),
            (0..<60).contains(minute), hour * 60 + minute <= 24 * 60
        else {
            throw .invalid(field, "'\(text)' is not a time of day. Write it as HH:MM, like 08:00.")
        }
        return hour * 60 + minute
    }

    /// The earliest instant at or after `desired` when a message may be sent
    /// to someone in `zone`.
    public func earliestSend(at desired: Date, in zone: TimeZone, urgent: Bool) -> Date {
        if urgent { return desired }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.hour, .minute], from: desired)
        let minute = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        if minute >= startMinute && minute < endMinute { return desired }
        // Quiet hours: the next opening of the window, today if before it, else tomorrow.
        let day = calendar.startOfDay(for: desired)
        let targetDay = minute < startMinute ? day : calendar.date(byAdding: .day, value: 1, to: day)!
        return opening(on: targetDay, calendar: calendar)
    }

    /// The window's opening on the local day that starts at `dayStart`. On a
    /// day when that wall-clock time does not exist (a DST gap), the first
    /// instant after the gap.
    func opening(on dayStart: Date, calendar: Calendar) -> Date {
        var components = calendar.dateComponents([.year, .month, .day], from: dayStart)
        components.hour = startMinute / 60
        components.minute = startMinute % 60
        if let exact = calendar.date(from: components),
            calendar.dateComponents([.hour, .minute], from: exact) == DateComponents(hour: startMinute / 60, minute: startMinute % 60)
        {
            return exact
        }
        return calendar.nextDate(
            after: dayStart, matching: DateComponents(hour: startMinute / 60, minute: startMinute % 60),
            matchingPolicy: .nextTime)!
    }
}
