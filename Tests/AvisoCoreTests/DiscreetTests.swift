import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// Discreet mode holds in every message (SPEC §2.6, G11): everything a
/// contact point in discreet mode can receive is rendered in every language
/// and on every channel, and checked against the words of
/// `Tests/Fixtures/discreet/<language>.txt`, the department's name and short
/// name, the case number, every offense and the hearing's place.
@Suite struct DiscreetTests {
    static let languages = DiscreetWords.languages
    static let caseNumber = "KC-2025-004512"
    static let place = "Jackson County Courthouse, 415 E 12th St"
    let catalog: TemplateCatalog
    let planner: UpdatePlanner

    init() throws {
        catalog = try repositoryTemplates()
        planner = UpdatePlanner(catalog: catalog, policy: testPolicy())
    }

    static func forbidden(_ language: String, catalog: TemplateCatalog) throws -> [String] {
        try DiscreetWords.forbidden(language, catalog: catalog)
    }

    static func leaks(in text: String, language: String, forbidden: [String]) -> [String] {
        DiscreetWords.leaks(in: text, language: language, forbidden: forbidden)
    }

    /// The fields of every queueable event, with typical values.
    func fields(for event: Event) throws -> ValidatedFields {
        let hearing = "2026-09-15T09:00"
        let input: UpdateFields =
            switch event {
            case .chargesFiled:
                UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2), Charge(offense: "armed_criminal_action", count: 1)])
            case .bondHearing, .courtDate: UpdateFields(startsAt: hearing, place: Self.place)
            case .courtDateChanged: UpdateFields(startsAt: hearing, place: Self.place, hearingUpdateId: 1)
            case .hearingCancelled: UpdateFields(hearingUpdateId: 1)
            case .released: UpdateFields(reason: .bond)
            case .custom: UpdateFields(text: Dictionary(uniqueKeysWithValues: Self.languages.map { ($0, "Texto del caso \(Self.caseNumber)") }))
            default: UpdateFields()
            }
        return try input.validated(for: event, catalog: catalog, departmentZone: chicago)
    }

    /// Every message a discreet contact point on `channel` can receive in `language`.
    func everyDiscreetMessage(_ language: String, _ channel: Channel) throws -> [PlannedMessage] {
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag(language), timeZone: chicago, discreet: true,
            contactPoints: [RecipientAddress(contactPointId: 10, channel: channel)])
        let now = instant("2026-06-10T12:00")
        var messages: [PlannedMessage] = []
        for event in Event.queueable {
            messages += try planner.plan(
                event: event, fields: try fields(for: event), caseFacts: CaseFacts(number: Self.caseNumber, offense: "armed_robbery"),
                recipients: [recipient], previousHearing: Hearing(startsAt: instant("2026-09-01T09:00"), place: Self.place), sendAt: nil, now: now)
        }
        for event in [Event.welcome, .optOutConfirmation, .optInConfirmation, .help, .languageChanged, .replyAck] {
            messages.append(
                try planner.systemMessage(event, recipient: recipient, address: recipient.contactPoints[0], now: now, respectQuietHours: false))
        }
        return messages
    }

    @Test(arguments: languages, Channel.allCases)
    func noDiscreetMessageNamesThePoliceACaseACourtOrAPlace(_ language: String, _ channel: Channel) throws {
        let forbidden = try Self.forbidden(language, catalog: catalog)
        let messages = try everyDiscreetMessage(language, channel)
        #expect(messages.count == Event.queueable.count + 6, "one message per event, no court reminders")
        for message in messages {
            let text = (message.subject ?? "") + "\n" + message.body
            let found = Self.leaks(in: text, language: language, forbidden: forbidden)
            #expect(found.isEmpty, "\(language) \(channel) \(message.event.rawValue) names \(found): \(text)")
            #expect(text.contains("+1 816 234 5000"), "\(language) \(channel) \(message.event.rawValue) gives no number to call")
        }
    }

    @Test(arguments: languages)
    func everyMessageComesFromADiscreetTemplate(_ language: String) throws {
        let tag = try LanguageTag(language)
        let phone = catalog.isRightToLeft(tag) ? "\u{2068}+1 816 234 5000\u{2069}" : "+1 816 234 5000"
        let context: [String: Any] = ["department": try catalog.term("department", for: tag), "contact_phone": phone]
        for message in try everyDiscreetMessage(language, .sms) {
            if message.event.isCaseEvent || message.event.isDiscreetForm {
                // A case event is recorded as the discreet event that replaced it.
                #expect(message.event == .discreet || message.event == .discreetUrgent, "\(language): \(message.event.rawValue)")
            } else {
                // A system message is recorded as what it answers (help, reply_ack, …) and rendered from its discreet form.
                let form = message.event == .welcome ? Event.discreet : message.event.discreetForm
                #expect(form != message.event && form.isDiscreetForm)
                var expected = try catalog.render(form, .sms, language: tag, context: context).body
                if planner.policy.smartEncoding { expected = SMSEncoding.smartReplace(expected) }
                #expect(message.body == expected, "\(language): \(message.event.rawValue)")
            }
        }
    }

    @Test(arguments: languages)
    func urgentEventsSayItIsUrgentWithoutSayingWhat(_ language: String) throws {
        let messages = try everyDiscreetMessage(language, .sms)
        let urgent = messages.filter { $0.event == .discreetUrgent }
        let routine = messages.filter { $0.event == .discreet }
        // released, escape and recapture; every other case event is the routine request to call.
        #expect(urgent.count == Event.queueable.filter(\.isUrgent).count)
        #expect(routine.count == Event.queueable.filter { !$0.isUrgent }.count)
        #expect(Set(urgent.map(\.body)).count == 1 && Set(routine.map(\.body)).count == 1)
        #expect(urgent.first?.body != routine.first?.body)
        let now = instant("2026-06-10T23:30")
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag(language), timeZone: chicago, discreet: true,
            contactPoints: [RecipientAddress(contactPointId: 10, channel: .sms)])
        let night = try planner.plan(
            event: .escape, fields: try fields(for: .escape), caseFacts: CaseFacts(number: Self.caseNumber, offense: "armed_robbery"),
            recipients: [recipient], previousHearing: nil, sendAt: nil, now: now)
        #expect(night.first?.dueAt == now, "an urgent event to a discreet victim does not wait for the morning")
    }

    @Test func theUrgentFormSaysTodayAndImportant() throws {
        let expected = [
            "en": ["today", "important"], "es": ["hoy", "importante"], "ar": ["اليوم", "مهم"], "bs": ["danas", "Važno"],
            "so": ["maanta", "muhiim"], "sw": ["leo", "muhimu"], "vi": ["hôm nay", "quan trọng"], "my": ["ယနေ့", "အရေးကြီး"],
        ]
        for (language, words) in expected {
            let body = try catalog.render(
                .discreetUrgent, .sms, language: try LanguageTag(language), context: ["department": "x", "contact_phone": "+1 816 234 5000"]
            ).body
            for word in words { #expect(body.contains(word), "\(language): \(body)") }
        }
    }

    /// The check can fail: the ordinary messages a victim not in discreet mode
    /// receives name the department, and the check says so in every language.
    @Test(arguments: languages)
    func theWordListsCatchTheOrdinaryMessages(_ language: String) throws {
        let forbidden = try Self.forbidden(language, catalog: catalog)
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag(language), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 10, channel: .sms)])
        let now = instant("2026-06-10T12:00")
        for event in [Event.help, .replyAck, .optOutConfirmation] {
            let message = try planner.systemMessage(
                event, recipient: recipient, address: recipient.contactPoints[0], now: now, respectQuietHours: false)
            #expect(!Self.leaks(in: message.body, language: language, forbidden: forbidden).isEmpty, "\(language) \(event.rawValue)")
        }
        let court = try planner.plan(
            event: .courtDate, fields: try fields(for: .courtDate), caseFacts: CaseFacts(number: Self.caseNumber, offense: "armed_robbery"),
            recipients: [recipient], previousHearing: nil, sendAt: nil, now: now)
        for message in court {
            let found = Self.leaks(in: message.body, language: language, forbidden: forbidden)
            #expect(found.contains(Self.caseNumber), "\(language) \(message.event.rawValue): \(found)")
        }
    }
}
