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
    case optOutConfirmation = "opt_out_confirmation"
    case optInConfirmation = "opt_in_confirmation"
    case help
    case languageChanged = "language_changed"
    case replyAck = "reply_ack"

    /// Urgent events ignore quiet hours (G7).
    public var isUrgent: Bool {
        switch self {
        case .released, .escape, .recapture: true
        default: false
        }
    }

    /// Answers to a victim's own reply: they go at once, whatever the hour,
    /// because the victim just wrote.
    public var isReply: Bool {
        switch self {
        case .optOutConfirmation, .optInConfirmation, .help, .languageChanged, .replyAck: true
        default: false
        }
    }

    /// Events a staff account may queue as an update on a case.
    public var isQueueable: Bool {
        switch self {
        case .welcome, .courtDateReminder, .discreet, .optOutConfirmation, .optInConfirmation, .help,
            .languageChanged, .replyAck:
            false
        default:
            true
        }
    }

    /// Whether the event is about a case (and so its templates see the case variables).
    public var isCaseEvent: Bool {
        switch self {
        case .welcome, .discreet, .optOutConfirmation, .optInConfirmation, .help, .languageChanged, .replyAck:
            false
        default:
            true
        }
    }

    /// The events staff can queue, for error messages and help texts.
    public static var queueable: [Event] { allCases.filter(\.isQueueable) }
}
