public import AvisoCore
import Foundation

/// What a message to a contact point in discreet mode must never contain
/// (SPEC §2.6, G11), from `Tests/Fixtures/discreet/<language>.txt` and the
/// repository's `terms.txt`.
public enum DiscreetWords {
    public static let languages = ["en", "es", "ar", "bs", "so", "sw", "vi", "my"]

    /// The fixture's words for `language`, the department's name in every
    /// language, its short name, the case number and hearing place the tests
    /// use, and every offense of the language's `terms.txt`.
    public static func forbidden(_ language: String, catalog: TemplateCatalog) throws -> [String] {
        let fixture = repositoryRoot.appendingPathComponent("Tests/Fixtures/discreet/\(language).txt")
        var words = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        words += ["KCPD", "KC-2025-004512", "2025-004512", "Jackson", "415 E 12th"]
        for other in languages {
            words.append(try catalog.term("department", for: try LanguageTag(other)))
        }
        let terms = repositoryRoot.appendingPathComponent("Templates/\(language)/terms.txt")
        for line in try String(contentsOf: terms, encoding: .utf8).split(separator: "\n") where line.hasPrefix("offense.") {
            if let eq = line.firstIndex(of: "=") { words.append(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)) }
        }
        return words
    }

    /// The forbidden words found in `text`, compared as whole words after
    /// folding case and accents; Burmese, written without spaces between
    /// words, by substring.
    public static func leaks(in text: String, language: String, forbidden: [String]) -> [String] {
        let folded = " " + KeywordBook.normalize(text) + " "
        return forbidden.filter { word in
            let needle = KeywordBook.normalize(word)
            guard !needle.isEmpty else { return false }
            if needle.unicodeScalars.contains(where: { (0x1000...0x109F).contains($0.value) }) { return folded.contains(needle) }
            return folded.contains(" " + needle + " ")
        }
    }
}
