/// The CLI's own words for the API's field paths: a problem about
/// `fields.hearing_update_id` is about `--hearing-update` to someone who typed
/// `aviso update queue`. Unknown paths are shown as they are.
enum FlagNames {
    static func flag(for field: String) -> String {
        if field.hasPrefix("fields.text.") { return "--text \(field.dropFirst("fields.text.".count))=…" }
        if field.hasPrefix("fields.charges") { return "--charge offense=count" }
        if field.hasPrefix("contact_points[") || field == "contact_points" || field == "address" {
            if field.hasSuffix("consent.wording_version") { return "--wording-version" }
            if field.contains("consent") { return "--consent" }
            return "--phone/--email"
        }
        if field.hasPrefix("consent.") { return flag(for: String(field.dropFirst(8))) }
        switch field {
        case "fields.starts_at", "starts_at": return "--starts-at"
        case "fields.place": return "--place"
        case "fields.reason": return "--reason"
        case "fields.text": return "--text lang=…"
        case "fields.hearing_update_id": return "--hearing-update"
        case "send_at": return "--send-at"
        case "event": return "the event argument"
        case "display_name": return "--name"
        case "language": return "--language"
        case "time_zone": return "--time-zone"
        case "staff_notes": return "--notes"
        case "wording_version": return "--wording-version"
        case "method": return "--method"
        case "state": return "--state"
        case "offense": return "--offense"
        case "unit": return "--unit"
        case "summary": return "--summary"
        case "number": return "the case number"
        case "text": return "--text"
        case "note": return "--note"
        case "override_reason": return "--override-victim-opt-out"
        default: return field
        }
    }
}
