public import Foundation

/// One charge of `charges_filed`: an offense code from `terms.txt` and the
/// number of counts.
public struct Charge: Codable, Sendable, Equatable {
    public var offense: String
    public var count: Int

    public init(offense: String, count: Int) {
        self.offense = offense
        self.count = count
    }
}

/// The fields of an update. Which ones an event takes is checked by
/// ``UpdateFields/validated(for:catalog:department:)``.
public struct UpdateFields: Codable, Sendable, Equatable {
    /// `charges_filed`: the charges and their counts.
    public var charges: [Charge]?
    /// Hearings: when it starts, ISO 8601 (`2026-03-03T09:00` in the
    /// department's time zone, or with an offset).
    public var startsAt: String?
    /// Hearings: where (`Jackson County Courthouse, 415 E 12th St`).
    public var place: String?
    /// `released`: why the suspect was released.
    public var reason: ReleaseReason?
    /// `custom`: the text per language (BCP 47 tag → text).
    public var text: [String: String]?
    /// `court_date_changed`, `hearing_cancelled`: the update that announced the hearing.
    public var hearingUpdateId: Int64?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case charges
        case startsAt = "starts_at"
        case place
        case reason
        case text
        case hearingUpdateId = "hearing_update_id"
    }

    public init(
        charges: [Charge]? = nil, startsAt: String? = nil, place: String? = nil, reason: ReleaseReason? = nil,
        text: [String: String]? = nil, hearingUpdateId: Int64? = nil
    ) {
        self.charges = charges
        self.startsAt = startsAt
        self.place = place
        self.reason = reason
        self.text = text
        self.hearingUpdateId = hearingUpdateId
    }

    /// Which fields each event requires and accepts.
    static func rules(for event: Event) -> (required: Set<CodingKeys>, optional: Set<CodingKeys>) {
        switch event {
        case .chargesFiled: ([.charges], [])
        case .bondHearing, .courtDate: ([.startsAt, .place], [])
        case .courtDateChanged: ([.startsAt, .place, .hearingUpdateId], [])
        case .hearingCancelled: ([.hearingUpdateId], [])
        case .released: ([], [.reason])
        case .custom: ([.text], [])
        default: ([], [])
        }
    }

    var present: Set<CodingKeys> {
        var keys: Set<CodingKeys> = []
        if charges != nil { keys.insert(.charges) }
        if startsAt != nil { keys.insert(.startsAt) }
        if place != nil { keys.insert(.place) }
        if reason != nil { keys.insert(.reason) }
        if text != nil { keys.insert(.text) }
        if hearingUpdateId != nil { keys.insert(.hearingUpdateId) }
        return keys
    }

    /// Checks the fields against the event, and resolves the hearing time.
    public func validated(for event: Event, catalog: TemplateCatalog, departmentZone: TimeZone) throws(AvisoError) -> ValidatedFields {
        let rules = Self.rules(for: event)
        for key in CodingKeys.allCases.filter({ present.contains($0) }) where !rules.required.contains(key) && !rules.optional.contains(key) {
            let accepted = (rules.required.union(rules.optional)).map(\.rawValue).sorted()
            throw .invalid(
                "fields.\(key.rawValue)",
                "The field '\(key.rawValue)' does not apply to '\(event.rawValue)'. "
                    + (accepted.isEmpty ? "That event takes no fields." : "It takes: \(accepted.joined(separator: ", ")).")
            )
        }
        for key in CodingKeys.allCases where rules.required.contains(key) && !present.contains(key) {
            throw .invalid("fields.\(key.rawValue)", "'\(event.rawValue)' needs the field '\(key.rawValue)'. \(Self.hint(for: key))")
        }
        var result = ValidatedFields(fields: self)
        if let charges {
            guard !charges.isEmpty else {
                throw .invalid("fields.charges", "List at least one charge, like {\"offense\": \"armed_robbery\", \"count\": 2}.")
            }
            for (index, charge) in charges.enumerated() {
                guard (1...999).contains(charge.count) else {
                    throw .invalid("fields.charges[\(index)].count", "A charge has 1 to 999 counts; \(charge.count) is not possible.")
                }
                guard catalog.termExists("offense.\(charge.offense)") else {
                    throw .invalid(
                        "fields.charges[\(index)].offense",
                        "'\(charge.offense)' is not a known offense code. Add 'offense.\(charge.offense) = …' to Templates/<language>/terms.txt for every language, or use an existing code."
                    )
                }
            }
        }
        if let startsAt {
            let resolved = try Self.parseLocalDateTime(startsAt, zone: departmentZone, field: "fields.starts_at")
            result.startsAt = resolved
            // Stored resolved, so a later reading needs no time zone.
            result.fields.startsAt = ISO8601DateFormatter().string(from: resolved)
        }
        if let place {
            let trimmed = place.trimmingWhitespace()
            try TextInput.check(trimmed, field: "fields.place", lineBreaks: false)
            guard !trimmed.isEmpty, trimmed.count <= 200, !trimmed.contains(where: \.isNewline) else {
                throw .invalid(
                    "fields.place", "The place is one line of at most 200 characters, like 'Jackson County Courthouse, 415 E 12th St, Courtroom 4A'.")
            }
            result.fields.place = trimmed
        }
        if let text {
            guard !text.isEmpty else {
                throw .invalid("fields.text", "Give the text in every language of the case's victims, like {\"en\": \"…\", \"es\": \"…\"}.")
            }
            var normalized: [String: String] = [:]
            for (tag, value) in text {
                let language: LanguageTag
                do { language = try LanguageTag(tag) } catch { throw error.nested(in: "fields.text") }
                let trimmed = value.trimmingWhitespace()
                try TextInput.check(trimmed, field: "fields.text.\(tag)", lineBreaks: true)
                guard !trimmed.isEmpty, trimmed.count <= 1000 else {
                    throw .invalid("fields.text.\(tag)", "The \(tag) text must have 1 to 1000 characters.")
                }
                normalized[language.value] = trimmed
            }
            result.fields.text = normalized
        }
        return result
    }

    static func hint(for key: CodingKeys) -> String {
        switch key {
        case .charges: "Like [{\"offense\": \"armed_robbery\", \"count\": 2}]."
        case .startsAt: "Like 2026-03-03T09:00 (department time) or 2026-03-03T09:00-06:00."
        case .place: "Like 'Jackson County Courthouse, 415 E 12th St'."
        case .reason: "One of: \(ReleaseReason.allCases.map(\.rawValue).joined(separator: ", "))."
        case .text: "The text per language, like {\"en\": \"…\", \"es\": \"…\"}."
        case .hearingUpdateId: "The id of the court_date (or bond_hearing) update that announced the hearing."
        }
    }

    /// Parses `2026-03-03T09:00[:ss]` in `zone`, or with an explicit offset or `Z`.
    public static func parseLocalDateTime(_ text: String, zone: TimeZone, field: String) throws(AvisoError) -> Date {
        let trimmed = text.trimmingWhitespace()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime]
        if let date = iso.date(from: trimmed) { return date }
        iso.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate, .withTimeZone]
        if let date = iso.date(from: trimmed) { return date }
        let parts = trimmed.split(separator: "T")
        if parts.count == 2 {
            let day = parts[0].split(separator: "-").compactMap { Int($0) }
            let clock = parts[1].split(separator: ":").compactMap { Int($0) }
            if day.count == 3, (2...3).contains(clock.count), (1...12).contains(day[1]), (1...31).contains(day[2]),
                (0...23).contains(clock[0]), (0...59).contains(clock[1])
            {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = zone
                let components = DateComponents(
                    year: day[0], month: day[1], day: day[2], hour: clock[0], minute: clock[1], second: clock.count == 3 ? clock[2] : 0)
                if let date = calendar.date(from: components), calendar.component(.day, from: date) == day[2] { return date }
            }
        }
        throw .invalid(field, "'\(text)' is not a date and time. Write it like 2026-03-03T09:00 (department time) or 2026-03-03T09:00-06:00.")
    }
}

/// Update fields that passed validation, with the hearing time resolved.
public struct ValidatedFields: Sendable, Equatable {
    public var fields: UpdateFields
    public var startsAt: Date?
}
