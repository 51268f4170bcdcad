public import Foundation

/// A victim as the planner sees them: language, zone, mode, and the contact
/// points that have consent.
public struct Recipient: Sendable {
    public var victimId: Int64
    public var language: LanguageTag
    public var timeZone: TimeZone
    public var discreet: Bool
    public var contactPoints: [RecipientAddress]

    public init(victimId: Int64, language: LanguageTag, timeZone: TimeZone, discreet: Bool, contactPoints: [RecipientAddress]) {
        self.victimId = victimId
        self.language = language
        self.timeZone = timeZone
        self.discreet = discreet
        self.contactPoints = contactPoints
    }
}

/// One consented contact point of a recipient.
public struct RecipientAddress: Sendable {
    public var contactPointId: Int64
    public var channel: Channel

    public init(contactPointId: Int64, channel: Channel) {
        self.contactPointId = contactPointId
        self.channel = channel
    }
}

/// What messages need to know about the case.
public struct CaseFacts: Sendable {
    public var number: String
    /// The offense code (`armed_robbery`), translated through `terms.txt`.
    public var offense: String

    public init(number: String, offense: String) {
        self.number = number
        self.offense = offense
    }
}

/// A hearing announced by an earlier update, for `court_date_changed` and `hearing_cancelled`.
public struct Hearing: Sendable {
    public var startsAt: Date
    public var place: String

    public init(startsAt: Date, place: String) {
        self.startsAt = startsAt
        self.place = place
    }
}

/// One message the planner decided to send: rendered, addressed and scheduled.
public struct PlannedMessage: Sendable, Equatable {
    public var victimId: Int64
    public var contactPointId: Int64
    public var channel: Channel
    /// The template folder that rendered it (`es` for a victim who prefers `es-MX`).
    public var language: String
    public var event: Event
    public var subject: String?
    public var body: String
    public var dueAt: Date
    public var sms: SMSEncoding.Measure?
    /// The template's review status (`not reviewed`, `reviewed by …`).
    public var review: String
}

/// Turns an update into messages: one per consented contact point, in the
/// victim's language, scheduled around quiet hours, with court reminders.
/// Pure: the caller supplies the clock's reading and loads what it needs.
public struct UpdatePlanner: Sendable {
    public var catalog: TemplateCatalog
    public var policy: MessagePolicy

    public init(catalog: TemplateCatalog, policy: MessagePolicy) {
        self.catalog = catalog
        self.policy = policy
    }

    /// Plans every message of an update. Every missing translation among the
    /// recipients is reported at once, and then nothing is planned (G6).
    public func plan(
        event: Event, fields: ValidatedFields, caseFacts: CaseFacts, recipients: [Recipient], previousHearing: Hearing?,
        sendAt requested: Date?, now: Date
    ) throws(AvisoError) -> [PlannedMessage] {
        if let startsAt = fields.startsAt, startsAt <= now, event == .courtDate || event == .courtDateChanged || event == .bondHearing {
            throw .invalid(
                "fields.starts_at",
                "The hearing time \(ISO8601DateFormatter().string(from: startsAt)) is in the past. Give the date and time of the coming hearing.")
        }
        if let requested, requested > now.addingTimeInterval(366 * 86400) {
            throw .invalid("send_at", "send_at is more than a year away. Queue the update closer to the time.")
        }
        let base = max(requested ?? now, now)
        var messages: [PlannedMessage] = []
        messages.reserveCapacity(recipients.reduce(0) { $0 + $1.contactPoints.count })
        var missing: [String] = []
        // Nothing in a message depends on who the victim is beyond their language, time zone,
        // mode and channel, so each such shape is rendered once: a fan-out to 100,000 victims
        // renders a handful of messages, not 100,000.
        var rendered: [Shape: Result<[PlannedMessage], AvisoError>] = [:]
        for recipient in recipients {
            for address in recipient.contactPoints {
                let shape = Shape(
                    language: recipient.language, zone: recipient.timeZone.identifier, discreet: recipient.discreet, channel: address.channel)
                let planned: Result<[PlannedMessage], AvisoError>
                if let cached = rendered[shape] {
                    planned = cached
                } else {
                    planned = Result { () throws(AvisoError) in
                        try plan(
                            event: event, fields: fields, caseFacts: caseFacts, recipient: recipient, address: address,
                            previousHearing: previousHearing,
                            base: base)
                    }
                    rendered[shape] = planned
                }
                switch planned {
                case .success(let shaped):
                    for var message in shaped {
                        message.victimId = recipient.victimId
                        message.contactPointId = address.contactPointId
                        messages.append(message)
                    }
                case .failure(let error) where error.kind == .missingTranslation:
                    missing.append(error.detail)
                case .failure(let error):
                    throw error
                }
            }
        }
        guard missing.isEmpty else {
            let unique = Array(Set(missing)).sorted()
            throw AvisoError(
                .missingTranslation, title: "Missing translation",
                detail: "Nothing was queued for the victims of case \(caseFacts.number):\n" + unique.joined(separator: "\n"))
        }
        return messages
    }

