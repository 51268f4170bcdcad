public import Foundation

// The JSON bodies of the HTTP API under /v1/ (docs/openapi.yaml), shared by
// the server and the `aviso` client. Field names are the domain's words in
// snake_case; unknown fields are rejected (G5).

/// An RFC 9457 problem document.
public struct Problem: Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    /// The input field at fault, as a JSON path, when there is one.
    public var field: String?

    public init(type: String, title: String, status: Int, detail: String, field: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.field = field
    }
}

public struct CaseCreate: Codable, Sendable {
    public var number: String
    /// An offense code with a name in `Templates/<language>/terms.txt` (`armed_robbery`).
    public var offense: String
    public var unit: String
    /// For staff only; never sent to a victim.
    public var summary: String?

    public init(number: String, offense: String, unit: String, summary: String? = nil) {
        self.number = number
        self.offense = offense
        self.unit = unit
        self.summary = summary
    }
}

public struct CaseView: Codable, Sendable {
    public var id: Int64
    public var number: String
    public var offense: String
    public var unit: String
    public var status: CaseStatus
    public var summary: String?
    public var createdAt: Date
    public var closedAt: Date?
    /// On legal hold, nothing of the case is purged by the retention policy.
    public var legalHold: Bool
    public var victims: [VictimView]?
    /// Show only: the case's victims no message has reached yet (sent or delivered), and why.
    public var neverReached: [VictimReach]?

    enum CodingKeys: String, CodingKey {
        case id, number, offense, unit, status, summary, victims
        case neverReached = "never_reached"
        case createdAt = "created_at"
        case closedAt = "closed_at"
        case legalHold = "legal_hold"
    }

    public init(
        id: Int64, number: String, offense: String, unit: String, status: CaseStatus, summary: String?, createdAt: Date, closedAt: Date? = nil,
        legalHold: Bool = false, victims: [VictimView]?
    ) {
        self.closedAt = closedAt
        self.legalHold = legalHold
        self.id = id
        self.number = number
        self.offense = offense
        self.unit = unit
        self.status = status
        self.summary = summary
        self.createdAt = createdAt
        self.victims = victims
    }
}

/// Consent as staff record it: how it was obtained and the wording read.
public struct ConsentInput: Codable, Sendable {
    public var state: ConsentState
    /// `verbal` or `written` when staff record it.
    public var method: ConsentMethod
    /// The version of the consent wording shown or read (`2026-01`).
    public var wordingVersion: String
    /// The exact wording, when it is not the standard text of that version.
    public var wording: String?
    /// The language the wording was given in; defaults to the victim's.
    public var language: LanguageTag?
    /// Opting in again a contact point the victim opted out themselves (a
    /// STOP reply, the unsubscribe link, the carrier) needs a reason, kept in
    /// the consent log; without it the API refuses.
    public var overrideReason: String?

    enum CodingKeys: String, CodingKey {
        case state, method, wording, language
        case wordingVersion = "wording_version"
        case overrideReason = "override_reason"
    }

    public init(
        state: ConsentState, method: ConsentMethod, wordingVersion: String, wording: String? = nil, language: LanguageTag? = nil,
        overrideReason: String? = nil
    ) {
        self.state = state
        self.method = method
        self.wordingVersion = wordingVersion
        self.wording = wording
        self.language = language
        self.overrideReason = overrideReason
    }
}

public struct ContactPointCreate: Codable, Sendable {
    public var channel: Channel
    public var address: String
    public var consent: ConsentInput?

    public init(channel: Channel, address: String, consent: ConsentInput?) {
        self.channel = channel
        self.address = address
        self.consent = consent
    }
}

public struct VictimCreate: Codable, Sendable {
    public var displayName: String
    public var language: String
    public var timeZone: String
    public var discreet: Bool?
    public var staffNotes: String?
    public var contactPoints: [ContactPointCreate]?
    /// Registers the victim even though a victim of the same name is on the case (they are two people).
    public var confirmSameName: Bool?

    enum CodingKeys: String, CodingKey {
        case language, discreet
        case displayName = "display_name"
        case timeZone = "time_zone"
        case staffNotes = "staff_notes"
        case contactPoints = "contact_points"
        case confirmSameName = "confirm_same_name"
    }

    public init(
        displayName: String, language: String, timeZone: String, discreet: Bool? = nil, staffNotes: String? = nil,
        contactPoints: [ContactPointCreate]? = nil, confirmSameName: Bool? = nil
    ) {
        self.confirmSameName = confirmSameName
        self.displayName = displayName
        self.language = language
        self.timeZone = timeZone
        self.discreet = discreet
        self.staffNotes = staffNotes
        self.contactPoints = contactPoints
    }
}

/// Adds an existing victim (a victim in two cases is one victim) to a case.
public struct CaseVictimLink: Codable, Sendable {
    public var victimId: Int64

