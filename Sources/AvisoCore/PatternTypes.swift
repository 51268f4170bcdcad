public import Foundation

// The JSON bodies of patterns (SPEC §3: a named group of linked cases), of
// update lists and of a case's hearings, under /v1/ (docs/openapi.yaml).

/// Opens a pattern, optionally linking cases at once.
public struct PatternCreate: Codable, Sendable {
    /// What staff call the series ("24th & Quincy robberies").
    public var name: String
    public var caseNumbers: [String]?

    enum CodingKeys: String, CodingKey {
        case name
        case caseNumbers = "case_numbers"
    }

    public init(name: String, caseNumbers: [String]? = nil) {
        self.name = name
        self.caseNumbers = caseNumbers
    }

    /// The name trimmed, 1–200 characters.
    public func validatedName() throws(AvisoError) -> String { try Self.validName(name) }

    public static func validName(_ raw: String) throws(AvisoError) -> String {
        let name = raw.trimmingCharacters(in: .whitespaces)
        try TextInput.check(name, field: "name", lineBreaks: false)
        guard (1...200).contains(name.count) else {
            throw .invalid("name", "A pattern's name is 1 to 200 characters, like \"24th & Quincy robberies\".")
        }
        return name
    }
}

/// Renames a pattern (`PATCH /v1/patterns/{id}`).
public struct PatternRename: Codable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }
}

/// Links a case to a pattern (`POST /v1/patterns/{id}/cases`).
public struct PatternCaseLink: Codable, Sendable {
    public var caseNumber: String

    enum CodingKeys: String, CodingKey { case caseNumber = "case_number" }

    public init(caseNumber: String) { self.caseNumber = caseNumber }
}

/// Assigns a captain to a pattern, so they see it (`POST /v1/patterns/{id}/staff`).
public typealias PatternStaffAssignment = CaseStaffAssignment

/// A pattern: its linked cases and, in `show`, their victims and its updates.
public struct PatternView: Codable, Sendable {
    public var id: Int64
    public var name: String
    public var createdBy: String
    public var createdAt: Date
    /// The linked cases the caller may see, by number.
    public var cases: [String]
    /// Linked cases the caller is not assigned to: counted, never named.
    public var otherCases: Int
    /// Each victim once, however many linked cases they are on (show only).
    public var victims: [VictimView]?
    /// The updates that targeted the pattern, newest first (show only).
    public var updates: [UpdateSummary]?

    enum CodingKeys: String, CodingKey {
        case id, name, cases, victims, updates
        case createdBy = "created_by"
        case createdAt = "created_at"
        case otherCases = "other_cases"
    }

    public init(
        id: Int64, name: String, createdBy: String, createdAt: Date, cases: [String], otherCases: Int, victims: [VictimView]? = nil,
        updates: [UpdateSummary]? = nil
    ) {
        self.id = id
        self.name = name
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.cases = cases
        self.otherCases = otherCases
        self.victims = victims
        self.updates = updates
    }
}

/// What an update targets: one case, or every linked case of a pattern.
public enum UpdateTarget: String, Codable, Sendable {
    case `case`
    case pattern
}

/// Where an update stands, from its messages: `queued` (nothing handed off
/// yet), `sending` (some handed off, some still to go), `done` (every message
/// in a final state), `cancelled`.
public enum UpdateProgress: String, Codable, Sendable {
    case queued, sending, done, cancelled
}

/// One line of `aviso update list`.
public struct UpdateSummary: Codable, Sendable {
    public var id: Int64
    public var target: UpdateTarget
    public var caseNumber: String?
    public var patternId: Int64?
    public var patternName: String?
    public var event: Event
    public var state: UpdateState
    public var progress: UpdateProgress
    public var createdBy: String
    public var createdAt: Date
    public var sendAt: Date?
    /// court_date_changed, hearing_cancelled: the hearing it names.
    public var hearingUpdateId: Int64?
    public var messageCount: Int
    /// Messages by state (`{"delivered": 12, "failed": 1}`).
    public var messageStates: [String: Int]

    enum CodingKeys: String, CodingKey {
        case id, target, event, state, progress
        case caseNumber = "case_number"
        case patternId = "pattern_id"
        case patternName = "pattern_name"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case sendAt = "send_at"
        case hearingUpdateId = "hearing_update_id"
        case messageCount = "message_count"
        case messageStates = "message_states"
    }

    public init(
        id: Int64, target: UpdateTarget, caseNumber: String?, patternId: Int64?, patternName: String?, event: Event, state: UpdateState,
        progress: UpdateProgress, createdBy: String, createdAt: Date, sendAt: Date?, hearingUpdateId: Int64?, messageCount: Int,
        messageStates: [String: Int]
    ) {
        self.id = id
        self.target = target
        self.caseNumber = caseNumber
        self.patternId = patternId
        self.patternName = patternName
        self.event = event
        self.state = state
        self.progress = progress
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.sendAt = sendAt
        self.hearingUpdateId = hearingUpdateId
        self.messageCount = messageCount
        self.messageStates = messageStates
    }
}

public struct UpdateList: Codable, Sendable {
    public var updates: [UpdateSummary]
    public init(updates: [UpdateSummary]) { self.updates = updates }
}

/// Where a hearing stands: still on, moved by a `court_date_changed`, or called off.
public enum HearingStatus: String, Codable, Sendable {
    case scheduled, changed, cancelled
}

/// A hearing announced to a case's victims (court_date, bond_hearing, court_date_changed):
/// the id that `hearing_update_id` names.
public struct HearingView: Codable, Sendable {
    /// The update that announced it: give it as `hearing_update_id`.
    public var updateId: Int64
    public var event: Event
    public var target: UpdateTarget
    public var patternId: Int64?
    public var startsAt: Date?
    public var place: String?
    public var status: HearingStatus
    /// The update that changed or cancelled it.
    public var replacedBy: Int64?

    enum CodingKeys: String, CodingKey {
        case event, target, place, status
        case updateId = "update_id"
        case patternId = "pattern_id"
        case startsAt = "starts_at"
        case replacedBy = "replaced_by"
    }

    public init(
        updateId: Int64, event: Event, target: UpdateTarget, patternId: Int64?, startsAt: Date?, place: String?, status: HearingStatus,
        replacedBy: Int64?
    ) {
        self.updateId = updateId
        self.event = event
        self.target = target
        self.patternId = patternId
        self.startsAt = startsAt
        self.place = place
        self.status = status
        self.replacedBy = replacedBy
    }
}

public struct HearingList: Codable, Sendable {
    public var hearings: [HearingView]
    public init(hearings: [HearingView]) { self.hearings = hearings }
}

extension UpdateView {
    /// "case KC-2025-004512" or "pattern 1 (24th & Quincy robberies)".
    public var targetLabel: String {
        if let patternId { return "pattern \(patternId)" + (patternName.map { " (\($0))" } ?? "") }
        return "case \(caseNumber ?? "?")"
    }
}
