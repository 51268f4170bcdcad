/// How well the keyword book reads a labelled set of replies
/// (`Tests/Fixtures/replies/replies.tsv`): precision and recall of opt-outs,
/// and what was held as a possible opt-out. `avisod replies` prints it.
///
/// ```swift
/// let report = try ReplyAccuracy(fixture: text).measure(with: catalog.keywords)
/// report.missedOptOuts  // must be empty
/// ```
public struct ReplyAccuracy: Sendable {
    /// What a labelled reply is, as a person reads it.
    public enum Label: String, Sendable, CaseIterable {
        case optOut = "opt_out"
        case optIn = "opt_in"
        case help
        case language
        case question
        case thanks
        case ambiguous
        case other
    }

    public struct Sample: Sendable {
        public var language: String
        public var label: Label
        public var reply: String
    }

    /// One language's (or every language's) figures.
    public struct Figures: Sendable, Equatable {
        public var samples = 0
        public var optOuts = 0
        /// Clear opt-outs read as opt-outs.
        public var truePositives = 0
        /// Replies read as opt-outs that are not labelled so.
        public var falsePositives = 0
        /// Ambiguous replies held as possible opt-outs (or read as opt-outs).
        public var ambiguousFlagged = 0
        public var ambiguous = 0
        /// Questions, thanks and other free text held as possible opt-outs.
        public var otherHeld = 0
        /// Keywords (opt-in, help, language) read as the right intent.
        public var keywordsRight = 0
        public var keywords = 0

        public var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        public var recall: Double { optOuts == 0 ? 1 : Double(truePositives) / Double(optOuts) }
    }

    public struct Report: Sendable {
        public var byLanguage: [String: Figures] = [:]
        public var total = Figures()
        /// Clear opt-outs that were not read as opt-outs.
        public var missedOptOuts: [Sample] = []
        /// Questions and thanks read as opt-outs.
        public var questionsTakenForOptOuts: [Sample] = []
        /// Every other sample read differently from its label, with how it was read.
        public var misread: [(Sample, ReplyReading)] = []
    }

    public var samples: [Sample]

    /// Parses `language<TAB>label<TAB>reply` lines; `#` starts a comment line.
    public init(fixture: String) throws(AvisoError) {
        samples = []
        for (offset, line) in fixture.split(separator: "\n").enumerated() where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let label = Label(rawValue: String(parts[1])) else {
                throw AvisoError(
                    .invalid, title: "Invalid reply fixture",
                    detail:
                        "line \(offset + 1): expected language<TAB>label<TAB>reply with a label among \(Label.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            samples.append(Sample(language: String(parts[0]), label: label, reply: String(parts[2])))
        }
    }

    public func measure(with book: KeywordBook) -> Report {
        var report = Report()
        for sample in samples {
            let reading = book.read(sample.reply)
            let readAsOptOut = reading == .keyword(.optOut)
            func count(_ figures: inout Figures) {
                figures.samples += 1
                switch sample.label {
                case .optOut:
                    figures.optOuts += 1
                    if readAsOptOut { figures.truePositives += 1 }
                case .ambiguous:
                    figures.ambiguous += 1
                    if reading != .freeText { figures.ambiguousFlagged += 1 }
                    if readAsOptOut { figures.falsePositives += 1 }
                case .optIn, .help, .language:
                    figures.keywords += 1
                    if case .keyword(let intent) = reading, Self.matches(intent, sample.label) { figures.keywordsRight += 1 }
                    if readAsOptOut { figures.falsePositives += 1 }
                case .question, .thanks, .other:
                    if readAsOptOut { figures.falsePositives += 1 }
                    if reading == .possibleOptOut { figures.otherHeld += 1 }
                }
            }
            count(&report.byLanguage[sample.language, default: Figures()])
            count(&report.total)
            switch sample.label {
            case .optOut where !readAsOptOut: report.missedOptOuts.append(sample)
            case .question where readAsOptOut, .thanks where readAsOptOut: report.questionsTakenForOptOuts.append(sample)
            default: break
            }
            let expected: Bool =
                switch sample.label {
                case .optOut: readAsOptOut
                case .ambiguous: reading == .possibleOptOut
                case .optIn, .help, .language: { if case .keyword(let intent) = reading { Self.matches(intent, sample.label) } else { false } }()
                case .question, .thanks, .other: reading == .freeText
                }
            if !expected { report.misread.append((sample, reading)) }
        }
        return report
    }

    static func matches(_ intent: ReplyIntent, _ label: Label) -> Bool {
        switch (intent, label) {
        case (.optIn, .optIn), (.help, .help), (.language, .language): true
        default: false
        }
    }
}
