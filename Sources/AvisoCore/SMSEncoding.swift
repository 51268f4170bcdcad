import Foundation

/// How an SMS body travels: GSM-7 when every character is in the GSM 03.38
/// alphabet, UCS-2 otherwise; and how many segments it costs, counted as the
/// provider splits and bills it.
///
/// The text is put in Unicode Normalization Form C first (`e` + U+0301
/// becomes `é`, which GSM-7 has), and the same NFC text is what is stored
/// and sent. A long message is split into parts of at most 153 septets
/// (GSM-7) or 67 UTF-16 units (UCS-2), and a part never ends inside an
/// escape pair (`€`, `{`: escape + code), a surrogate pair (an emoji) or a
/// grapheme cluster (a ZWJ family, a Burmese syllable with its marks): such a
/// character moves whole to the next part, so a message can cost one part
/// more than its length divided by 153 or 67.
///
/// ```swift
/// SMSEncoding.measure(String(repeating: "a", count: 161)) // .gsm7, 2 segments
/// SMSEncoding.measure("¿Cuándo?")                         // .ucs2 (á is not GSM-7)
/// SMSEncoding.measure("Jose\u{301}")                      // .gsm7, 4 septets: NFC "José"
/// ```
public enum SMSEncoding: String, Codable, Sendable {
    case gsm7 = "GSM-7"
    case ucs2 = "UCS-2"

    /// The GSM 03.38 basic character set.
    static let basic: Set<Unicode.Scalar> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
            .unicodeScalars)
    /// The GSM 03.38 extension table: each costs two septets (escape + code).
    static let extended: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)

    /// Septets of one GSM-7 part when the message fits in one, and of each part of a longer one.
    public static let gsm7Single = 160
    public static let gsm7Part = 153
    /// UTF-16 units of one UCS-2 part when the message fits in one, and of each part of a longer one.
    public static let ucs2Single = 70
    public static let ucs2Part = 67

    public struct Measure: Sendable, Equatable, Codable {
        public var encoding: SMSEncoding
        /// Septets (GSM-7) or UTF-16 code units (UCS-2) of the NFC text.
        public var units: Int
        public var segments: Int

        public init(encoding: SMSEncoding, units: Int, segments: Int) {
            self.encoding = encoding
            self.units = units
            self.segments = segments
        }
    }

    /// The text as it is stored, measured and sent: Unicode NFC.
    public static func normalized(_ body: String) -> String {
        body.precomposedStringWithCanonicalMapping
    }

    /// The encoding of `body` once normalized: GSM-7 when every scalar is in the GSM 03.38 tables.
    public static func encoding(of body: String) -> SMSEncoding {
        normalized(body).unicodeScalars.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// What one character (a grapheme cluster) costs in `encoding`: septets or UTF-16 units.
    static func cost(_ character: Character, _ encoding: SMSEncoding) -> Int {
        switch encoding {
        case .gsm7: character.unicodeScalars.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
        case .ucs2: character.utf16.count
        }
    }

    /// The parts `body` is sent as, in order, each in its own encoding's
    /// limit, no escape pair, surrogate pair or grapheme cluster cut; their
    /// concatenation is the NFC text. An empty body is one empty part.
    public static func parts(_ body: String) -> (encoding: SMSEncoding, parts: [String]) {
        let text = normalized(body)
        let encoding = encoding(of: text)
        let (single, part) = encoding == .gsm7 ? (gsm7Single, gsm7Part) : (ucs2Single, ucs2Part)
        let total = text.reduce(0) { $0 + cost($1, encoding) }
        if total <= single { return (encoding, [text]) }
        var parts: [String] = []
        var current = ""
        var used = 0
        func place(_ piece: String, cost: Int) {
            if used + cost > part && used > 0 {
                parts.append(current)
                current = ""
                used = 0
            }
            current += piece
            used += cost
        }
        for character in text {
            let cost = cost(character, encoding)
            if cost <= part {
                place(String(character), cost: cost)
            } else {
                // A cluster longer than a whole part (a run of combining
                // marks) cannot stay whole: it is cut between its scalars,
                // never inside a surrogate or escape pair.
                for scalar in character.unicodeScalars {
                    place(String(scalar), cost: encoding == .gsm7 ? (extended.contains(scalar) ? 2 : 1) : scalar.utf16.count)
                }
            }
        }
        parts.append(current)
        return (encoding, parts)
    }

    /// The encoding and segment count of `body`, as the provider bills it.
    public static func measure(_ body: String) -> Measure {
        let text = normalized(body)
        let (encoding, parts) = parts(text)
        let units = text.reduce(0) { $0 + cost($1, encoding) }
        return Measure(encoding: encoding, units: units, segments: parts.count)
    }

    /// Typographic punctuation and its GSM-7 equivalent. Only punctuation and
    /// spaces: a letter is never changed (á stays á).
    static let smartReplacements: [Character: String] = [
        "\u{2018}": "'", "\u{2019}": "'", "\u{201A}": "'", "\u{201B}": "'", "\u{2032}": "'",
        "\u{201C}": "\"", "\u{201D}": "\"", "\u{201E}": "\"", "\u{201F}": "\"", "\u{2033}": "\"", "\u{00AB}": "\"", "\u{00BB}": "\"",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2012}": "-", "\u{2013}": "-", "\u{2014}": "-", "\u{2015}": "-", "\u{2212}": "-",
        "\u{2026}": "...", "\u{00A0}": " ", "\u{2007}": " ", "\u{2009}": " ", "\u{200A}": " ", "\u{202F}": " ", "\u{200B}": "",
    ]

    /// "Smart encoding": replaces typographic quotes, dashes, ellipses and
    /// odd spaces with GSM-7 equivalents, so a message that is otherwise GSM-7
    /// is not sent as UCS-2 at twice the segments.
    public static func smartReplace(_ body: String) -> String {
        var output = ""
        output.reserveCapacity(body.utf8.count)
        for character in body {
            if let replacement = smartReplacements[character] { output += replacement } else { output.append(character) }
        }
        return output
    }
}
