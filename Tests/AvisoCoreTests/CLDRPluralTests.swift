import AvisoCore
import AvisoTesting
import Foundation
import Testing

@Suite struct CLDRPluralTests {
    @Test(arguments: ["en", "es", "ar", "bs", "so", "sw", "vi", "my"])
    func everyCLDRSampleFallsInItsCategory(_ language: String) throws {
        let samples = PluralRules.cldrSamples(of: language)
        #expect(samples.count > 10)
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
        #expect(PluralRules.categories(of: "vi") == [.other])
        #expect(PluralRules.categories(of: "my") == [.other])
    }

    /// Babel carries CLDR's rules too: every whole number to 1000 agrees with it.
    @Test func wholeNumbersAgreeWithBabelsCLDRData() throws {
        for language in ["en", "es", "ar", "bs", "so", "sw", "vi", "my"] {
            let output = try runTool(
                "python3",
                ["-c", "from babel import Locale\nr = Locale.parse('\(language)').plural_form\nprint(' '.join(r(n) for n in range(0, 1001)))"])
            let categories = output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            #expect(categories.count == 1001)
            for (n, category) in categories.enumerated() {
                #expect(PluralRules.category(of: n, language: language).rawValue == category, "\(language) \(n)")
            }
        }
    }
}