    /// The messages of one recipient's contact point: the event's and, for a hearing, its reminders.
    func plan(
        event: Event, fields: ValidatedFields, caseFacts: CaseFacts, recipient: Recipient, address: RecipientAddress, previousHearing: Hearing?,
        base: Date
    ) throws(AvisoError) -> [PlannedMessage] {
        // Discreet mode (G11): a routine event becomes `discreet`, an urgent one `discreet_urgent`.
        let templateEvent = recipient.discreet ? event.discreetForm : event
        try requireTemplate(templateEvent, address.channel, recipient.language)
        if !recipient.discreet, event == .courtDate || event == .courtDateChanged {
            try requireTemplate(.courtDateReminder, address.channel, recipient.language)
        }
        var context = try caseContext(caseFacts, event: templateEvent, language: recipient.language)
        try addEventContext(&context, event: templateEvent, fields: fields, previousHearing: previousHearing, recipient: recipient)
        let due = policy.daytime.earliestSend(at: base, in: recipient.timeZone, urgent: event.isUrgent)
        var messages = [try message(templateEvent, context: context, recipient: recipient, address: address, dueAt: due)]
        if !recipient.discreet, event == .courtDate || event == .courtDateChanged, let startsAt = fields.startsAt {
            messages += try reminders(for: startsAt, after: due, context: context, recipient: recipient, address: address)
        }
        return messages
    }

    /// What a message's text and time depend on.
    struct Shape: Hashable {
        var language: LanguageTag
        var zone: String
        var discreet: Bool
        var channel: Channel
    }

    /// A system message (welcome, confirmations, help, reply_ack) for one contact point.
    /// A victim in discreet mode receives its discreet form (G11); the message is
    /// still recorded as `event`, so the log and the once-a-day rules see what it answers.
    public func systemMessage(
        _ event: Event, recipient: Recipient, address: RecipientAddress, now: Date, respectQuietHours: Bool
    ) throws(AvisoError) -> PlannedMessage {
        let templateEvent = recipient.discreet ? event.discreetForm : event
        let context = try commonContext(language: recipient.language)
        let due = policy.daytime.earliestSend(at: now, in: recipient.timeZone, urgent: !respectQuietHours)
        return try message(templateEvent, context: context, recipient: recipient, address: address, dueAt: due, loggedAs: event)
    }

    func requireTemplate(_ event: Event, _ channel: Channel, _ language: LanguageTag) throws(AvisoError) {
        guard catalog.has(event, channel, for: language) else {
            throw TemplateCatalog.missing(event, channel, language, folder: catalog.servingLanguage(for: language) ?? language.language)
        }
    }

    func message(
        _ event: Event, context: [String: Any], recipient: Recipient, address: RecipientAddress, dueAt: Date, loggedAs: Event? = nil
    ) throws(AvisoError) -> PlannedMessage {
        let review = catalog.review(event, address.channel, for: recipient.language) ?? "not reviewed"
        if policy.requireReview && !catalog.isReviewed(event, address.channel, for: recipient.language) {
            throw AvisoError(
                .missingTranslation, title: "Template not reviewed",
                detail:
                    "\(catalog.path(event, address.channel, for: recipient.language) ?? event.rawValue) is \(review); templates.require_review is on, so it cannot be sent until a qualified translator signs it."
            )
        }
        var rendered = try catalog.render(event, address.channel, language: recipient.language, context: context)
        // NFC before anything measures or stores it, so what the preview
        // counts is what the provider bills (a decomposed é is GSM-7 too).
        rendered.body = SMSEncoding.normalized(rendered.body)
        rendered.subject = rendered.subject.map(SMSEncoding.normalized)
        if address.channel == .sms && policy.smartEncoding { rendered.body = SMSEncoding.smartReplace(rendered.body) }
        return PlannedMessage(
            victimId: recipient.victimId, contactPointId: address.contactPointId, channel: address.channel,
            language: catalog.servingLanguage(for: recipient.language) ?? recipient.language.value, event: loggedAs ?? event,
            subject: rendered.subject, body: rendered.body, dueAt: dueAt,
            sms: address.channel == .sms ? SMSEncoding.measure(rendered.body) : nil, review: review)
    }

