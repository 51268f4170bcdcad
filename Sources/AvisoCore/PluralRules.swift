/// CLDR plural categories (https://cldr.unicode.org/index/cldr-spec/plural-rules).
public enum PluralCategory: String, Sendable, CaseIterable {
    case zero, one, two, few, many, other
}

/// The CLDR cardinal plural rules of each language, evaluated from CLDR's own
/// rule text (`PluralData`). Templates choose a form by category
/// (`count_one`, `count_few`, …), never by `count == 1`.
public enum PluralRules {
    /// The category of the whole number `n` in `language` (a primary subtag).
    /// A language without rules uses `other` for every number, which is right
    /// for languages without plural inflection (vi, my, zh, …).
    public static func category(of n: Int, language: String) -> PluralCategory {
        category(of: PluralOperands(n), language: language)
    }

    /// The category of a number written as CLDR writes samples (`1.50`, `1c6`).
    public static func category(of operands: PluralOperands, language: String) -> PluralCategory {
        guard let rules = PluralData.compiled[language] else { return .other }
        for (category, condition) in rules where condition.matches(operands) { return category }
        return .other
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

    /// The categories a language distinguishes, `other` last.
    public static func categories(of language: String) -> [PluralCategory] {
        (PluralData.compiled[language]?.map(\.0) ?? []) + [.other]
    }
}

/// CLDR's plural operands of a number: n (absolute value), i (integer digits),
/// v (visible fraction digits), f (fraction digits as an integer), t (f without
/// trailing zeros), e (compact exponent).
public struct PluralOperands: Sendable, Equatable {
    public var n: Double
    public var i: Int
    public var v: Int
    public var f: Int
    public var t: Int
    public var e: Int

    public init(_ integer: Int) {
        n = Double(integer.magnitude)
        i = Int(integer.magnitude)
        v = 0
        f = 0
        t = 0
        e = 0
    }

    /// Parses CLDR sample notation: `3`, `1.50`, `1c6`, `1.1c6`.
    public init?(_ text: String) {
        var mantissa = Substring(text)
        var exponent = 0
        if let c = text.firstIndex(where: { $0 == "c" || $0 == "e" }) {
            guard let parsed = Int(text[text.index(after: c)...]) else { return nil }
            exponent = parsed
            mantissa = text[..<c]
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int(parts[0]) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        // The exponent moves the decimal point right: 1.1c6 is 1100000.
        var integerDigits = String(whole.magnitude)
        if exponent > 0 {
            let moved = String(fraction.prefix(exponent))
            integerDigits += moved + String(repeating: "0", count: max(0, exponent - moved.count))
            fraction = String(fraction.dropFirst(exponent))
        }
        guard let integer = Int(integerDigits) else { return nil }
        i = integer
        v = fraction.count
        f = Int(fraction) ?? 0
        let trimmed = fraction.reversed().drop { $0 == "0" }
        t = Int(String(trimmed.reversed())) ?? 0
        n = Double("\(integer).\(fraction.isEmpty ? "0" : fraction)") ?? Double(integer)
        e = exponent
    }

    func value(_ operand: Character) -> Double {
        switch operand {
        case "n": n
        case "i": Double(i)
        case "v": Double(v)
        case "f": Double(f)
        case "t": Double(t)
        case "e", "c": Double(e)
        default: .nan
        }
    }
}

/// A compiled CLDR rule condition: `or` of `and` of relations.
struct PluralCondition: Sendable {
    struct Relation: Sendable {
        var operand: Character
        var modulus: Double?
        var negated: Bool
        var ranges: [ClosedRange<Double>]

        func matches(_ operands: PluralOperands) -> Bool {
            var value = operands.value(operand)
            if let modulus { value = value.truncatingRemainder(dividingBy: modulus) }
            // A range matches only whole values: n = 3..10 is false for 3.5.
            let inside = ranges.contains {
                $0.contains(value) && (value.rounded() == value || $0.lowerBound == $0.upperBound && value == $0.lowerBound)
            }
            return inside != negated
        }
    }

    var alternatives: [[Relation]]

    func matches(_ operands: PluralOperands) -> Bool {
        alternatives.contains { $0.allSatisfy { $0.matches(operands) } }
    }

    /// Parses CLDR rule syntax: `v = 0 and i % 10 = 2..4 and i % 100 != 12..14 or f % 10 = 2..4`.
    init?(_ text: String) {
        var alternatives: [[Relation]] = []
        for orPart in text.components(separatedBy: " or ") {
            var relations: [Relation] = []
            for andPart in orPart.components(separatedBy: " and ") {
                let tokens = andPart.split(separator: " ").map(String.init)
                guard let first = tokens.first, first.count == 1, let operand = first.first else { return nil }
                var index = 1
                var modulus: Double?
                if index < tokens.count, tokens[index] == "%" || tokens[index] == "mod" {
                    guard index + 1 < tokens.count, let m = Double(tokens[index + 1]) else { return nil }
                    modulus = m
                    index += 2
                }
                guard index + 1 < tokens.count else { return nil }
                let negated: Bool
                switch tokens[index] {
                case "=", "in", "within": negated = false
                case "!=", "not": negated = true
                default: return nil
                }
                index += tokens[index] == "not" && index + 1 < tokens.count && tokens[index + 1] == "in" ? 2 : 1
                var ranges: [ClosedRange<Double>] = []
                for item in tokens[index...].joined().split(separator: ",") {
                    let bounds = item.components(separatedBy: "..")
                    guard let low = Double(bounds[0]), let high = Double(bounds.count == 2 ? bounds[1] : bounds[0]), low <= high else { return nil }
                    ranges.append(low...high)
                }
                relations.append(Relation(operand: operand, modulus: modulus, negated: negated, ranges: ranges))
            }
            alternatives.append(relations)
        }
        self.alternatives = alternatives
    }
}
