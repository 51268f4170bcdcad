public import Foundation

/// `POST /v1/inbox/{id}/reply`: a staff member answers a victim's reply in their own words.
public struct StaffReplyInput: Codable, Sendable {
    public var text: String
    public init(text: String) { self.text = text }

    /// One to 1,600 characters (ten SMS segments of GSM-7), line breaks allowed.
    public func validated() throws(AvisoError) -> String {
        let trimmed = text.trimmingWhitespace()
        try TextInput.check(trimmed, field: "text", lineBreaks: true)
        guard (1...1600).contains(trimmed.count) else {
            throw .invalid("text", "A reply has 1 to 1,600 characters; this one has \(trimmed.count).")
        }
        return trimmed
    }
}

/// The staff reply as queued, and what the staff member should know about it.
public struct StaffReplyView: Codable, Sendable {
    public var message: MessageView
    /// The victim's language is not one the staff member lists; the victim is discreet.
    public var warnings: [String]

    public init(message: MessageView, warnings: [String]) {
        self.message = message
        self.warnings = warnings
    }
}

/// `POST /v1/inbox/{id}/handled`: an optional note on how the reply was handled.
public struct HandledInput: Codable, Sendable {
    public var note: String?
    public init(note: String?) { self.note = note }

    public func validated() throws(AvisoError) -> String? {
        guard let note else { return nil }
        let trimmed = note.trimmingWhitespace()
        if trimmed.isEmpty { return nil }
        try TextInput.check(trimmed, field: "note", lineBreaks: true)
        guard trimmed.count <= 2000 else { throw .invalid("note", "A note has at most 2,000 characters.") }
        return trimmed
    }
}

/// One message of a victim's thread, in either direction.
public struct ConversationEntry: Codable, Sendable {
    /// `outbound` (to the victim) or `inbound` (from the victim).
    public var direction: String
    public var at: Date
    public var channel: Channel
    public var address: String?
    /// Outbound: the event (`staff_reply` for a person's answer); inbound: nil for free text, else the keyword.
    public var event: String?
    public var body: String?
    /// Outbound: the message's state; inbound: `handled` or `unhandled`.
    public var state: String
    /// Outbound: the message id; inbound: the reply id (aviso inbox).
    public var id: Int64
    public var caseNumber: String?
    /// The staff member who wrote a staff reply, or who marked an inbound reply handled.
    public var staff: String?
    /// Inbound: the note left when it was marked handled. Outbound staff reply: the reply it answers.
    public var note: String?
    public var inReplyTo: Int64?

    enum CodingKeys: String, CodingKey {
        case direction, at, channel, address, event, body, state, id, staff, note
        case caseNumber = "case_number"
        case inReplyTo = "in_reply_to"
    }

    public init(
        direction: String, at: Date, channel: Channel, address: String?, event: String?, body: String?, state: String, id: Int64,
        caseNumber: String?, staff: String?, note: String?, inReplyTo: Int64?
    ) {
        self.direction = direction
        self.at = at
        self.channel = channel
        self.address = address
        self.event = event
        self.body = body
        self.state = state
        self.id = id
        self.caseNumber = caseNumber
        self.staff = staff
        self.note = note
        self.inReplyTo = inReplyTo
    }
}

/// `GET /v1/victims/{id}/conversation`: everything sent to a victim and everything they sent, oldest first.
public struct ConversationView: Codable, Sendable {
    public var victimId: Int64
    public var victimName: String
    public var language: String
    public var timeZone: String
    public var discreet: Bool
    public var entries: [ConversationEntry]

    enum CodingKeys: String, CodingKey {
        case language, discreet, entries
        case victimId = "victim_id"
        case victimName = "victim_name"
        case timeZone = "time_zone"
    }

    public init(victimId: Int64, victimName: String, language: String, timeZone: String, discreet: Bool, entries: [ConversationEntry]) {
        self.victimId = victimId
        self.victimName = victimName
        self.language = language
        self.timeZone = timeZone
        self.discreet = discreet
        self.entries = entries
    }
}

extension UpdatePlanner {
    /// A staff member's answer to a victim's reply, for the contact point the
    /// victim wrote from: due at once whatever the hour, because the victim
    /// just wrote (it takes the dispatcher's first lane). The text is the
    /// staff member's, as written, discreet mode or not: it is their words.
    public func staffReply(_ text: String, recipient: Recipient, address: RecipientAddress, now: Date) throws(AvisoError) -> PlannedMessage {
        var context = try commonContext(language: recipient.language)
        context["text"] = text
        return try message(.staffReply, context: context, recipient: recipient, address: address, dueAt: now)
    }
}

/// `GET /v1/offenses`: the offense codes a case or a charge may name, with
/// what each language's messages call them (from `Templates/<language>/terms.txt`).
public struct OffenseView: Codable, Sendable, Equatable {
    public var code: String
    /// The wording per language, by language tag.
    public var names: [String: String]
    /// Languages with templates that have no wording for it (a case with it cannot message them).
    public var missing: [String]

    public init(code: String, names: [String: String], missing: [String]) {
        self.code = code
        self.names = names
        self.missing = missing
    }
}

public struct OffenseList: Codable, Sendable {
    public var offenses: [OffenseView]
    public init(offenses: [OffenseView]) { self.offenses = offenses }

    public init(catalog: TemplateCatalog) {
        let languages = catalog.languages
        offenses = catalog.terms(withPrefix: "offense.").sorted { $0.key < $1.key }.map { code, names in
            OffenseView(code: code, names: names, missing: languages.filter { names[$0] == nil })
        }
    }
}