    func reminders(
        for startsAt: Date, after due: Date, context: [String: Any], recipient: Recipient, address: RecipientAddress
    ) throws(AvisoError) -> [PlannedMessage] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = recipient.timeZone
        let hearingDay = calendar.startOfDay(for: startsAt)
        var result: [PlannedMessage] = []
        for days in Set(policy.reminderDays).sorted(by: >) {
            guard let day = calendar.date(byAdding: .day, value: -days, to: hearingDay),
                let at = calendar.date(bySettingHour: policy.reminderMinute / 60, minute: policy.reminderMinute % 60, second: 0, of: day)
            else { continue }
            let sendAt = policy.daytime.earliestSend(at: at, in: recipient.timeZone, urgent: false)
            guard sendAt > due, sendAt < startsAt else { continue }
            var reminderContext = context
            reminderContext["days"] = days
            // "mañana", "tomorrow", "غدًا": the day before reads as a word, not "in 1 day".
            reminderContext["tomorrow"] = days == 1
            reminderContext.merge(PluralRules.flags(for: days, named: "days", language: recipient.language.language)) { _, new in new }
            result.append(try message(.courtDateReminder, context: reminderContext, recipient: recipient, address: address, dueAt: sendAt))
        }
        return result
    }

    func commonContext(language: LanguageTag) throws(AvisoError) -> [String: Any] {
        ["department": try catalog.term("department", for: language), "contact_phone": isolate(policy.contactPhone, language)]
    }

    /// In a right-to-left message, a Latin value (a case number, a phone
    /// number, an address) is set apart with Unicode isolates, so its dashes
    /// and digits keep their order instead of being reordered by the Arabic around it.
    func isolate(_ value: String, _ language: LanguageTag) -> String {
        catalog.isRightToLeft(language) ? "\u{2068}" + value + "\u{2069}" : value
    }

    func caseContext(_ facts: CaseFacts, event: Event, language: LanguageTag) throws(AvisoError) -> [String: Any] {
        var context = try commonContext(language: language)
        if event.isCaseEvent {
            context["case_number"] = isolate(facts.number, language)
            context["offense"] = try catalog.term("offense.\(facts.offense)", for: language)
        }
        return context
    }

    func addEventContext(
        _ context: inout [String: Any], event: Event, fields: ValidatedFields, previousHearing: Hearing?, recipient: Recipient
    ) throws(AvisoError) {
        let language = recipient.language
        let zone = recipient.timeZone
        let locale = catalog.locale(for: language)
        func addHearing(_ startsAt: Date, _ place: String) {
            context["date"] = LocalFormat.date(startsAt, locale: locale, zone: zone)
            context["time"] = LocalFormat.time(startsAt, locale: locale, zone: zone)
            context["place"] = isolate(place, language)
        }
        switch event {
        case .chargesFiled:
            var items: [[String: Any]] = []
            for charge in fields.fields.charges ?? [] {
                var item: [String: Any] = ["count": charge.count, "offense": try catalog.term("offense.\(charge.offense)", for: language)]
                item.merge(PluralRules.flags(for: charge.count, named: "count", language: language.language)) { _, new in new }
                items.append(item)
            }
            context["charges"] = items
        case .bondHearing, .courtDate:
            if let startsAt = fields.startsAt { addHearing(startsAt, fields.fields.place ?? "") }
        case .courtDateChanged:
            if let startsAt = fields.startsAt { addHearing(startsAt, fields.fields.place ?? "") }
            if let previousHearing {
                context["previous_date"] = LocalFormat.date(previousHearing.startsAt, locale: locale, zone: zone)
                context["previous_time"] = LocalFormat.time(previousHearing.startsAt, locale: locale, zone: zone)
            }
        case .hearingCancelled:
            if let previousHearing { addHearing(previousHearing.startsAt, previousHearing.place) }
        case .released:
            for reason in ReleaseReason.allCases { context["reason_\(reason.rawValue)"] = fields.fields.reason == reason }
        case .custom:
            let texts = fields.fields.text ?? [:]
            guard let text = language.fallbacks.lazy.compactMap({ texts[$0] }).first else {
                throw AvisoError(
                    .missingTranslation, title: "Missing translation",
                    detail:
                        "The custom text has no '\(language.language)' version, and a victim of this case reads \(language). Add \"\(language.language)\": \"…\" to fields.text."
                )
            }
            context["text"] = text
        default:
            break
        }
    }
}

extension PlannedMessage {
    /// One warning per language and event whose SMS needs more than `budget`
    /// segments (long custom text, a long place), with the cost multiplier:
    /// each segment is billed as one SMS. Sorted; nil when there is none.
    public static func segmentWarnings(_ messages: [PlannedMessage], over budget: Int = SampleData.smsSegmentBudget) -> [String]? {
        var longest: [String: (event: Event, measure: SMSEncoding.Measure, count: Int)] = [:]
        for message in messages {
            guard let measure = message.sms, measure.segments > budget else { continue }
            let key = "\(message.language) \(message.event.rawValue)"
            let count = (longest[key]?.count ?? 0) + 1
            if (longest[key]?.measure.segments ?? 0) < measure.segments {
                longest[key] = (message.event, measure, count)
            } else {
                longest[key]?.count = count
            }
        }
        guard !longest.isEmpty else { return nil }
        return longest.sorted { $0.key < $1.key }.map { key, value in
            let language = key.split(separator: " ").first.map(String.init) ?? key
            return
                "The \(language) SMS (\(value.event.rawValue)) takes \(value.measure.segments) segments (\(value.measure.encoding.rawValue), \(value.measure.units) characters), more than \(budget): it costs \(value.measure.segments)× a one-segment SMS (\(value.count) message\(value.count == 1 ? "" : "s")) and may arrive out of order. Shorten the text or the place."
        }
    }
}
