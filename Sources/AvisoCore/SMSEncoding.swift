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
}
