public import Foundation

/// The department-wide settings that shape every message.
public struct MessagePolicy: Sendable {
    /// The victim-local daytime window for routine messages (G7).
    public var daytime: DaytimeWindow
    /// Days before a hearing on which reminders go out (SPEC §4: 7 and 1).
    public var reminderDays: [Int]
    /// Minutes after victim-local midnight at which reminders go out (10:00).
    public var reminderMinute: Int
    /// The number victims call, filled in as `contact_phone`.
    public var contactPhone: String
    /// The department's own time zone: hearing times without an offset are in it.
    public var departmentZone: TimeZone
    /// Replace typographic punctuation in SMS with GSM-7 equivalents.
    public var smartEncoding: Bool
    /// Refuse to queue messages from templates no reviewer signed.
    public var requireReview: Bool
    /// How long routine messages wait after a possible opt-out for staff to
    /// decide or the victim to reply again; then it is an opt-out (SPEC §2.3).
    public var possibleOptOutHold: TimeInterval
    /// A preview warns about an SMS of more than this many segments, with what it costs (`sms.warn_segments`).
    public var smsWarnSegments: Int

    public init(
        daytime: DaytimeWindow = .default, reminderDays: [Int] = [7, 1], reminderMinute: Int = 10 * 60,
        contactPhone: String, departmentZone: TimeZone, smartEncoding: Bool = false, requireReview: Bool = false,
        possibleOptOutHold: TimeInterval = 24 * 3600, smsWarnSegments: Int = 4
    ) {
        self.smsWarnSegments = smsWarnSegments
        self.possibleOptOutHold = possibleOptOutHold
        self.smartEncoding = smartEncoding
        self.requireReview = requireReview
        self.daytime = daytime
        self.reminderDays = reminderDays
        self.reminderMinute = reminderMinute
        self.contactPhone = contactPhone
        self.departmentZone = departmentZone
    }
}

/// Formats dates and times for a victim: their language's conventions, their time zone.
public enum LocalFormat {
    public static func date(_ date: Date, locale: String, zone: TimeZone) -> String {
        var style = Date.FormatStyle(date: .complete, time: .omitted, locale: Locale(identifier: locale), timeZone: zone)
        style.calendar = Calendar(identifier: .gregorian)
        return plainSpaces(date.formatted(style))
    }

    public static func time(_ date: Date, locale: String, zone: TimeZone) -> String {
        var style = Date.FormatStyle(date: .omitted, time: .shortened, locale: Locale(identifier: locale), timeZone: zone)
        style.calendar = Calendar(identifier: .gregorian)
        return plainSpaces(date.formatted(style))
    }

    /// ICU puts narrow no-break spaces in "9:00 AM"; in an SMS one such space
    /// turns the whole message into UCS-2 and doubles its segments.
    static func plainSpaces(_ text: String) -> String {
        String(text.map { $0 == "\u{202F}" || $0 == "\u{00A0}" ? " " : $0 })
    }
}
