public import Foundation

/// A victim as registered, after validation.
public struct ValidatedVictim: Sendable {
    public var displayName: String
    public var language: LanguageTag
    public var timeZone: TimeZone
    public var discreet: Bool
    public var staffNotes: String?
    public var contactPoints: [ValidatedContactPoint]
    /// Staff confirmed this is another person than a victim of the same name on the case.
    public var confirmSameName: Bool = false
}

/// A contact point as registered, after validation.
public struct ValidatedContactPoint: Sendable {
    public var address: ContactAddress
    public var consent: ConsentInput?
}

extension CaseCreate {
    /// Checks the case's fields; the offense must have a name in the templates' terms.
    public func validated(catalog: TemplateCatalog) throws(AvisoError) -> CaseCreate {
        var copy = self
        copy.number = number.trimmingWhitespace()
        try TextInput.check(copy.number, field: "number", lineBreaks: false)
        guard (1...64).contains(copy.number.count), !copy.number.contains(where: { $0.isNewline || $0 == "/" }) else {
            throw .invalid("number", "A case number has 1 to 64 characters and no '/', like KC-2025-004512.")
        }
        copy.offense = offense.trimmingWhitespace()
        guard catalog.termExists("offense.\(copy.offense)") else {
            throw .invalid(
                "offense",
                "'\(offense)' is not a known offense code. Use a code from Templates/<language>/terms.txt (like armed_robbery), or add 'offense.\(copy.offense) = …' there for every language."
            )
        }
        copy.unit = unit.trimmingWhitespace()
        try TextInput.check(copy.unit, field: "unit", lineBreaks: false)
        guard (1...100).contains(copy.unit.count) else { throw .invalid("unit", "The unit has 1 to 100 characters, like 'Robbery Unit'.") }
        if let summary {
            try TextInput.check(summary, field: "summary", lineBreaks: true)
            if summary.count > 10_000 { throw .invalid("summary", "The summary has at most 10,000 characters.") }
        }
        return copy
    }
}

extension VictimCreate {
    /// Checks every field; the language must have templates (G6).
    public func validated(catalog: TemplateCatalog) throws(AvisoError) -> ValidatedVictim {
        let name = try Self.validName(displayName)
        let tag = try Self.validLanguage(language, catalog: catalog)
        let zone: TimeZone
        do { zone = try validTimeZone(timeZone) } catch { throw error.nested(in: "time_zone") }
        let notes = try staffNotes.map { (notes: String) throws(AvisoError) in try Self.validNotes(notes) }
        var points: [ValidatedContactPoint] = []
        for (index, point) in (contactPoints ?? []).enumerated() {
            do { points.append(try point.validated()) } catch { throw error.nested(in: "contact_points[\(index)]") }
        }
        // An email address is one address whatever the case of its letters.
        let keys = points.map(\.address.key)
        if Set(keys).count != keys.count { throw .invalid("contact_points", "The same address is listed twice.") }
        return ValidatedVictim(
            displayName: name, language: tag, timeZone: zone, discreet: discreet ?? false, staffNotes: notes, contactPoints: points,
            confirmSameName: confirmSameName ?? false)
    }

    static func validName(_ raw: String) throws(AvisoError) -> String {
        let name = raw.trimmingWhitespace()
        try TextInput.check(name, field: "display_name", lineBreaks: false)
        guard (1...200).contains(name.count) else { throw .invalid("display_name", "The victim's name has 1 to 200 characters.") }
        return name
    }

    static func validLanguage(_ raw: String, catalog: TemplateCatalog) throws(AvisoError) -> LanguageTag {
        let tag: LanguageTag
        do { tag = try LanguageTag(raw) } catch { throw error.nested(in: "language") }
        guard catalog.servingLanguage(for: tag) != nil else {
            throw .invalid(
                "language",
                "No templates exist for '\(tag)'. Languages with templates: \(catalog.languages.joined(separator: ", ")). Add Templates/\(tag.language)/ to support it."
            )
        }
        return tag
    }

    static func validNotes(_ notes: String) throws(AvisoError) -> String {
        try TextInput.check(notes, field: "staff_notes", lineBreaks: true)
        if notes.count > 10_000 { throw .invalid("staff_notes", "Staff notes have at most 10,000 characters.") }
        return notes
    }
}

extension ContactPointCreate {
    public func validated() throws(AvisoError) -> ValidatedContactPoint {
        let parsed: ContactAddress
        do { parsed = try ContactAddress(channel: channel, address: address) } catch { throw error.nested(in: "address") }
        if let consent {
            do { try consent.validateFromStaff() } catch { throw error.nested(in: "consent") }
        }
        return ValidatedContactPoint(address: parsed, consent: consent)
    }
}

extension ConsentInput {
    /// Staff record consent as verbal or written, with the wording version read to the victim.
    public func validateFromStaff() throws(AvisoError) {
        guard method == .verbal || method == .written else {
            throw .invalid(
                "method", "Staff record consent as 'verbal' or 'written'; '\(method.rawValue)' comes only from the victim or the carrier.")
        }
        guard state != .pending else {
            throw .invalid("state", "Record 'opted_in' or 'opted_out'; 'pending' is the state before any record.")
        }
        let version = wordingVersion.trimmingWhitespace()
        try TextInput.check(version, field: "wording_version", lineBreaks: false)
        guard (1...40).contains(version.count) else {
            throw .invalid("wording_version", "Give the version of the consent wording read to the victim, like 2026-01.")
        }
        if let wording {
            try TextInput.check(wording, field: "wording", lineBreaks: true)
            if wording.count > 5000 { throw .invalid("wording", "The wording has at most 5,000 characters.") }
        }
        if let overrideReason {
            try TextInput.check(overrideReason, field: "override_reason", lineBreaks: true)
            if overrideReason.count > 1000 { throw .invalid("override_reason", "The reason has at most 1,000 characters.") }
        }
    }
}