    enum CodingKeys: String, CodingKey { case victimId = "victim_id" }

    public init(victimId: Int64) { self.victimId = victimId }
}

public struct ConsentRecordView: Codable, Sendable {
    public var id: Int64
    public var state: ConsentState
    public var method: ConsentMethod
    public var actor: String
    public var recordedAt: Date
    public var wordingVersion: String?
    public var wording: String?
    public var language: String

    enum CodingKeys: String, CodingKey {
        case id, state, method, actor, wording, language
        case recordedAt = "recorded_at"
        case wordingVersion = "wording_version"
    }

    public init(
        id: Int64, state: ConsentState, method: ConsentMethod, actor: String, recordedAt: Date, wordingVersion: String?, wording: String?,
        language: String
    ) {
        self.id = id
        self.state = state
        self.method = method
        self.actor = actor
        self.recordedAt = recordedAt
        self.wordingVersion = wordingVersion
        self.wording = wording
        self.language = language
    }
}

public struct ContactPointView: Codable, Sendable {
    public var id: Int64
    public var victimId: Int64
    public var channel: Channel
    public var address: String
    public var consentState: ConsentState
    public var consent: [ConsentRecordView]
    /// When staff retired it; nothing is sent to a retired contact point, and its history stays.
    public var retiredAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, channel, address, consent
        case victimId = "victim_id"
        case consentState = "consent_state"
        case retiredAt = "retired_at"
    }

    public init(
        id: Int64, victimId: Int64, channel: Channel, address: String, consentState: ConsentState, consent: [ConsentRecordView],
        retiredAt: Date? = nil
    ) {
        self.retiredAt = retiredAt
        self.id = id
        self.victimId = victimId
        self.channel = channel
        self.address = address
        self.consentState = consentState
        self.consent = consent
    }
}

public struct VictimView: Codable, Sendable {
    public var id: Int64
    public var displayName: String
    public var language: String
    public var timeZone: String
    public var discreet: Bool
    public var staffNotes: String?
    public var cases: [String]
    public var contactPoints: [ContactPointView]
    /// Whether a message can reach the victim now: a contact point in use is opted in.
    public var reachable: Bool
    /// The victim this one was merged into (they were one person); set, this victim has no cases or contact points of its own.
    public var mergedInto: Int64?
    /// What staff should know about the answer (a victim with no contact point cannot be told anything).
    public var warnings: [String]?

    enum CodingKeys: String, CodingKey {
        case id, language, discreet, cases, reachable, warnings
        case displayName = "display_name"
        case timeZone = "time_zone"
        case staffNotes = "staff_notes"
        case contactPoints = "contact_points"
        case mergedInto = "merged_into"
    }

    public init(
        id: Int64, displayName: String, language: String, timeZone: String, discreet: Bool, staffNotes: String?, cases: [String],
        contactPoints: [ContactPointView], reachable: Bool? = nil, mergedInto: Int64? = nil, warnings: [String]? = nil
    ) {
        self.reachable = reachable ?? contactPoints.contains { $0.retiredAt == nil && $0.consentState == .optedIn }
        self.mergedInto = mergedInto
        self.warnings = warnings
        self.id = id
        self.displayName = displayName
        self.language = language
        self.timeZone = timeZone
        self.discreet = discreet
        self.staffNotes = staffNotes
        self.cases = cases
        self.contactPoints = contactPoints
    }
}

public struct UpdateCreate: Codable, Sendable {
    public var event: String
    public var fields: UpdateFields?
    /// When to send, ISO 8601; now when absent. Quiet hours still apply to routine events.
    public var sendAt: String?

    enum CodingKeys: String, CodingKey {
        case event, fields
        case sendAt = "send_at"
    }

    public init(event: String, fields: UpdateFields? = nil, sendAt: String? = nil) {
        self.event = event
        self.fields = fields
        self.sendAt = sendAt
    }
}

/// One message as the preview shows it, or as it was queued.
public struct MessageView: Codable, Sendable {
    public var id: Int64?
    public var updateId: Int64?
    public var caseNumber: String?
    public var victimId: Int64
    public var victimName: String?
    public var contactPointId: Int64
    public var channel: Channel
    public var address: String?
    public var language: String
    public var event: Event
    public var state: MessageState
    public var subject: String?
    public var body: String?
    public var scheduledFor: Date
    public var encoding: SMSEncoding?
    public var segments: Int?
    public var attempts: Int
    public var lastError: String?
    public var providerId: String?
    /// Preview only: the template's review status (`not reviewed`, `reviewed by …`).
    public var review: String?

    enum CodingKeys: String, CodingKey {
        case id, channel, address, language, event, state, subject, body, encoding, segments, attempts, review
        case updateId = "update_id"
        case caseNumber = "case_number"
        case victimId = "victim_id"
        case victimName = "victim_name"
        case contactPointId = "contact_point_id"
        case scheduledFor = "scheduled_for"
        case lastError = "last_error"
        case providerId = "provider_id"
    }

