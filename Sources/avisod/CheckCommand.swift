import ArgumentParser
import AvisoCore
import AvisoDaemon
import Foundation

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration and templates; print coverage (languages × events × channels), review status and SMS segments.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        try await Avisod.guarded {
            let configuration = try options.load()
            let catalog = try TemplateDirectory.load(configuration.templatesDirectory)
            let languages = catalog.languages
            print("Configuration: ok")
            print("Templates: \(configuration.templatesDirectory) (\(languages.joined(separator: ", "))), \(catalog.keywords.count) reply keywords")
            print("")
            let missing = try coverage(catalog, languages)
            print("")
            try segments(catalog, languages, smartEncoding: configuration.smartEncoding)
            print("")
            let unreviewed = catalog.unreviewed
            if unreviewed.isEmpty {
                print("Every template is signed by a reviewer.")
            } else {
                print("Unreviewed templates (\(unreviewed.count)); a qualified translator signs each by editing its '{{! review: … }}' line:")
                let byFolder = Dictionary(grouping: unreviewed) { URL(fileURLWithPath: $0).deletingLastPathComponent().path }
                for folder in byFolder.keys.sorted() {
                    let names = byFolder[folder]!.map { URL(fileURLWithPath: $0).lastPathComponent.replacingOccurrences(of: ".mustache", with: "") }
                    print("  \(folder)/ (\(names.count)): \(names.joined(separator: ", "))")
                }
                if configuration.requireReview {
                    print("templates.require_review is on: updates to victims in these languages are refused until the templates are signed.")
                }
            }
            if missing > 0 {
                print("\(missing) templates are missing: updates to victims in those languages will be refused until they exist.")
                throw ExitCode(1)
            }
        }
    }

    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }

    /// The coverage table: a cell per language and event, `s` and `e` for the
    /// SMS and email templates, `*` when the template is not reviewed, `-` when missing.
    func coverage(_ catalog: TemplateCatalog, _ languages: [String]) throws -> Int {
        print("Coverage (s = SMS, e = email, * = not reviewed, - = missing):")
        print(pad("event", 32) + languages.map { pad($0, 8) }.joined())
        var missing = 0
        for event in Event.allCases {
            var line = pad(event.rawValue, 32)
            for language in languages {
                let tag = try LanguageTag(language)
                let cell = Channel.allCases.map { channel -> String in
                    guard catalog.has(event, channel, for: tag) else {
                        missing += 1
                        return "-"
                    }
                    return (channel == .sms ? "s" : "e") + (catalog.isReviewed(event, channel, for: tag) ? "" : "*")
                }.joined(separator: " ")
                line += pad(cell, 8)
            }
            print(line)
        }
        return missing
    }

    /// SMS encoding and segments per template with sample data; templates
    /// over `SampleData.smsSegmentBudget` segments are flagged by language and event.
    func segments(_ catalog: TemplateCatalog, _ languages: [String], smartEncoding: Bool) throws {
        print("SMS with sample data (encoding/segments):")
        print(pad("event", 32) + languages.map { pad($0, 8) }.joined())
        var tooLong: [String] = []
        for event in Event.allCases {
            var line = pad(event.rawValue, 32)
            for language in languages {
                let tag = try LanguageTag(language)
                var cell = "-"
                if catalog.has(event, .sms, for: tag) {
                    var body = try catalog.render(
                        event, .sms, language: tag, context: try SampleData.context(for: event, language: tag, catalog: catalog)
                    ).body
                    if smartEncoding { body = SMSEncoding.smartReplace(body) }
                    let measure = SMSEncoding.measure(body)
                    cell = "\(measure.encoding == .gsm7 ? "GSM" : "UCS2")/\(measure.segments)"
                    if measure.segments > SampleData.smsSegmentBudget {
                        cell += "!"
                        tooLong.append(
                            "\(language)/\(event.rawValue).sms: \(measure.segments) segments (\(measure.encoding.rawValue), \(measure.units) units)")
                    }
                }
                line += pad(cell, 8)
            }
            print(line)
        }
        if tooLong.isEmpty {
            print("Every SMS fits in \(SampleData.smsSegmentBudget) segments with typical values.")
        } else {
            print("SMS over \(SampleData.smsSegmentBudget) segments with typical values (each costs more and may arrive out of order); shorten them:")
            for entry in tooLong { print("  ! \(entry)") }
        }
    }
}
