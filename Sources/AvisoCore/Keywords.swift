import Foundation

/// What a victim's reply means, when it is a keyword (SPEC §5 flows 3–4).
public enum ReplyIntent: Sendable, Equatable {
    case optOut
    case optIn
    case help
    /// Switch the preferred language to this template folder's language.
    case language(String)
}

/// The keywords of every language, as data: `Templates/<language>/keywords.txt`.
/// A reply is a keyword only when the whole message matches, ignoring case,
/// accents, surrounding punctuation, whitespace and emoji.
///
/// ```swift
/// book.intent(of: "  Alto!! ")  // .optOut
/// book.intent(of: "¿Cuándo es la corte?")  // nil: free text for staff
/// ```
public struct KeywordBook: Sendable {
    private var entries: [String: ReplyIntent] = [:]

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
            let intent: ReplyIntent
            switch key {
            case "opt_out", "opt_out_phrases": intent = .optOut
            case "opt_in": intent = .optIn
            case "help": intent = .help
            case "language": intent = .language(language)
            default: throw fail("unknown key '\(key)'; the keys are opt_out, opt_out_phrases, opt_in, help and language.")
            }
            for word in line[line.index(after: eq)...].split(separator: ",") {
                let normalized = Self.normalize(String(word))
                guard !normalized.isEmpty else { continue }
                if let existing = entries[normalized], existing != intent {
                    throw fail(
                        "'\(word.trimmingCharacters(in: .whitespaces))' already means \(existing) in another line or language; a keyword must mean one thing."
                    )
                }
                entries[normalized] = intent
            }
        }
    }

    /// The intent of a whole reply, or nil when it is free text.
    public func intent(of reply: String) -> ReplyIntent? {
        entries[Self.normalize(reply)]
    }

    /// How many keywords the book knows.
    public var count: Int { entries.count }

    /// Lowercase, without accents, without anything but letters, digits and
    /// single spaces; Burmese and Arabic letters stay letters.
    public static func normalize(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        var output = ""
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil || properties.generalCategory == .nonspacingMark
                || properties.generalCategory == .spacingMark
            {
                if pendingSpace && !output.isEmpty { output.append(" ") }
                pendingSpace = false
                output.unicodeScalars.append(scalar)
            } else if properties.isWhitespace || scalar == "'" || scalar == "’" {
                // Apostrophes vanish ("don't" = "dont"); spaces separate words.
                if scalar != "'" && scalar != "’" { pendingSpace = true }
            } else {
                pendingSpace = true
            }
        }
        return output
    }
}
