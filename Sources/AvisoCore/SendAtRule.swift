public import Foundation

/// An update scheduled for a time already past is a mistake (a wrong year,
/// a.m. for p.m.), never "send now": it is refused, with the time read back
/// in the department's zone. The current minute is still accepted.
public enum SendAtRule {
    public static func check(_ sendAt: Date?, raw: String?, now: Date, zone: TimeZone) throws(AvisoError) {
        guard let sendAt, sendAt < now.addingTimeInterval(-60) else { return }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        throw .invalid(
            "send_at",
            "send_at '\(raw ?? "")' is \(formatter.string(from: sendAt)), which is in the past (it is now \(formatter.string(from: now))). Give a later time, or leave it out to send now."
        )
    }
}
