import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// Opt-out by any reasonable wording (SPEC §2.3), measured on the labelled
/// replies of `Tests/Fixtures/replies/replies.tsv` (also `scripts/reply-accuracy`).
@Suite struct ReplyAccuracyTests {
    let book: KeywordBook
    let accuracy: ReplyAccuracy

    init() throws {
        book = try repositoryTemplates().keywords
        let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/replies/replies.tsv")
        accuracy = try ReplyAccuracy(fixture: try String(contentsOf: fixture, encoding: .utf8))
    }

    @Test func theFixtureIsLargeEnough() {
        let counts = Dictionary(grouping: accuracy.samples, by: \.language).mapValues(\.count)
        #expect(counts["en", default: 0] >= 200 && counts["es", default: 0] >= 200)
        for language in ["ar", "bs", "so", "sw", "vi", "my"] { #expect(counts[language, default: 0] >= 30, "\(language)") }
        for label in ReplyAccuracy.Label.allCases {
            #expect(accuracy.samples.contains { $0.language == "en" && $0.label == label }, "en has \(label)")
            #expect(accuracy.samples.contains { $0.language == "es" && $0.label == label }, "es has \(label)")
        }
    }

    @Test func noClearOptOutIsMissedAndNoQuestionOrThanksIsTakenForOne() {
        let report = accuracy.measure(with: book)
        #expect(report.missedOptOuts.map(\.reply) == [])
        #expect(report.questionsTakenForOptOuts.map(\.reply) == [])
        #expect(report.total.recall == 1)
        #expect(report.total.precision >= 0.99)
    }

    @Test(arguments: [
        "Stop, please.", "Please stop texting me", "STOP 🛑", "ALTO", "No quiero más mensajes", "stop texting me", "Gracias. Alto.",
        "Thanks, but stop texting me", "STOP STOP", "Alto por favor, gracias", "Ya no me manden mensajes, estoy bien", "ရပ်ပါ ကျေးဇူးပြု၍",
        "Dừng ạ", "jooji fadlan", "توقف من فضلك",
    ])
    func courtesyAndClearSentencesOptOut(_ reply: String) {
        #expect(book.read(reply) == .keyword(.optOut), "\(reply)")
    }

    @Test(arguments: ["Stop calling my mother", "I told him to stop", "No thanks", "Why did you stop texting me?", "Es muy alto el señor"])
    func anOptOutWordAmongOtherWordsIsAPossibleOptOut(_ reply: String) {
        #expect(book.read(reply) == .possibleOptOut, "\(reply)")
    }

    @Test(arguments: [
        "stopover in Denver", "Vivo en Altos de Chavón", "Thank you", "¿Cuándo es la corte?", "gracias", "I'll start work at 9", "Da, hvala",
        "ရပ်ကွက်ထဲမှာ သူ့ကို တွေ့တယ်",
    ])
    func wordsThatContainAKeywordAreNot(_ reply: String) {
        #expect(book.read(reply) != .keyword(.optOut) && book.read(reply) != .possibleOptOut, "\(reply)")
    }
}