    public init(
        id: Int64?, updateId: Int64?, caseNumber: String?, victimId: Int64, victimName: String?, contactPointId: Int64, channel: Channel,
        address: String?, language: String, event: Event, state: MessageState, subject: String?, body: String?, scheduledFor: Date,
        encoding: SMSEncoding?, segments: Int?, attempts: Int, lastError: String?, providerId: String?, review: String? = nil
    ) {
        self.review = review
        self.id = id
        self.updateId = updateId
        self.caseNumber = caseNumber
        self.victimId = victimId
        self.victimName = victimName
        self.contactPointId = contactPointId
        self.channel = channel
        self.address = address
        self.language = language
        self.event = event
        self.state = state
        self.subject = subject
        self.body = body
        self.scheduledFor = scheduledFor
        self.encoding = encoding
        self.segments = segments
        self.attempts = attempts
        self.lastError = lastError
        self.providerId = providerId
    }
}

public struct UpdateView: Codable, Sendable {
    public var id: Int64?
    /// The case a case update targets; absent for a pattern update (each message names its victim's case).
    public var caseNumber: String?
    /// `case` or `pattern`.
    public var target: UpdateTarget = .case
    public var patternId: Int64?
    public var patternName: String?
    public var event: Event
    public var fields: UpdateFields?
    public var state: UpdateState
    public var createdBy: String?
    public var createdAt: Date?
    /// The messages, all of them in a preview; a queued update lists its first 1,000.
    public var messages: [MessageView]
    /// How many messages the update has in all.
    public var messageCount: Int
    /// What a captain should know before sending: SMS over the segment budget, by language. Absent when there is nothing.
    public var warnings: [String]?
    /// Queued updates: where it stands, from its messages.
    public var progress: UpdateProgress?
    /// Queued updates: every message by state (`{"delivered": 12, "failed": 1}`).
    public var messageStates: [String: Int]?
    /// Who is told and who is not, and why; once sent, how each victim's messages fared.
    public var reach: ReachReport?

    /// A digest of exactly who gets which words (contact point, channel,
    /// language, subject, body of every message) and of the request: what a
    /// second person approves (`POST /v1/approvals/{id}/approve`).
    public var previewDigest: String?
    /// Set when the update waits for a second person's approval (answered 202): nothing is queued until then.
    public var approval: ApprovalSummary?

    enum CodingKeys: String, CodingKey {
        case id, event, fields, state, messages, warnings, target, progress, reach
        case caseNumber = "case_number"
        case patternId = "pattern_id"
        case patternName = "pattern_name"
        case messageStates = "message_states"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case previewDigest = "preview_digest"
        case approval
        case messageCount = "message_count"
    }

    public init(
        id: Int64?, caseNumber: String?, event: Event, fields: UpdateFields?, state: UpdateState, createdBy: String?, createdAt: Date?,
        messages: [MessageView],
        messageCount: Int? = nil
    ) {
        self.messageCount = messageCount ?? messages.count
        self.id = id
        self.caseNumber = caseNumber
        self.event = event
        self.fields = fields
        self.state = state
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.messages = messages
    }
}

public struct MessageList: Codable, Sendable {
    public var messages: [MessageView]
    public init(messages: [MessageView]) { self.messages = messages }
}

public struct StaffCreate: Codable, Sendable {
    public var name: String
    public var role: StaffRole
    /// Languages the person speaks, BCP 47.
    public var languages: [LanguageTag]?

    public init(name: String, role: StaffRole, languages: [LanguageTag]? = nil) {
        self.name = name
        self.role = role
        self.languages = languages
    }
}

public struct StaffView: Codable, Sendable {
    public var id: Int64
    public var name: String
    public var role: StaffRole
    public var languages: [String]
    /// Present only in the answer that created it: the token is shown once.
    public var token: String?
    /// Set while the account is disabled: none of its tokens work.
    public var disabledAt: Date?
    /// When the token in `token` stops working.
    public var tokenExpiresAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, name, role, languages, token
        case disabledAt = "disabled_at"
        case tokenExpiresAt = "token_expires_at"
    }

    public init(
        id: Int64, name: String, role: StaffRole, languages: [String], token: String?, disabledAt: Date? = nil, tokenExpiresAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.languages = languages
        self.token = token
        self.disabledAt = disabledAt
        self.tokenExpiresAt = tokenExpiresAt
    }
}

