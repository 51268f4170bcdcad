import Foundation

/// Whether a victim is told of an update, and if not, why.
public enum ReachOutcome: String, Codable, Sendable, CaseIterable {
    /// At least one contact point with consent, and a template in the victim's language.
    case told
    /// Contact points, none opted in and at least one still waiting for consent.
    case consentPending = "consent_pending"
    /// No phone number or email address on file.
    case noContactPoint = "no_contact_point"
    /// Every contact point opted out.
    case optedOut = "opted_out"
    /// A contact point with consent, but no template (or custom text) in the victim's language.
    case noTemplate = "no_template"
    /// `aviso case show`: consented, but nothing sent or delivered yet (queued, failed, expired …).
    case notReachedYet = "not_reached_yet"

    /// "has not consented", as a captain says it, singular or plural.
    public func phrase(_ count: Int) -> String {
        let one = count == 1
        return switch self {
        case .told: "told"
        case .noContactPoint: one ? "has no contact point" : "have no contact point"
        case .consentPending: one ? "has not consented" : "have not consented"
        case .optedOut: "opted out"
        case .noTemplate: one ? "has no template in their language" : "have no template in their language"
        case .notReachedYet: "not reached yet"
        }
    }
}

/// One contact point an update reaches, and, once queued, how its message fared.
public struct ContactReach: Codable, Sendable {
    public var contactPointId: Int64
    public var channel: Channel
    public var language: String
    /// Queued updates: the message of the event (not its reminders) and its state.
    public var messageId: Int64?
    public var state: MessageState?
    /// A failed message: why.
    public var lastError: String?

    enum CodingKeys: String, CodingKey {
        case channel, language, state
        case contactPointId = "contact_point_id"
        case messageId = "message_id"
        case lastError = "last_error"
    }

    public init(
        contactPointId: Int64, channel: Channel, language: String, messageId: Int64? = nil, state: MessageState? = nil, lastError: String? = nil
    ) {
        self.contactPointId = contactPointId
        self.channel = channel
        self.language = language
        self.messageId = messageId
        self.state = state
        self.lastError = lastError
    }
}

/// One victim's reach.
public struct VictimReach: Codable, Sendable {
    public var victimId: Int64
    public var victimName: String?
    /// The victim's own case: the number their messages name.
    public var caseNumber: String?
    public var outcome: ReachOutcome
    /// Told in discreet mode: `instead` names what they get (`discreet`, `discreet_urgent`).
    public var discreet: Bool
    public var instead: String?
    /// Why not, in words (`the SMS number is waiting for consent`).
    public var detail: String?
    /// The contact points told.
    public var contacts: [ContactReach]
    /// Queued updates: the best state among the victim's messages (`delivered` over `sent` over `failed` …).
    public var status: MessageState?

    enum CodingKeys: String, CodingKey {
        case outcome, discreet, instead, detail, contacts, status
        case victimId = "victim_id"
        case victimName = "victim_name"
        case caseNumber = "case_number"
    }

    public init(
        victimId: Int64, victimName: String?, caseNumber: String?, outcome: ReachOutcome, discreet: Bool, instead: String? = nil,
        detail: String? = nil, contacts: [ContactReach] = [], status: MessageState? = nil
    ) {
        self.victimId = victimId
        self.victimName = victimName
        self.caseNumber = caseNumber
        self.outcome = outcome
        self.discreet = discreet
        self.instead = instead
        self.detail = detail
        self.contacts = contacts
        self.status = status
    }
}

/// Who an update tells and who it does not, and why (in a preview and on a
/// queued update); once sent, how each victim's messages fared.
public struct ReachReport: Codable, Sendable {
    /// Every victim of the target the caller may reach, each once.
    public var victimCount: Int
    /// Victims by outcome (`{"told": 2, "consent_pending": 1, "no_contact_point": 1}`).
    public var outcomes: [String: Int]
    /// Queued updates: told victims by the best state of their messages.
    public var statuses: [String: Int]?
    /// "4 victims: 2 told, 1 has not consented, 1 has no contact point".
    public var summary: String
    /// Victims, those not told first; at most `listedLimit`.
    public var victims: [VictimReach]

    public static let listedLimit = 1000

    enum CodingKeys: String, CodingKey {
        case outcomes, statuses, summary, victims
        case victimCount = "victim_count"
    }

    /// A report of every victim, listed in full (up to `listedLimit`).
    public init(victims all: [VictimReach], statuses: [String: Int]? = nil) {
        var outcomes: [String: Int] = [:]
        for victim in all { outcomes[victim.outcome.rawValue, default: 0] += 1 }
        self.init(
            listed: all.filter { $0.outcome != .told } + all.filter { $0.outcome == .told }, outcomes: outcomes,
            discreetTold: all.filter { $0.outcome == .told && $0.discreet }.count, statuses: statuses)
    }

    /// A report from counts, listing only `listed` (a fan-out of 100,000 lists the first 1,000).
    public init(listed: [VictimReach], outcomes: [String: Int], discreetTold: Int, statuses: [String: Int]? = nil) {
        victimCount = outcomes.values.reduce(0, +)
        self.outcomes = outcomes
        self.statuses = statuses
        var summary = Self.summary(victimCount: victimCount, outcomes: outcomes, discreet: discreetTold)
        if let statuses, !statuses.isEmpty {
            let told = MessageState.allCases.sorted { $0.reachRank < $1.reachRank }.compactMap { state in
                statuses[state.rawValue].map { "\($0) \(state.reachPhrase)" }
            }
            summary += "; of those told: " + told.joined(separator: ", ")
        }
        self.summary = summary
        victims = Array(listed.prefix(Self.listedLimit))
    }

    static func summary(victimCount: Int, outcomes: [String: Int], discreet: Int) -> String {
        var parts = ["\(outcomes[ReachOutcome.told.rawValue] ?? 0) told" + (discreet > 0 ? " (\(discreet) in discreet mode)" : "")]
        for outcome in ReachOutcome.allCases where outcome != .told {
            if let count = outcomes[outcome.rawValue], count > 0 { parts.append("\(count) \(outcome.phrase(count))") }
        }
        return "\(victimCount) victim\(victimCount == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}

extension MessageState {
    /// How good the news is for the victim, best first: a victim's status is their best message's.
    public var reachRank: Int {
        switch self {
        case .delivered: 0
        case .sent: 1
        case .sending: 2
        case .queued: 3
        case .undelivered: 4
        case .failed: 5
        case .suppressed: 6
        case .expired: 7
        case .cancelled: 8
        }
    }

    /// As `aviso update show` says it.
    public var reachPhrase: String {
        switch self {
        case .sent: "sent (no report yet)"
        case .sending: "being handed off"
        default: rawValue
        }
    }
}

extension UpdateProgress {
    /// From the update's state and its messages by state.
    public static func of(state: UpdateState, messageStates: [String: Int]) -> UpdateProgress {
        if state == .cancelled { return .cancelled }
        let waiting = messageStates[MessageState.queued.rawValue] ?? 0
        let total = messageStates.values.reduce(0, +)
        if waiting == total { return .queued }
        let unfinished = waiting + (messageStates[MessageState.sending.rawValue] ?? 0)
        return unfinished == 0 ? .done : .sending
    }
}
