public import Foundation

/// Where an update that needs a second person's approval stands.
public struct ApprovalSummary: Codable, Sendable, Equatable {
    public var id: Int64
    /// `awaiting_approval`, `approved`, `rejected`, or `void` (the preview changed before it was approved).
    public var state: String
    /// Why it needs approval ("released needs a second person's approval").
    public var reason: String

    public init(id: Int64, state: String, reason: String) {
        self.id = id
        self.state = state
        self.reason = reason
    }
}

/// An update waiting for (or decided by) a second person, with the preview the requester saw.
public struct ApprovalView: Codable, Sendable {
    public var id: Int64
    public var state: String
    public var reason: String
    public var caseNumber: String?
    public var patternId: Int64?
    public var event: Event
    public var requestedBy: String
    public var requestedAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var note: String?
    /// The update queued on approval.
    public var updateId: Int64?
    /// The digest of the preview; an approval names it, and it must still be what the update would send.
    public var previewDigest: String
    /// The preview as the requester saw it.
    public var preview: UpdateView?

    enum CodingKeys: String, CodingKey {
        case id, state, reason, event, note, preview
        case caseNumber = "case_number"
        case patternId = "pattern_id"
        case requestedBy = "requested_by"
        case requestedAt = "requested_at"
        case decidedBy = "decided_by"
        case decidedAt = "decided_at"
        case updateId = "update_id"
        case previewDigest = "preview_digest"
    }

    public init(
        id: Int64, state: String, reason: String, caseNumber: String?, patternId: Int64?, event: Event, requestedBy: String, requestedAt: Date,
        decidedBy: String?, decidedAt: Date?, note: String?, updateId: Int64?, previewDigest: String, preview: UpdateView?
    ) {
        self.id = id
        self.state = state
        self.reason = reason
        self.caseNumber = caseNumber
        self.patternId = patternId
        self.event = event
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
        self.note = note
        self.updateId = updateId
        self.previewDigest = previewDigest
        self.preview = preview
    }
}

public struct ApprovalList: Codable, Sendable {
    public var approvals: [ApprovalView]
    public init(approvals: [ApprovalView]) { self.approvals = approvals }
}

/// A second person's decision. Approving names the preview's digest: the update is queued only if it still sends exactly that.
public struct ApprovalDecision: Codable, Sendable {
    public var previewDigest: String?
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case note
        case previewDigest = "preview_digest"
    }

    public init(previewDigest: String? = nil, note: String? = nil) {
        self.previewDigest = previewDigest
        self.note = note
    }
}

/// Which updates wait for a second person (`approval.events`, `approval.recipients_over`, `approval.urgent_skips`).
public struct ApprovalPolicy: Sendable, Equatable {
    public var events: Set<Event>
    /// More victims told than this needs approval; nil: no threshold.
    public var recipientsOver: Int?
    /// Urgent events (released, escape, recapture) never wait.
    public var urgentSkips: Bool

    public init(events: Set<Event> = [], recipientsOver: Int? = nil, urgentSkips: Bool = true) {
        self.events = events
        self.recipientsOver = recipientsOver
        self.urgentSkips = urgentSkips
    }

    /// Why an update of `event` telling `recipients` victims needs approval, or nil.
    public func reason(event: Event, recipients: Int) -> String? {
        if urgentSkips && event.isUrgent { return nil }
        if events.contains(event) { return "\(event.rawValue) updates need a second person's approval" }
        if let over = recipientsOver, recipients > over {
            return "an update telling \(recipients) victims (more than \(over)) needs a second person's approval"
        }
        return nil
    }

    /// Whether an update of `event` can need approval at all; when false, no preview is needed to decide.
    public func mayApply(to event: Event) -> Bool {
        if urgentSkips && event.isUrgent { return false }
        return events.contains(event) || recipientsOver != nil
    }
}
