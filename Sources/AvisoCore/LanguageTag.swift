/// A BCP 47 language tag in canonical case: `es`, `es-MX`, `es-419`,
/// `zh-Hant-TW`, `sr-Latn`.
///
/// ```swift
/// try LanguageTag("ES-mx").value     // "es-MX"
/// try LanguageTag("es-MX").fallbacks // ["es-MX", "es"]
/// ```
public struct LanguageTag: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
    public let value: String

    public init(_ raw: String) throws(AvisoError) {
        let subtags = raw.trimmingWhitespace().replacingUnderscores().split(separator: "-", omittingEmptySubsequences: false)
        guard let language = subtags.first, (2...3).contains(language.count), language.allSatisfy(\.isASCIILetter) else {
            throw .invalid(nil, "'\(raw)' is not a language tag. Use a BCP 47 tag such as en, es, es-MX, ar or vi.")
        }
        var canonical = [language.lowercased()]
        var sawScript = false
        var sawRegion = false
        for subtag in subtags.dropFirst() {
            if !sawScript, !sawRegion, subtag.count == 4, subtag.allSatisfy(\.isASCIILetter) {
                canonical.append(subtag.prefix(1).uppercased() + subtag.dropFirst().lowercased())
                sawScript = true
            } else if !sawRegion, subtag.count == 2, subtag.allSatisfy(\.isASCIILetter) {
                canonical.append(subtag.uppercased())
                sawRegion = true
            } else if !sawRegion, subtag.count == 3, subtag.allSatisfy(\.isASCIIDigit) {
                canonical.append(String(subtag))
                sawRegion = true
            } else if (5...8).contains(subtag.count) || (subtag.count == 4 && subtag.first?.isASCIIDigit == true),
                subtag.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit })
            {
                canonical.append(subtag.lowercased())
                sawScript = true
                sawRegion = true
            } else {
                throw .invalid(
                    nil,
                    "'\(raw)' is not a language tag: '\(subtag)' is not a script, region or variant. Use a BCP 47 tag such as en, es, es-MX, ar or vi."
                )
            }
        }
        self.value = canonical.joined(separator: "-")
    }

    /// The primary language subtag: `es` for `es-MX`.
    public var language: String { String(value.prefix { $0 != "-" }) }

    /// The tags to look templates up under, most specific first:
    /// `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`.
    public var fallbacks: [String] {
        var result = [value]
        var parts = value.split(separator: "-")
        while parts.count > 1 {
            parts.removeLast()
            result.append(parts.joined(separator: "-"))
        }
        return result
    }

    /// Languages written right to left.
    static let rightToLeft: Set<String> = ["ar", "he", "fa", "ur", "ps", "ckb", "yi", "dv", "sd", "ug"]

    /// Whether the language is written right to left.
    public var isRightToLeft: Bool { Self.rightToLeft.contains(language) }

    public var description: String { value }
    public static func < (lhs: LanguageTag, rhs: LanguageTag) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { self = try LanguageTag(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.detail))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension Character {
    var isASCIILetter: Bool { isASCII && isLetter }
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
