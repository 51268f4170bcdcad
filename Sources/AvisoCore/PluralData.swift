/// CLDR's cardinal plural rules for the languages Aviso speaks, taken from
/// CLDR 49's `common/supplemental/plurals.xml` with their sample numbers
/// (which the tests check every rule against, and against Babel 2.19.0, the
/// Babel release that carries CLDR 49). Adding a language with plural
/// inflection adds its lines here; moving to a newer CLDR changes
/// `PluralRules.cldrVersion`, these lines and the pinned Babel together.
enum PluralData {
    /// The CLDR release these rules and samples are from.
    static let cldrVersion = "49"

    /// language → [(category, "condition @integer … @decimal …")], `other` omitted (it is everything else).
    static let rules: [String: [(PluralCategory, String)]] = [
        "en": [(.one, "i = 1 and v = 0 @integer 1")],
        "sw": [(.one, "i = 1 and v = 0 @integer 1")],
        "so": [(.one, "n = 1 @integer 1 @decimal 1.0, 1.00, 1.000, 1.0000")],
        "es": [
            (.one, "n = 1 @integer 1 @decimal 1.0, 1.00, 1.000, 1.0000"),
            (
                .many,
                "e = 0 and i != 0 and i % 1000000 = 0 and v = 0 or e != 0..5 @integer 1000000, 1c6, 2c6, 3c6, 4c6, 5c6, 6c6, … @decimal 1.0000001c6, 1.1c6, 2.0000001c6, 2.1c6, 3.0000001c6, 3.1c6, …"
            ),
        ],
        "ar": [
            (.zero, "n = 0 @integer 0 @decimal 0.0, 0.00, 0.000, 0.0000"),
            (.one, "n = 1 @integer 1 @decimal 1.0, 1.00, 1.000, 1.0000"),
            (.two, "n = 2 @integer 2 @decimal 2.0, 2.00, 2.000, 2.0000"),
            (.few, "n % 100 = 3..10 @integer 3~10, 103~110, 1003, … @decimal 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 103.0, 1003.0, …"),
            (.many, "n % 100 = 11..99 @integer 11~26, 111, 1011, … @decimal 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 111.0, 1011.0, …"),
        ],
        // CLDR 49 gave Vietnamese a `one` category (before it had only `other`).
        "vi": [(.one, "i = 0 or n = 1 @integer 0, 1 @decimal 0.0~1.0, 0.00~0.04")],
        "bs": [
            (
                .one,
                "v = 0 and i % 10 = 1 and i % 100 != 11 or f % 10 = 1 and f % 100 != 11 @integer 1, 21, 31, 41, 51, 61, 71, 81, 101, 1001, … @decimal 0.1, 1.1, 2.1, 3.1, 4.1, 5.1, 6.1, 7.1, 10.1, 100.1, 1000.1, …"
            ),
            (
                .few,
                "v = 0 and i % 10 = 2..4 and i % 100 != 12..14 or f % 10 = 2..4 and f % 100 != 12..14 @integer 2~4, 22~24, 32~34, 42~44, 52~54, 62, 102, 1002, … @decimal 0.2~0.4, 1.2~1.4, 2.2~2.4, 3.2~3.4, 4.2~4.4, 5.2, 10.2, 100.2, 1000.2, …"
            ),
        ],
    ]

    /// CLDR's samples of `other`, per language.
    static let otherSamples: [String: String] = [
        "en": "@integer 0, 2~16, 100, 1000, 10000, 100000, 1000000, … @decimal 0.0~1.5, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "sw": "@integer 0, 2~16, 100, 1000, 10000, 100000, 1000000, … @decimal 0.0~1.5, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "so":
            "@integer 0, 2~16, 100, 1000, 10000, 100000, 1000000, … @decimal 0.0~0.9, 1.1~1.6, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "es":
            "@integer 0, 2~16, 100, 1000, 10000, 100000, 1c3, 2c3, 3c3, 4c3, 5c3, 6c3, … @decimal 0.0~0.9, 1.1~1.6, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, 1.0001c3, 1.1c3, 2.0001c3, 2.1c3, 3.0001c3, 3.1c3, …",
        "ar":
            "@integer 100~102, 200~202, 300~302, 400~402, 500~502, 600, 1000, 10000, 100000, 1000000, … @decimal 0.1~0.9, 1.1~1.7, 10.1, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "bs":
            "@integer 0, 5~19, 100, 1000, 10000, 100000, 1000000, … @decimal 0.0, 0.5~1.0, 1.5~2.0, 2.5~2.7, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "vi": "@integer 2~17, 100, 1000, 10000, 100000, 1000000, … @decimal 1.1~2.6, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
        "my": "@integer 0~15, 100, 1000, 10000, 100000, 1000000, … @decimal 0.0~1.5, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0, …",
    ]

    static let compiled: [String: [(PluralCategory, PluralCondition)]] = rules.mapValues { list in
        list.map { category, text in
            let condition = text.components(separatedBy: " @").first!
            guard let compiled = PluralCondition(condition) else { fatalError("CLDR rule does not parse: \(condition)") }
            return (category, compiled)
        }
    }

    /// The sample numbers of a rule text, expanded (`2~4` → 2, 3, 4; `0.0~0.3` → 0.0, 0.1, 0.2, 0.3).
    static func samples(_ text: String) -> [String] {
        var result: [String] = []
        for section in text.components(separatedBy: "@").dropFirst() {
            let body = section.drop { $0 != " " }
            for item in body.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty && item != "…" {
                let bounds = item.components(separatedBy: "~")
                guard bounds.count == 2 else {
                    result.append(item)
                    continue
                }
                let decimals = bounds[0].split(separator: ".").dropFirst().first?.count ?? 0
                let scale = Int(pow10(decimals))
                guard let low = Double(bounds[0]), let high = Double(bounds[1]) else { continue }
                var value = Int((low * Double(scale)).rounded())
                while value <= Int((high * Double(scale)).rounded()) {
                    let whole = String(value / scale)
                    let fraction = String(value % scale)
                    result.append(decimals == 0 ? whole : whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction)
                    value += 1
                }
            }
        }
        return result
    }

    static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { value, _ in value * 10 } }
}

extension PluralRules {
    /// The CLDR release Aviso's plural rules are from.
    public static var cldrVersion: String { PluralData.cldrVersion }

    /// Every CLDR sample of every category of `language`, with the category CLDR gives it (for tests).
    public static func cldrSamples(of language: String) -> [(String, PluralCategory)] {
        var result: [(String, PluralCategory)] = []
        for (category, text) in PluralData.rules[language] ?? [] {
            result += PluralData.samples(text).map { ($0, category) }
        }
        result += PluralData.samples(PluralData.otherSamples[language] ?? "").map { ($0, .other) }
        return result
    }
}
