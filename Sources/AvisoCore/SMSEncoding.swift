/// How an SMS body travels: GSM-7 when every character is in the GSM 03.38
/// alphabet, UCS-2 otherwise; and how many segments it costs.
///
/// ```swift
/// SMSEncoding.measure(String(repeating: "a", count: 161)) // .gsm7, 2 segments
/// SMSEncoding.measure("¿Cuándo?")                         // .gsm7 (¿ and á are GSM)
/// SMSEncoding.measure("Tiếng Việt")                       // .ucs2
/// ```
public enum SMSEncoding: String, Codable, Sendable {
    case gsm7 = "GSM-7"
    case ucs2 = "UCS-2"

    /// The GSM 03.38 basic character set.
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    /// The GSM 03.38 extension table: each costs two septets (escape + code).
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")

    public struct Measure: Sendable, Equatable, Codable {
        public var encoding: SMSEncoding
        /// Septets (GSM-7) or UTF-16 code units (UCS-2).
        public var units: Int
        public var segments: Int

        public init(encoding: SMSEncoding, units: Int, segments: Int) {
            self.encoding = encoding
            self.units = units
            self.segments = segments
        }
    }

    /// The encoding and segment count of `body`.
    public static func measure(_ body: String) -> Measure {
        var septets = 0
        var gsm = true
        for ch in body {
            if basic.contains(ch) {
                septets += 1
            } else if extended.contains(ch) {
                septets += 2
            } else {
                gsm = false
                break
            }
        }
        if gsm {
            let segments = septets <= 160 ? 1 : Int((Double(septets) / 153).rounded(.up))
            return Measure(encoding: .gsm7, units: septets, segments: septets == 0 ? 1 : segments)
        }
        let units = body.utf16.count
        let segments = units <= 70 ? 1 : Int((Double(units) / 67).rounded(.up))
        return Measure(encoding: .ucs2, units: units, segments: segments)
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