/// A reply from a victim, as staff see it in the inbox.
public struct InboundView: Codable, Sendable {
    public var id: Int64
    public var receivedAt: Date
    public var victimId: Int64?
    public var victimName: String?
    public var from: String
    public var cases: [String]
    public var language: String?
    public var body: String?
    /// `opt_out`, `opt_in`, `help`, `language` for keywords; absent for free text.
    public var intent: String?
    public var handledAt: Date?
    public var handledBy: String?
    /// Free text that may ask to stop: staff decide (`POST /v1/inbox/{id}/opt-out`).
    public var possibleOptOut: Bool
    /// While undecided, routine messages to the number wait until then; after it, the reply counts as an opt-out.
    public var holdUntil: Date?
    /// How the hold ended: `opted_out`, `not_opt_out`, `victim_replied`, `expired`.
    public var holdResolution: String?
    /// What the staff member who marked it handled noted.
    public var handledNote: String?

    enum CodingKeys: String, CodingKey {
        case id, from, cases, language, body, intent
        case receivedAt = "received_at"
        case victimId = "victim_id"
        case victimName = "victim_name"
        case handledAt = "handled_at"
        case handledBy = "handled_by"
        case possibleOptOut = "possible_opt_out"
        case holdUntil = "hold_until"
        case holdResolution = "hold_resolution"
        case handledNote = "handled_note"
    }

    public init(
        id: Int64, receivedAt: Date, victimId: Int64?, victimName: String?, from: String, cases: [String], language: String?, body: String?,
        intent: String?, handledAt: Date?, handledBy: String?, possibleOptOut: Bool = false, holdUntil: Date? = nil, holdResolution: String? = nil,
        handledNote: String? = nil
    ) {
        self.handledNote = handledNote
        self.possibleOptOut = possibleOptOut
        self.holdUntil = holdUntil
        self.holdResolution = holdResolution
        self.id = id
        self.receivedAt = receivedAt
        self.victimId = victimId
        self.victimName = victimName
        self.from = from
        self.cases = cases
        self.language = language
        self.body = body
        self.intent = intent
        self.handledAt = handledAt
        self.handledBy = handledBy
    }
}

public struct InboxList: Codable, Sendable {
    public var replies: [InboundView]
    public init(replies: [InboundView]) { self.replies = replies }
}

/// One entry of a message's history: every attempt and status change.
public struct HistoryEntry: Codable, Sendable {
    public var at: Date
    public var kind: String
    public var actor: String
    public var detail: String?

    public init(at: Date, kind: String, actor: String, detail: String?) {
        self.at = at
        self.kind = kind
        self.actor = actor
        self.detail = detail
    }
}

/// A message with its whole history, for an export.
public struct MessageHistory: Codable, Sendable {
    public var message: MessageView
    public var history: [HistoryEntry]

    public init(message: MessageView, history: [HistoryEntry]) {
        self.message = message
        self.history = history
    }
}

/// The whole history of a case or a victim (SPEC §5 flow 7): every consent,
/// message, status change and reply, and whether the logs' chains are intact.
public struct HistoryExport: Codable, Sendable {
    public var generatedAt: Date
    public var generatedBy: String
    public var scope: String
    public var chainsIntact: Bool
    public var chainBreaks: [String]
    public var cases: [CaseView]
    public var victims: [VictimView]
    public var messages: [MessageHistory]
    public var inbound: [InboundView]

    enum CodingKeys: String, CodingKey {
        case scope, cases, victims, messages, inbound
        case generatedAt = "generated_at"
        case generatedBy = "generated_by"
        case chainsIntact = "chains_intact"
        case chainBreaks = "chain_breaks"
    }

    public init(
        generatedAt: Date, generatedBy: String, scope: String, chainsIntact: Bool, chainBreaks: [String], cases: [CaseView], victims: [VictimView],
        messages: [MessageHistory], inbound: [InboundView]
    ) {
        self.generatedAt = generatedAt
        self.generatedBy = generatedBy
        self.scope = scope
        self.chainsIntact = chainsIntact
        self.chainBreaks = chainBreaks
        self.cases = cases
        self.victims = victims
        self.messages = messages
        self.inbound = inbound
    }
}

/// Puts a case on legal hold or lifts it.
public struct LegalHoldInput: Codable, Sendable {
    public var hold: Bool
    public init(hold: Bool) { self.hold = hold }
}

/// Assigns a captain to a case, so they see it and its victims.
public struct CaseStaffAssignment: Codable, Sendable {
    public var staffId: Int64

    enum CodingKeys: String, CodingKey { case staffId = "staff_id" }

    public init(staffId: Int64) { self.staffId = staffId }
}

/// A staff member's decision on a possible opt-out (`POST /v1/inbox/{id}/opt-out`).
public struct OptOutDecision: Codable, Sendable {
    /// True: the reply was an opt-out; false: it was not, and routine messages resume.
    public var optOut: Bool

    enum CodingKeys: String, CodingKey, CaseIterable {
        case optOut = "opt_out"
    }

    public init(optOut: Bool) { self.optOut = optOut }
}
