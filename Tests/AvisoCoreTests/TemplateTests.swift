import AvisoCore
import AvisoTesting
import Foundation
import Testing

@Suite struct TemplateTests {
    func source(_ file: String, _ text: String, language: String = "en") -> TemplateSource {
        TemplateSource(language: language, fileName: file, path: "Templates/\(language)/\(file)", contents: text)
    }

    func failure(_ sources: [TemplateSource]) -> String {
        do {
            _ = try TemplateCatalog(sources: sources)
            return "no error"
        } catch {
            return error.detail
        }
    }

    @Test func anUnknownVariableNamesFileAndLine() {
        let detail = failure([source("arrest.sms.mustache", "KCPD: case {{case_number}}\nvictim {{victim_ssn}}\n")])
        #expect(detail.contains("Templates/en/arrest.sms.mustache:2"))
        #expect(detail.contains("'victim_ssn' is not a variable"))
    }

    @Test func aSyntaxErrorNamesFileAndLine() {
        let detail = failure([source("court_date.sms.mustache", "Line one\nLine two {{#date}}\nunclosed\n")])
        #expect(detail.contains("Templates/en/court_date.sms.mustache:2"))
        #expect(detail.contains("never closed"))
    }

    @Test func aMismatchedCloseIsReported() {
        let detail = failure([source("charges_filed.sms.mustache", "{{#charges}}{{count}}{{/charge}}")])
        #expect(detail.contains("charges_filed.sms.mustache:1"))
    }

    @Test func emailTemplatesNeedASubjectLine() {
        let detail = failure([source("arrest.email.mustache", "Hello {{case_number}}\n\nBody")])
        #expect(detail.contains("arrest.email.mustache:1"))
        #expect(detail.contains("Subject"))
    }

    @Test func caseVariablesAreNotAvailableToSystemMessages() {
        let detail = failure([source("help.sms.mustache", "Help for {{case_number}}")])
        #expect(detail.contains("help.sms.mustache:1"))
    }

    @Test func unknownEventsAndPartialsAreRejected() {
        #expect(failure([source("parole.sms.mustache", "x")]).contains("'parole' is not an event"))
        #expect(failure([source("arrest.sms.mustache", "{{> footer}}")]).contains("partials"))
    }

    @Test func textIsNotHTMLEscaped() throws {
        let catalog = try TemplateCatalog(sources: [
            source("custom.sms.mustache", "{{text}}"), source("terms.txt", "department = KCPD\noffense.robbery = robbery"),
        ])
        let rendered = try catalog.render(.custom, .sms, language: LanguageTag("en"), context: ["text": "Tom & Jerry <3 \"quotes\""])
        #expect(rendered.body == "Tom & Jerry <3 \"quotes\"")
    }

    @Test func everyRepositoryTemplateRendersInEnglishAndSpanishWithNothingLeftOver() throws {
        let catalog = try repositoryTemplates()
        #expect(catalog.languages.contains("en") && catalog.languages.contains("es"))
        for language in ["en", "es"] {
            let tag = try LanguageTag(language)
            for event in Event.allCases {
                for channel in Channel.allCases {
                    #expect(catalog.has(event, channel, for: tag), "missing \(language)/\(event.rawValue).\(channel.rawValue)")
                    let rendered = try catalog.render(event, channel, language: tag, context: sampleContext(event, language: tag, catalog: catalog))
                    #expect(!rendered.body.contains("{{") && !rendered.body.contains("}}"), "\(language)/\(event.rawValue).\(channel.rawValue)")
                    #expect(!rendered.body.isEmpty)
                    if channel == .email { #expect(rendered.subject?.isEmpty == false) }
                }
            }
        }
    }

    @Test func welcomeAndHelpCarryTheImmigrationStatusLine() throws {
        let catalog = try repositoryTemplates()
        for (language, phrase) in [("en", "immigration status"), ("es", "migratori")] {
            for event in [Event.welcome, .help] {
                for channel in Channel.allCases {
                    let body = try catalog.render(
                        event, channel, language: LanguageTag(language), context: ["department": "D", "contact_phone": "1"]
                    ).body
                    #expect(body.localizedLowercase.contains(phrase), "\(language)/\(event.rawValue).\(channel.rawValue)")
                }
            }
        }
    }

    func sampleContext(_ event: Event, language: LanguageTag, catalog: TemplateCatalog) throws -> [String: Any] {
        var context: [String: Any] = [
            "department": try catalog.term("department", for: language), "contact_phone": "+1 816 234 5000", "case_number": "KC-2025-004512",
            "offense": try catalog.term("offense.armed_robbery", for: language), "date": "martes", "time": "9:00",
            "place": "Jackson County Courthouse",
            "previous_date": "lunes", "previous_time": "10:00", "text": "Texto", "reason_bond": true, "reason_pretrial": false,
            "reason_sentence_end": false, "days": 7,
        ]
        context.merge(PluralRules.flags(for: 7, named: "days", language: language.language)) { _, new in new }
        var charge: [String: Any] = ["count": 2, "offense": try catalog.term("offense.armed_robbery", for: language)]
        charge.merge(PluralRules.flags(for: 2, named: "count", language: language.language)) { _, new in new }
        context["charges"] = [charge]
        return context
    }
}

@Suite struct PluralTests {
    @Test func englishAndSpanishCategories() {
        #expect(PluralRules.category(of: 1, language: "en") == .one)
        #expect(PluralRules.category(of: 0, language: "en") == .other)
        #expect(PluralRules.category(of: 2, language: "en") == .other)
        #expect(PluralRules.category(of: 1, language: "es") == .one)
        #expect(PluralRules.category(of: 1_000_000, language: "es") == .many)
        #expect(PluralRules.category(of: 2, language: "es") == .other)
        #expect(PluralRules.category(of: 1, language: "vi") == .one)  // CLDR 49
        #expect(PluralRules.category(of: 1, language: "my") == .other)
    }

    @Test func flagsHaveExactlyOneTrue() {
        let flags = PluralRules.flags(for: 3, named: "count", language: "es")
        #expect(flags.values.filter { $0 }.count == 1)
        #expect(flags["count_other"] == true)
    }
}
