import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// Every event in every language, with sample data covering every plural category of that language.
@Suite struct LanguageTests {
    static let languages = ["en", "es", "ar", "so", "sw", "my", "bs", "vi"]
    let catalog: TemplateCatalog

    init() throws { catalog = try repositoryTemplates() }

    /// A count in each CLDR category the language has (Arabic: 0, 1, 2, 3, 11, 100).
    static func sampleCounts(_ language: String) -> [PluralCategory: Int] {
        var counts: [PluralCategory: Int] = [:]
        for n in [1, 2, 3, 5, 11, 21, 100, 1_000_000, 0] where counts[PluralRules.category(of: n, language: language)] == nil {
            counts[PluralRules.category(of: n, language: language)] = n
        }
        return counts
    }

    @Test(arguments: languages)
    func everyEventRendersCompletelyInEveryPluralCategory(_ language: String) throws {
        let tag = try LanguageTag(language)
        #expect(catalog.servingLanguage(for: tag) == language)
        let counts = Self.sampleCounts(language)
        #expect(Set(counts.keys) == Set(PluralRules.categories(of: language)))
        for event in Event.allCases {
            for channel in Channel.allCases {
                for (category, count) in counts {
                    let context = try SampleData.context(for: event, language: tag, catalog: catalog, count: count)
                    let rendered = try catalog.render(event, channel, language: tag, context: context)
                    let where_ = "\(language)/\(event.rawValue).\(channel.rawValue) (\(category.rawValue), \(count))"
                    #expect(!rendered.body.contains("{{") && !rendered.body.contains("}}"), "\(where_)")
                    #expect(!rendered.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(where_)")
                    if channel == .email { #expect(rendered.subject?.isEmpty == false, "\(where_)") }
                    if language != "en" {
                        for english in ["Reply STOP", "your case", "counts of", "call us at", "Hello,"] {
                            #expect(!rendered.body.contains(english), "\(where_) contains English: \(english)")
                        }
                    }
                    if event.isCaseEvent && event != .discreet {
                        #expect(rendered.body.contains("KC-2025-004512"), "\(where_)")
                    }
                }
            }
        }
    }

    @Test(arguments: [
        ("en", [1: "1 count of armed robbery", 2: "2 counts of armed robbery"]),
        ("es", [1: "1 cargo de robo a mano armada", 2: "2 cargos de robo a mano armada", 1_000_000: "1000000 de cargos"]),
        ("ar", [1: "تهمة واحدة", 2: "تهمتان", 3: "3 تهم", 11: "11 تهمة", 100: "100 تهمة", 103: "103 تهم"]),
        ("bs", [1: "1 tačka optužnice", 3: "3 tačke optužnice", 5: "5 tačaka optužnice", 21: "21 tačka optužnice", 12: "12 tačaka optužnice"]),
        ("so", [1: "hal eedeyn", 2: "2 eedeymood"]),
        ("sw", [1: "shtaka 1 la", 2: "mashtaka 2 ya"]),
        ("vi", [1: "(1 cáo buộc)", 5: "(5 cáo buộc)"]),
        ("my", [1: "စွဲချက် 1 ခု", 5: "စွဲချက် 5 ခု"]),
    ])
    func chargesTakeTheRightPluralForm(_ language: String, _ expected: [Int: String]) throws {
        let tag = try LanguageTag(language)
        for (count, phrase) in expected {
            let context = try SampleData.context(for: .chargesFiled, language: tag, catalog: catalog, count: count)
            let body = try catalog.render(.chargesFiled, .sms, language: tag, context: context).body
            #expect(body.contains(phrase), "\(language) \(count): \(body)")
        }
    }

    @Test func regionalTagsFindTheirBaseLanguage() throws {
        for (tag, base) in [("es-MX", "es"), ("es-419", "es"), ("ar-EG", "ar"), ("sw-KE", "sw"), ("so-SO", "so"), ("vi-VN", "vi")] {
            #expect(catalog.servingLanguage(for: try LanguageTag(tag)) == base, "\(tag)")
        }
        #expect(catalog.servingLanguage(for: try LanguageTag("tl")) == nil)
    }

    @Test func arabicDatesUseWesternDigitsAndLatinValuesAreIsolated() throws {
        let planner = UpdatePlanner(catalog: catalog, policy: testPolicy())
        let fields = try UpdateFields(startsAt: "2027-03-02T09:00", place: "Jackson County Courthouse, Courtroom 4A")
            .validated(for: .courtDate, catalog: catalog, departmentZone: chicago)
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag("ar"), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 1, channel: .sms)])
        let message = try #require(
            try planner.plan(
                event: .courtDate, fields: fields, caseFacts: CaseFacts(number: "KC-2025-004512", offense: "armed_robbery"), recipients: [recipient],
                previousHearing: nil, sendAt: nil, now: instant("2027-01-10T12:00")
            ).first)
        #expect(message.body.contains("\u{2068}KC-2025-004512\u{2069}"))
        #expect(message.body.contains("\u{2068}+1 816 234 5000\u{2069}"))
        #expect(message.body.contains("\u{2068}Jackson County Courthouse, Courtroom 4A\u{2069}"))
        #expect(message.body.contains("2027") && message.body.contains("9:00"))
        #expect(!message.body.unicodeScalars.contains { (0x0660...0x0669).contains($0.value) }, "no Arabic-Indic digits")
        #expect(message.review == "not reviewed")
    }

    @Test func unreviewedTemplatesCanBeRefused() throws {
        var policy = testPolicy()
        policy.requireReview = true
        let planner = UpdatePlanner(catalog: catalog, policy: policy)
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag("so"), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 1, channel: .sms)])
        #expect {
            try planner.plan(
                event: .arrest, fields: try UpdateFields().validated(for: .arrest, catalog: catalog, departmentZone: chicago),
                caseFacts: CaseFacts(number: "KC-1", offense: "robbery"), recipients: [recipient], previousHearing: nil, sendAt: nil,
                now: instant("2027-01-10T12:00"))
        } throws: { error in
            (error as? AvisoError)?.detail.contains("Templates/so/arrest.sms.mustache is not reviewed") == true
        }
        #expect(catalog.unreviewed.count == 8 * Event.allCases.count * Channel.allCases.count)
    }

    @Test func aStrayCommentTagIsRejected() {
        #expect(throws: AvisoError.self) {
            try TemplateCatalog(sources: [
                TemplateSource(language: "en", fileName: "arrest.sms.mustache", path: "x", contents: "{{! note {{case_number}} }}\nBody")
            ])
        }
    }
}

