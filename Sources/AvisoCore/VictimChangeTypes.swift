public import Foundation

/// A change to a victim's own fields (`PATCH /v1/victims/{id}`): only the
/// fields given change. `staff_notes: ""` removes the notes.
public struct VictimEdit: Codable, Sendable {
    public var displayName: String?
    public var language: String?
    public var timeZone: String?
    public var discreet: Bool?
    public var staffNotes: String?

    enum CodingKeys: String, CodingKey {
        case language, discreet
        case displayName = "display_name"
        case timeZone = "time_zone"
        case staffNotes = "staff_notes"
    }

    public init(displayName: String? = nil, language: String? = nil, timeZone: String? = nil, discreet: Bool? = nil, staffNotes: String? = nil) {
        self.displayName = displayName
        self.language = language
        self.timeZone = timeZone
        self.discreet = discreet
        self.staffNotes = staffNotes
    }
}

/// A victim edit after validation: nil leaves a field as it is; `staffNotes` `.some(nil)` removes the notes.
public struct ValidatedVictimEdit: Sendable {
    public var displayName: String?
    public var language: LanguageTag?
    public var timeZone: TimeZone?
    public var discreet: Bool?
    public var staffNotes: String??
}

extension VictimEdit {
    /// The same checks as registering a victim (G6: the language must have templates).
    public func validated(catalog: TemplateCatalog) throws(AvisoError) -> ValidatedVictimEdit {
        var edit = ValidatedVictimEdit()
        if let displayName { edit.displayName = try VictimCreate.validName(displayName) }
        if let language { edit.language = try VictimCreate.validLanguage(language, catalog: catalog) }
        if let timeZone {
            do { edit.timeZone = try validTimeZone(timeZone) } catch { throw error.nested(in: "time_zone") }
        }
        edit.discreet = discreet
        if let staffNotes { edit.staffNotes = .some(staffNotes.trimmingWhitespace().isEmpty ? nil : try VictimCreate.validNotes(staffNotes)) }
        guard displayName != nil || language != nil || timeZone != nil || discreet != nil || staffNotes != nil else {
            throw .invalid(nil, "Give at least one field to change: display_name, language, time_zone, discreet or staff_notes.")
        }
        return edit
    }
}

/// Merges a duplicate victim into the one named in the path (`POST /v1/victims/{id}/merge`).
public struct VictimMerge: Codable, Sendable {
    /// The victim who is the same person; their contact points, cases and history move to the kept victim.
    public var duplicateVictimId: Int64

    enum CodingKeys: String, CodingKey { case duplicateVictimId = "duplicate_victim_id" }

    public init(duplicateVictimId: Int64) { self.duplicateVictimId = duplicateVictimId }
}

/// A victim's change log, oldest first (`GET /v1/victims/{id}/changes`).
public struct VictimChangeList: Codable, Sendable {
    public var changes: [VictimChangeView]

    public init(changes: [VictimChangeView]) { self.changes = changes }
}

/// One entry of the victim-change log.
public struct VictimChangeView: Codable, Sendable {
    public var id: Int64
    public var victimId: Int64
    public var kind: String
    public var contactPointId: Int64?
    public var caseNumber: String?
    public var otherVictimId: Int64?
    public var detail: String
    public var actor: String
    public var at: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, detail, actor, at
        case victimId = "victim_id"
        case contactPointId = "contact_point_id"
        case caseNumber = "case_number"
        case otherVictimId = "other_victim_id"
    }

    public init(
        id: Int64, victimId: Int64, kind: String, contactPointId: Int64?, caseNumber: String?, otherVictimId: Int64?, detail: String, actor: String,
        at: Date
    ) {
        self.id = id
        self.victimId = victimId
        self.kind = kind
        self.contactPointId = contactPointId
        self.caseNumber = caseNumber
        self.otherVictimId = otherVictimId
        self.detail = detail
        self.actor = actor
        self.at = at
    }
}
