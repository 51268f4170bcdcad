import Foundation

/// What a victim's reply means, when it is a keyword (SPEC §5 flows 3–4).
public enum ReplyIntent: Sendable, Equatable {
    case optOut
    case optIn
    case help
    /// Switch the preferred language to this template folder's language.
    case language(String)
}

/// How Aviso reads a victim's reply.
public enum ReplyReading: Sendable, Equatable {
    /// A keyword or a clear sentence: it takes effect at once.
    case keyword(ReplyIntent)
    /// It may ask to stop but is not clear ("stop calling my mother", "why
    /// did you stop?"): staff decide, and routine messages wait meanwhile.
    case possibleOptOut
    /// Free text for staff.
    case freeText
}

/// The keywords of every language, as data: `Templates/<language>/keywords.txt`.
/// A reply is a keyword when the whole message matches, ignoring case,
/// accents, surrounding punctuation, whitespace, emoji and courtesy words
/// ("please", "gracias"); a sentence of it that is an opt-out keyword or
/// phrase, or a statement that starts with an opt-out phrase, opts out too.
/// A reply that only contains an opt-out word or phrase among other words is a
/// *possible* opt-out. Matching is by whole words: "stopover" and "Altos de
/// Chavón" are free text.
///
/// ```swift
/// book.read("  Alto!! ")  // .keyword(.optOut)
/// book.read("Stop, please.")  // .keyword(.optOut)
/// book.read("Gracias. No me manden más mensajes, por favor")  // .keyword(.optOut)
/// book.read("Stop sending letters to my old address?")  // .possibleOptOut
/// book.read("¿Cuándo es la corte?")  // .freeText
/// ```
public struct KeywordBook: Sendable {
    private var entries: [String: ReplyIntent] = [:]
    /// Courtesy words and greetings of every language, as word lists, longest first.
    private var courtesy: [[Substring]] = []
    /// Opt-out phrases of two words or more, as word lists.
    private var optOutPhrases: [[Substring]] = []
    /// Words and phrases that, among other words, make a reply a possible opt-out.
    private var optOutSignals: [[Substring]] = []
    /// Words that may open a clause before an opt-out phrase ("but", "pero", "so").
    private var clauseOpeners: [[Substring]] = []

    public init() {}

    /// Reads one language's `keywords.txt`. An unknown key or an ambiguous
    /// keyword (one wording meaning two things) names the file and line.
    public mutating func add(language: String, path: String, contents: String) throws(AvisoError) {
        for (offset, rawLine) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            func fail(_ message: String) -> AvisoError {
                .init(.configuration, title: "Invalid keywords", detail: "\(path):\(offset + 1): \(message)")
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected 'key = word, word, …'.") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let words = line[line.index(after: eq)...].split(separator: ",").map { Self.normalize(String($0)) }.filter { !$0.isEmpty }
            let intent: ReplyIntent
            switch key {
            case "opt_out", "opt_out_phrases": intent = .optOut
            case "opt_in": intent = .optIn
            case "help": intent = .help
            case "language": intent = .language(language)
            case "courtesy":
                courtesy += words.map { $0.split(separator: " ") }
                courtesy.sort { $0.count > $1.count }
                continue
            case "opt_out_signals":
                optOutSignals += words.map { $0.split(separator: " ") }
                continue
            case "clause_openers":
                clauseOpeners += words.map { $0.split(separator: " ") }
                continue
            default:
                throw fail(
                    "unknown key '\(key)'; the keys are opt_out, opt_out_phrases, opt_in, help, language, courtesy, opt_out_signals and clause_openers."
                )
            }
            for normalized in words {
                if let existing = entries[normalized], existing != intent {
                    throw fail("'\(normalized)' already means \(existing) in another line or language; a keyword must mean one thing.")
                }
                entries[normalized] = intent
                if intent == .optOut, normalized.contains(" ") { optOutPhrases.append(normalized.split(separator: " ")) }
            }
        }
    }

    /// The intent of a reply, or nil when it is free text or only a possible opt-out.
    public func intent(of reply: String) -> ReplyIntent? {
        if case .keyword(let intent) = read(reply) { return intent }
        return nil
    }

