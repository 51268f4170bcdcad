/// CLDR plural categories (https://cldr.unicode.org/index/cldr-spec/plural-rules).
public enum PluralCategory: String, Sendable, CaseIterable {
    case zero, one, two, few, many, other
}

/// The CLDR cardinal plural rules for whole numbers, per language. Templates
/// choose a form by category (`count_one`, `count_other`, …), never by
/// `count == 1`.
public enum PluralRules {
    /// The category of the whole number `n` in `language` (a primary subtag).
    /// Languages without a rule here use `other` for every number, which is
    /// correct for languages without plural inflection (vi, my, zh, …).
    public static func category(of n: Int, language: String) -> PluralCategory {
        let i = n.magnitude
        switch language {
        case "en", "so", "sw", "de", "nl", "it", "sv":
            // one: i = 1 and v = 0
            return i == 1 ? .one : .other
        case "es":
            // one: n = 1; many: e = 0 and i != 0 and i % 1000000 = 0 and v = 0
            if i == 1 { return .one }
            if i != 0 && i % 1_000_000 == 0 { return .many }
            return .other
        case "fr", "pt":
            if i == 0 || i == 1 { return .one }
            if i != 0 && i % 1_000_000 == 0 { return .many }
            return .other
        default:
            return .other
        }
    }

    /// The flags a template sees for a number named `name`: `name_one`,
    /// `name_other`, … exactly one of them true.
    public static func flags(for n: Int, named name: String, language: String) -> [String: Bool] {
        let category = category(of: n, language: language)
        var flags: [String: Bool] = [:]
        for candidate in PluralCategory.allCases {
            flags["\(name)_\(candidate.rawValue)"] = candidate == category
        }
        return flags
    }
}
