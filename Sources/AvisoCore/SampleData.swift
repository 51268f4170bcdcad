public import Foundation

/// Plausible values for every variable of every event, for `avisod check`
/// (segment counts per template) and for tests that render every template.
public enum SampleData {
    /// A hearing on a Tuesday morning in March, in Kansas City.
    public static let hearing = Date(timeIntervalSince1970: 1_772_550_000)

    /// With these typical values every SMS template fits in this many
    /// segments (issue 14 §5); `avisod check` flags the ones that do not.
    public static let smsSegmentBudget = 3

    /// The context an event's templates see, in `language`, with `count` as
    /// the number of counts and days (to exercise a plural category).
    public static func context(for event: Event, language: LanguageTag, catalog: TemplateCatalog, count: Int = 2) throws(AvisoError) -> [String: Any]
    {
        let zone = TimeZone(identifier: "America/Chicago")!
        var context: [String: Any] = [
            "department": try catalog.term("department", for: language), "contact_phone": "+1 816 234 5000",
        ]
        if event.isCaseEvent {
            context["case_number"] = "KC-2025-004512"
            context["offense"] = try catalog.term("offense.armed_robbery", for: language)
        }
        let date = LocalFormat.date(hearing, locale: catalog.locale(for: language), zone: zone)
        let time = LocalFormat.time(hearing, locale: catalog.locale(for: language), zone: zone)
        switch event {
        case .chargesFiled:
            var items: [[String: Any]] = []
            for offense in ["armed_robbery", "armed_criminal_action"] {
                var item: [String: Any] = ["count": count, "offense": try catalog.term("offense.\(offense)", for: language)]
                item.merge(PluralRules.flags(for: count, named: "count", language: language.language)) { _, new in new }
                items.append(item)
            }
            context["charges"] = items
        case .bondHearing, .courtDate, .hearingCancelled, .courtDateReminder, .courtDateChanged:
            context["date"] = date
            context["time"] = time
            context["place"] = "Jackson County Courthouse, 415 E 12th St"
            if event == .courtDateReminder {
                context["days"] = count
                context["tomorrow"] = count == 1
                context.merge(PluralRules.flags(for: count, named: "days", language: language.language)) { _, new in new }
            }
            if event == .courtDateChanged {
                context["previous_date"] = LocalFormat.date(
                    hearing.addingTimeInterval(-14 * 86400), locale: catalog.locale(for: language), zone: zone)
                context["previous_time"] = time
            }
        case .released:
            for reason in ReleaseReason.allCases { context["reason_\(reason.rawValue)"] = reason == .bond }
        case .custom, .staffReply:
            // Staff write custom text in each language; a neutral stand-in of typical length.
            context["text"] = String(repeating: "0123456789 ", count: 6)
        default:
            break
        }
        return context
    }
}
