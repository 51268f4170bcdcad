import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// Aviso's plural rules are CLDR 49's. Each CLDR sample must fall in the
/// category CLDR gives it, and every sample and every whole number to 1000 must
/// agree with Babel 2.19.0, the Babel release that carries exactly CLDR 49
/// (pinned in scripts/testing/requirements.txt).
@Suite struct CLDRPluralTests {
    static let languages = ["en", "es", "ar", "bs", "so", "sw", "vi", "my"]
    static let babelRelease = "2.19.0"

    @Test func theRulesNameTheirCLDRRelease() {
        #expect(PluralRules.cldrVersion == "49")
    }

    @Test(arguments: languages)
    func everyCLDRSampleFallsInItsCategory(_ language: String) throws {
        let samples = PluralRules.cldrSamples(of: language)
        #expect(samples.count > 10)
        // Every category of the language has samples, decimals included where CLDR lists them.
        #expect(Set(samples.map(\.1)) == Set(PluralRules.categories(of: language)))
        #expect(samples.contains { $0.0.contains(".") }, "\(language) has no decimal samples")
        for (sample, expected) in samples {
            let operands = try #require(PluralOperands(sample), "\(sample)")
            #expect(PluralRules.category(of: operands, language: language) == expected, "\(language) \(sample)")
        }
    }

    @Test func theCategoriesOfEachLanguage() {
        #expect(PluralRules.categories(of: "ar") == [.zero, .one, .two, .few, .many, .other])
        #expect(PluralRules.categories(of: "bs") == [.one, .few, .other])
        #expect(PluralRules.categories(of: "es") == [.one, .many, .other])
        #expect(PluralRules.categories(of: "so") == [.one, .other])
        #expect(PluralRules.categories(of: "vi") == [.one, .other])
        #expect(PluralRules.categories(of: "my") == [.other])
        #expect(PluralRules.category(of: 0, language: "vi") == .one)
        #expect(PluralRules.category(of: 1, language: "vi") == .one)
        #expect(PluralRules.category(of: 2, language: "vi") == .other)
    }

    /// Runs the pinned Babel on numbers (as CLDR writes them) and returns its categories.
    func babel(_ language: String, _ numbers: [String]) throws -> [String] {
        let output = try runTool(testPython, [testingScript("babel_plurals.py"), language], input: numbers.joined(separator: "\n") + "\n")
        var lines = output.split(separator: "\n").map(String.init)
        let header = lines.isEmpty ? "" : lines.removeFirst()
        #expect(header == "babel \(Self.babelRelease) cldr \(PluralRules.cldrVersion)", "the oracle is not the pinned Babel")
        #expect(lines.count == numbers.count)
        return lines
    }

    @Test(arguments: languages)
    func everySampleAndWholeNumberAgreesWithBabel(_ language: String) throws {
        // Babel does not implement the compact exponent operands (c, e): those samples
        // (1c6, 1.1c3, …) are checked against CLDR's own category above only.
        let samples = PluralRules.cldrSamples(of: language).map(\.0).filter { !$0.contains("c") }
        let wholes = (0...1000).map(String.init)
        let numbers = samples + wholes
        let categories = try babel(language, numbers)
        for (number, category) in zip(numbers, categories) {
            let operands = try #require(PluralOperands(number), "\(number)")
            #expect(PluralRules.category(of: operands, language: language).rawValue == category, "\(language) \(number)")
        }
    }
}