    /// What a reply means: a keyword (or clear sentence), a possible opt-out, or free text.
    public func read(_ reply: String) -> ReplyReading {
        let whole = Self.normalize(reply)
        if let intent = entries[whole] { return .keyword(intent) }
        let words = whole.split(separator: " ")
        let core = stripCourtesy(words)
        if core.isEmpty { return .freeText }
        if let intent = entries[core.joined(separator: " ")] { return .keyword(intent) }
        // "STOP STOP STOP", "stop alto": nothing but opt-out words.
        if core.allSatisfy({ entries[String($0)] == .optOut }) { return .keyword(.optOut) }
        for sentence in Self.sentences(reply) {
            let sentenceCore = stripCourtesy(Self.normalize(sentence.text).split(separator: " "))
            if !sentenceCore.isEmpty, entries[sentenceCore.joined(separator: " ")] == .optOut { return .keyword(.optOut) }
            // A statement whose clause starts with an opt-out phrase: "Thanks, but stop texting me."
            // A question ("can you stop sending me messages?") or a single word ("Alto, moreno") is not that clear.
            guard !sentence.isQuestion else { continue }
            for clause in sentence.text.split(separator: ",") {
                var clauseCore = stripCourtesy(Self.normalize(String(clause)).split(separator: " "))
                while let opener = clauseOpeners.first(where: { clauseCore.starts(with: $0) }) { clauseCore.removeFirst(opener.count) }
                if optOutPhrases.contains(where: { clauseCore.starts(with: $0) }) { return .keyword(.optOut) }
            }
        }
        if optOutPhrases.contains(where: { Self.contains(words, $0) }) || optOutSignals.contains(where: { Self.contains(words, $0) }) {
            return .possibleOptOut
        }
        return .freeText
    }

    /// The words without courtesy words and greetings, wherever they are.
    func stripCourtesy(_ words: [Substring]) -> [Substring] {
        var output: [Substring] = []
        var index = 0
        next: while index < words.count {
            // A courtesy word of one language that is a keyword of another ("da", yes in Bosnian) stays.
            for phrase in courtesy where words[index...].starts(with: phrase) && (phrase.count > 1 || entries[String(phrase[0])] == nil) {
                index += phrase.count
                continue next
            }
            output.append(words[index])
            index += 1
        }
        return output
    }

    /// Whether `phrase` occurs in `words` as whole consecutive words.
    static func contains(_ words: [Substring], _ phrase: [Substring]) -> Bool {
        guard !phrase.isEmpty, words.count >= phrase.count else { return false }
        for start in 0...(words.count - phrase.count) where words[start..<(start + phrase.count)].elementsEqual(phrase) { return true }
        return false
    }

    /// The sentences of a reply, each with whether it asks a question.
    static func sentences(_ text: String) -> [(text: String, isQuestion: Bool)] {
        var result: [(text: String, isQuestion: Bool)] = []
        var current = ""
        var question = false
        for character in text {
            switch character {
            case "?", "？", "؟":
                result.append((current, true))
                current = ""
                question = false
            case ".", "!", ";", "\n", "။", "。", "！":
                result.append((current, question))
                current = ""
                question = false
            case "¿":
                question = true
            default:
                current.append(character)
            }
        }
        result.append((current, question))
        return result.filter { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// How many keywords the book knows.
    public var count: Int { entries.count }

    /// Lowercase, without accents, without anything but letters, digits and
    /// single spaces; Burmese and Arabic letters stay letters.
    public static func normalize(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var output = ""
        var pendingSpace = false
        // A combining mark stays only on the letter it was written on: one left
        // behind by a dropped character would land on another letter, and
        // normalizing the result again would fold it away.
        var previousKept = false
        for scalar in folded.unicodeScalars {
            let properties = scalar.properties
            let isMark = properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
            if isMark {
                if previousKept { output.unicodeScalars.append(scalar) }
            } else if properties.isAlphabetic || properties.numericType != nil {
                if pendingSpace && !output.isEmpty { output.append(" ") }
                pendingSpace = false
                output.unicodeScalars.append(scalar)
                previousKept = true
                continue
            } else if properties.isWhitespace || scalar == "'" || scalar == "’" {
                // Apostrophes vanish ("don't" = "dont"); spaces separate words.
                if scalar != "'" && scalar != "’" { pendingSpace = true }
            } else {
                pendingSpace = true
            }
            if !isMark { previousKept = false }
        }
        return output
    }
}
