import AvisoClient
import Foundation

/// Times in human output are the department's (SPEC §5: "March 3, 09:00" is
/// Kansas City's 09:00 to a Kansas City captain). avisod names its zone in
/// the `Aviso-Time-Zone` header of every API answer; before any answer (or
/// from an older daemon) the machine's zone is used.
enum DepartmentTime {
    static var zone: TimeZone { APIClient.departmentTimeZone.flatMap(TimeZone.init(identifier:)) ?? .current }

    static func format(_ date: Date, victimZone: TimeZone?) -> String {
        let department = zone
        var text = format(date, in: department)
        if let victimZone, victimZone.secondsFromGMT(for: date) != department.secondsFromGMT(for: date) {
            text += " (\(format(date, in: victimZone)) victim's time)"
        }
        return text
    }

    static func format(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }
}