/// Short, clear texts in every language (issue 14 §5).
@Suite struct ShortTextTests {
    let catalog: TemplateCatalog
    init() throws { catalog = try repositoryTemplates() }

    @Test(arguments: LanguageTests.languages)
    func everySMSFitsThreeSegmentsWithTypicalValues(_ language: String) throws {
        let tag = try LanguageTag(language)
        for event in Event.allCases {
            for (category, count) in LanguageTests.sampleCounts(language) where count <= 100 {
                let body = try catalog.render(
                    event, .sms, language: tag, context: try SampleData.context(for: event, language: tag, catalog: catalog, count: count)
                ).body
                let measure = SMSEncoding.measure(body)
                #expect(
                    measure.segments <= SampleData.smsSegmentBudget,
                    "\(language)/\(event.rawValue).sms (\(category.rawValue)): \(measure.segments) segments, \(measure.units) \(measure.encoding.rawValue) units"
                )
            }
        }
    }

    /// What carriers' messaging principles ask of HELP: the program, how to
    /// get help, how to stop, how often, and that rates may apply; and SPEC §2.1's immigration line.
    @Test(arguments: [
        ("en", ["KCPD", "frequency varies", "Msg & data rates may apply", "STOP", "immigration status"]),
        ("es", ["KCPD", "frecuencia variable", "Pueden cobrarse mensajes y datos", "ALTO", "migratorio"]),
        ("ar", ["KCPD", "يختلف عددها", "رسوم الرسائل والبيانات", "STOP", "الهجرة"]),
        ("bs", ["KCPD", "povremeno", "naplata poruka i podataka", "STOP", "imigracioni"]),
        ("so", ["KCPD", "tirada fariimaha", "kharashka fariimaha iyo xogta", "JOOJI", "socdaalka"]),
        ("sw", ["KCPD", "idadi ya ujumbe", "Gharama za ujumbe na data", "ACHA", "uhamiaji"]),
        ("vi", ["KCPD", "số tin thay đổi", "phí tin nhắn và dữ liệu", "DỪNG", "di trú"]),
        ("my", ["KCPD", "သတင်းရှိမှ", "ဒေတာခ", "STOP", "လူဝင်မှု"]),
    ])
    func helpSaysWhatCarriersAsk(_ language: String, _ phrases: [String]) throws {
        let tag = try LanguageTag(language)
        let body = try catalog.render(.help, .sms, language: tag, context: try SampleData.context(for: .help, language: tag, catalog: catalog))
            .body
        for phrase in phrases { #expect(body.contains(phrase), "\(language) help lacks '\(phrase)': \(body)") }
        #expect(body.contains("+1 816 234 5000"))
    }

    @Test(arguments: [
        ("en", "tomorrow"), ("es", "mañana"), ("ar", "غدًا"), ("bs", "sutra"), ("so", "berri"), ("sw", "kesho"), ("vi", "ngày mai"),
        ("my", "မနက်ဖြန်"),
    ])
    func theDayBeforeAHearingIsTomorrow(_ language: String, _ tomorrow: String) throws {
        let tag = try LanguageTag(language)
        let dayBefore = try catalog.render(
            .courtDateReminder, .sms, language: tag,
            context: try SampleData.context(for: .courtDateReminder, language: tag, catalog: catalog, count: 1)
        ).body
        #expect(dayBefore.contains(tomorrow), "\(language): \(dayBefore)")
        #expect(!dayBefore.contains(" 1 "), "\(language) says '1 day': \(dayBefore)")
        let weekBefore = try catalog.render(
            .courtDateReminder, .sms, language: tag,
            context: try SampleData.context(for: .courtDateReminder, language: tag, catalog: catalog, count: 7)
        ).body
        #expect(weekBefore.contains("7") && !weekBefore.contains(tomorrow), "\(language): \(weekBefore)")
    }

    @Test func burmeseMessagesUseOneDigitSystem() throws {
        let planner = UpdatePlanner(catalog: catalog, policy: testPolicy())
        let recipient = Recipient(
            victimId: 1, language: try LanguageTag("my"), timeZone: chicago, discreet: false,
            contactPoints: [RecipientAddress(contactPointId: 1, channel: .sms), RecipientAddress(contactPointId: 2, channel: .email)])
        let fields = try UpdateFields(startsAt: "2027-03-02T09:00", place: "Jackson County Courthouse")
            .validated(for: .courtDate, catalog: catalog, departmentZone: chicago)
        let messages = try planner.plan(
            event: .courtDate, fields: fields, caseFacts: CaseFacts(number: "KC-2025-004512", offense: "robbery"), recipients: [recipient],
            previousHearing: nil, sendAt: nil, now: instant("2027-01-10T12:00"))
        #expect(messages.count == 6)
        for message in messages {
            let text = (message.subject ?? "") + message.body
            let myanmarDigits = text.unicodeScalars.filter { (0x1040...0x1049).contains($0.value) }
            #expect(myanmarDigits.isEmpty, "\(message.event.rawValue): \(text)")
            #expect(text.contains("2027") && text.contains("9:00"), "\(message.event.rawValue): \(text)")
        }
    }
}
