/// Every kind of message Aviso renders: the case events of SPEC §4, the
/// automatic court reminders, the discreet-mode replacement and the system
/// messages.
public enum Event: String, Codable, Sendable, CaseIterable {
    case welcome
    case arrest
    case chargesFiled = "charges_filed"
    case chargesDeclined = "charges_declined"
    case bondHearing = "bond_hearing"
    case released
    case courtDate = "court_date"
    case courtDateReminder = "court_date_reminder"
    case courtDateChanged = "court_date_changed"
    case hearingCancelled = "hearing_cancelled"
    case plea
    case sentencing
    case caseClosed = "case_closed"
    case escape
    case recapture
    case custom
    case discreet
    /// Replaces an urgent case event for a victim in discreet mode: "please call today, it is important".
    case discreetUrgent = "discreet_urgent"
    case optOutConfirmation = "opt_out_confirmation"
    case optInConfirmation = "opt_in_confirmation"
    case help
    case languageChanged = "language_changed"
    case replyAck = "reply_ack"
    /// The discreet forms of the system messages (G11): what a contact point in
    /// discreet mode receives instead of the message that names the department.
    case discreetOptOutConfirmation = "discreet_opt_out_confirmation"
    case discreetOptInConfirmation = "discreet_opt_in_confirmation"
    case discreetHelp = "discreet_help"
    case discreetLanguageChanged = "discreet_language_changed"
    case discreetReplyAck = "discreet_reply_ack"
    /// A staff member's own answer to a victim's reply (SPEC §2.5): their text, as written.
    case staffReply = "staff_reply"

    /// Urgent events ignore quiet hours (G7).
    public var isUrgent: Bool {
        switch self {
        case .released, .escape, .recapture, .discreetUrgent: true
        default: false
        }
    }

    /// The template a victim in discreet mode receives in place of this event
    /// (SPEC §2.6, G11): `discreet` for a routine case event and the welcome,
    /// `discreet_urgent` for an urgent one, the discreet form of a system
    /// message. Discreet forms are their own discreet form.
    public var discreetForm: Event {
        switch self {
        case .optOutConfirmation, .discreetOptOutConfirmation: .discreetOptOutConfirmation
        case .optInConfirmation, .discreetOptInConfirmation: .discreetOptInConfirmation
        case .help, .discreetHelp: .discreetHelp
        case .languageChanged, .discreetLanguageChanged: .discreetLanguageChanged
        case .replyAck, .discreetReplyAck: .discreetReplyAck
        case .discreetUrgent: .discreetUrgent
        // Written by a person for this victim, who was warned the victim is discreet: sent as written.
        case .staffReply: .staffReply
        case _ where isUrgent: .discreetUrgent
        default: .discreet
        }
    }

    /// Whether this is a template written for discreet mode.
    public var isDiscreetForm: Bool { discreetForm == self }

    /// Answers to a victim's own reply: they go at once, whatever the hour,
    /// because the victim just wrote.
    public var isReply: Bool {
        switch self {
        case .optOutConfirmation, .optInConfirmation, .help, .languageChanged, .replyAck, .discreetOptOutConfirmation,
            .discreetOptInConfirmation, .discreetHelp, .discreetLanguageChanged, .discreetReplyAck, .staffReply:
            true
        default: false
        }
    }

    /// The dispatcher's lane (SPEC §7 fairness): 0 for answers to the victim,
    /// 1 for urgent events, 2 for everything routine. A lower lane is claimed
    /// first; within lane 2 the updates share the gateway.
    public var lane: Int {
        if isReply { return 0 }
        if isUrgent { return 1 }
        return 2
    }

    /// Events a staff account may queue as an update on a case.
    public var isQueueable: Bool {
        switch self {
        case .welcome, .courtDateReminder, .discreet, .discreetUrgent, .optOutConfirmation, .optInConfirmation, .help,
            .languageChanged, .replyAck, .discreetOptOutConfirmation, .discreetOptInConfirmation, .discreetHelp, .discreetLanguageChanged,
            .discreetReplyAck, .staffReply:
            false
        default:
            true
        }
    }

    /// Whether the event is about a case (and so its templates see the case variables).
    public var isCaseEvent: Bool {
        switch self {
        case .welcome, .discreet, .discreetUrgent, .optOutConfirmation, .optInConfirmation, .help, .languageChanged, .replyAck,
            .discreetOptOutConfirmation, .discreetOptInConfirmation, .discreetHelp, .discreetLanguageChanged, .discreetReplyAck, .staffReply:
            false
        default:
            true
        }
    }

    /// The events staff can queue, for error messages and help texts.
    public static var queueable: [Event] { allCases.filter(\.isQueueable) }
}
