import ArgumentParser
import AvisoCore
import AvisoDaemon
import Foundation

struct Replies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a file of labelled replies with the templates' keywords; print opt-out precision and recall.",
        discussion: """
            Each line is language<TAB>label<TAB>reply (Tests/Fixtures/replies/replies.tsv). Exits 1 when a clear
            opt-out is missed or a question or thanks is taken for an opt-out.
            """)
    @OptionGroup var options: ConfigOption
    @Argument(help: "The labelled replies.") var file: String
    @Flag(help: "List every reply read differently from its label.") var verbose = false

    func run() async throws {
        try await Avisod.guarded {
            let configuration = try options.load()
            let catalog = try TemplateDirectory.load(configuration.templatesDirectory)
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw AvisoError(.invalid, title: "Cannot read replies", detail: "\(file) could not be read as UTF-8 text.")
            }
            let report = try ReplyAccuracy(fixture: text).measure(with: catalog.keywords)
            func percent(_ value: Double) -> String { String(format: "%5.1f %%", value * 100) }
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
            print(
                pad("language", 10) + pad("replies", 9) + pad("opt-outs", 10) + pad("precision", 11) + pad("recall", 9)
                    + pad("ambiguous held", 16) + pad("other held", 12) + "keywords right")
            let rows = report.byLanguage.sorted { $0.key < $1.key } + [("all", report.total)]
            for (language, f) in rows {
                print(
                    pad(language, 10) + pad("\(f.samples)", 9) + pad("\(f.optOuts)", 10) + pad(percent(f.precision), 11) + pad(percent(f.recall), 9)
                        + pad("\(f.ambiguousFlagged)/\(f.ambiguous)", 16) + pad("\(f.otherHeld)", 12) + "\(f.keywordsRight)/\(f.keywords)")
            }
            for sample in report.missedOptOuts { print("missed opt-out (\(sample.language)): \(sample.reply)") }
            for sample in report.questionsTakenForOptOuts { print("taken for an opt-out (\(sample.language)): \(sample.reply)") }
            if verbose {
                for (sample, reading) in report.misread { print("\(sample.language) \(sample.label.rawValue) read as \(reading): \(sample.reply)") }
            }
            if !report.missedOptOuts.isEmpty || !report.questionsTakenForOptOuts.isEmpty { throw ExitCode(1) }
        }
    }
}
