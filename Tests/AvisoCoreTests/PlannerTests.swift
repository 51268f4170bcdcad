import AvisoCore
import AvisoTesting
import Foundation
import Testing

@Suite struct PlannerTests {
    let catalog: TemplateCatalog
    let planner: UpdatePlanner

    init() throws {
        catalog = try repositoryTemplates()
        planner = UpdatePlanner(catalog: catalog, policy: testPolicy())
    }

    func recipient(_ id: Int64, _ language: String, zone: TimeZone = chicago, discreet: Bool = false, channels: [Channel] = [.sms]) throws
        -> Recipient
    {
        Recipient(
            victimId: id, language: try LanguageTag(language), timeZone: zone, discreet: discreet,
            contactPoints: channels.enumerated().map { RecipientAddress(contactPointId: id * 10 + Int64($0.offset), channel: $0.element) })
    }

    func fields(_ event: Event, _ fields: UpdateFields = UpdateFields()) throws -> ValidatedFields {
        try fields.validated(for: event, catalog: catalog, departmentZone: chicago)
    }

    let facts = CaseFacts(number: "KC-2025-004512", offense: "armed_robbery")

    @Test func oneMessagePerContactPointInTheVictimsLanguage() throws {
        let charges = try fields(
            .chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2), Charge(offense: "armed_criminal_action", count: 1)]))
        let messages = try planner.plan(
            event: .chargesFiled, fields: charges, caseFacts: facts,
            recipients: [try recipient(1, "es"), try recipient(2, "es-MX", channels: [.sms, .email]), try recipient(3, "en", channels: [.email])],
            previousHearing: nil, sendAt: nil, now: instant("2026-06-10T12:00"))
        #expect(messages.count == 4)
        #expect(messages.map(\.language) == ["es", "es", "es", "en"])
        let spanish = try #require(messages.first)
        #expect(spanish.body.contains("2 cargos de robo a mano armada"))
        #expect(spanish.body.contains("1 cargo de acción criminal armada"))
        #expect(spanish.sms?.encoding == .ucs2)
        let english = try #require(messages.last)
        #expect(english.body.contains("2 counts of armed robbery"))
        #expect(english.body.contains("1 count of armed criminal action"))
        #expect(english.subject?.contains("KC-2025-004512") == true)
    }

    @Test func routineMessagesWaitForMorningButUrgentOnesDoNot() throws {
        let night = instant("2026-06-10T23:30")
        let routine = try planner.plan(
            event: .arrest, fields: try fields(.arrest), caseFacts: facts, recipients: [try recipient(1, "es")], previousHearing: nil, sendAt: nil,
            now: night)
        #expect(routine.first?.dueAt == instant("2026-06-11T08:00"))
        let urgent = try planner.plan(
            event: .released, fields: try fields(.released, UpdateFields(reason: .bond)), caseFacts: facts, recipients: [try recipient(1, "es")],
            previousHearing: nil, sendAt: nil, now: night)
        #expect(urgent.first?.dueAt == night)
    }

    @Test func aMissingTranslationFailsTheWholeUpdateNamingLanguageAndTemplate() throws {
        let noTagalog = Recipient(
            victimId: 9, language: try LanguageTag("tl"), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 90, channel: .sms)])
        #expect {
            try planner.plan(
                event: .arrest, fields: try fields(.arrest), caseFacts: facts, recipients: [try recipient(1, "es"), noTagalog],
                previousHearing: nil, sendAt: nil, now: instant("2026-06-10T12:00"))
        } throws: { error in
            guard let error = error as? AvisoError else { return false }
            return error.kind == .missingTranslation && error.detail.contains("'tl'") && error.detail.contains("arrest.sms.mustache")
        }
    }

    @Test func customTextMustExistForEveryRecipientLanguage() throws {
        let onlyEnglish = try fields(.custom, UpdateFields(text: ["en": "The suspect's hearing moved."]))
        #expect(throws: AvisoError.self) {
            try planner.plan(
                event: .custom, fields: onlyEnglish, caseFacts: facts, recipients: [try recipient(1, "es-MX")], previousHearing: nil, sendAt: nil,
                now: instant("2026-06-10T12:00"))
        }
        let both = try fields(.custom, UpdateFields(text: ["en": "Hello", "es": "Hola, su caso avanza."]))
        let messages = try planner.plan(
            event: .custom, fields: both, caseFacts: facts, recipients: [try recipient(1, "es-MX")], previousHearing: nil, sendAt: nil,
            now: instant("2026-06-10T12:00"))
        #expect(messages.first?.body.contains("Hola, su caso avanza.") == true)
    }

    @Test func courtDateSchedulesRemindersSevenDaysAndOneDayBeforeAtTenVictimLocal() throws {
        let hearing = try fields(.courtDate, UpdateFields(startsAt: "2026-03-03T09:00", place: "Jackson County Courthouse"))
        let messages = try planner.plan(
            event: .courtDate, fields: hearing, caseFacts: facts, recipients: [try recipient(1, "es")], previousHearing: nil, sendAt: nil,
            now: instant("2026-02-10T12:00"))
        #expect(messages.map(\.event) == [.courtDate, .courtDateReminder, .courtDateReminder])
        #expect(messages[1].dueAt == instant("2026-02-24T10:00"))
        #expect(messages[2].dueAt == instant("2026-03-02T10:00"))
        #expect(messages[0].body.contains("3 de marzo"))
        #expect(messages[1].body.contains("7 días"))
        #expect(messages[2].body.contains("mañana"))
    }

    @Test func remindersThatWouldBeInThePastAreSkipped() throws {
        let hearing = try fields(.courtDate, UpdateFields(startsAt: "2026-03-03T09:00", place: "Courthouse"))
        let messages = try planner.plan(
            event: .courtDate, fields: hearing, caseFacts: facts, recipients: [try recipient(1, "en")], previousHearing: nil, sendAt: nil,
            now: instant("2026-02-27T12:00"))
        #expect(messages.map(\.event) == [.courtDate, .courtDateReminder])
    }

    @Test func discreetVictimsGetOnlyARequestToCall() throws {
        let charges = try fields(.chargesFiled, UpdateFields(charges: [Charge(offense: "armed_robbery", count: 2)]))
        let messages = try planner.plan(
            event: .chargesFiled, fields: charges, caseFacts: facts, recipients: [try recipient(1, "es", discreet: true)], previousHearing: nil,
            sendAt: nil, now: instant("2026-06-10T12:00"))
        let body = try #require(messages.first?.body)
        #expect(messages.first?.event == .discreet)
        #expect(!body.contains("KC-2025-004512") && !body.localizedLowercase.contains("robo") && !body.localizedLowercase.contains("policía"))
        #expect(body.contains("+1 816 234 5000"))
    }

    @Test func fieldsAreCheckedAgainstTheEvent() throws {
        #expect(throws: AvisoError.self) { try fields(.arrest, UpdateFields(place: "Courthouse")) }
        #expect(throws: AvisoError.self) { try fields(.courtDate, UpdateFields(place: "Courthouse")) }
        #expect(throws: AvisoError.self) { try fields(.chargesFiled, UpdateFields(charges: [Charge(offense: "jaywalking_on_mars", count: 1)])) }
        #expect(throws: AvisoError.self) { try fields(.chargesFiled, UpdateFields(charges: [Charge(offense: "robbery", count: 0)])) }
        #expect(throws: AvisoError.self) { try fields(.courtDate, UpdateFields(startsAt: "March 3", place: "Courthouse")) }
    }

    @Test func aHearingInThePastIsRefused() throws {
        let hearing = try fields(.courtDate, UpdateFields(startsAt: "2026-03-03T09:00", place: "Courthouse"))
        #expect(throws: AvisoError.self) {
            try planner.plan(
                event: .courtDate, fields: hearing, caseFacts: facts, recipients: [try recipient(1, "en")], previousHearing: nil, sendAt: nil,
                now: instant("2026-03-04T12:00"))
        }
    }
}

extension PlannerTests {
    @Test func aLongSMSIsPreviewedWithAWarningNamingLanguageAndEvent() throws {
        let long = String(repeating: "Le informamos que la investigación continúa. ", count: 20)
        let custom = try fields(.custom, UpdateFields(text: ["es": long, "en": "Short news."]))
        let messages = try planner.plan(
            event: .custom, fields: custom, caseFacts: facts, recipients: [try recipient(1, "es"), try recipient(2, "en")], previousHearing: nil,
            sendAt: nil, now: instant("2026-06-10T12:00"))
        let warnings = try #require(PlannedMessage.segmentWarnings(messages))
        #expect(warnings.count == 1)
        #expect(warnings[0].contains("es SMS (custom)") && warnings[0].contains("segments"), "\(warnings)")
        let short = try planner.plan(
            event: .arrest, fields: try fields(.arrest), caseFacts: facts, recipients: [try recipient(1, "es")], previousHearing: nil, sendAt: nil,
            now: instant("2026-06-10T12:00"))
        #expect(PlannedMessage.segmentWarnings(short) == nil)
    }
}
