import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// Aviso's numbering plans against libphonenumber's own verdicts (the pinned
/// `phonenumbers` package, scripts/testing/phone_oracle.py).
@Suite struct NumberingPlanTests {
    /// Numbers near the edge of every plan: each region's example numbers
    /// (one per number type), with their last digits changed, a digit added
    /// or dropped, and random numbers of every calling code's lengths.
    static func candidates() throws -> [String] {
        let examples = try runTool(testPython, [testingScript("phone_oracle.py"), "examples"], timeout: 120)
            .split(separator: "\n").map(String.init)
        #expect(examples.count > 1000, "the oracle listed only \(examples.count) example numbers")
        var random = SplitMix64(state: 0x5EED_0A71_50)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &random))) }) }
        var numbers: [String] = []
        for example in examples {
            numbers.append(example)
            for changed in 1...4 where example.count > changed + 3 {
                numbers.append(String(example.dropLast(changed)) + digits(changed))
            }
            numbers.append(example + digits(1))
            numbers.append(String(example.dropLast()))
        }
        // Random numbers after the calling codes the victims of a US department most often have.
        let codes =
            [1, 52, 502, 503, 504, 505, 506, 507, 57, 58, 51, 593, 591, 54, 55, 56, 53, 509, 1809, 34, 20, 212, 213, 216, 218, 249]
            + [961, 962, 963, 964, 965, 966, 967, 968, 970, 971, 974, 973, 84, 95, 86, 252, 251, 380, 7, 91, 63, 44, 49, 33, 39]
        for code in codes {
            for length in 6...(15 - String(code).count) {
                for _ in 0..<4 { numbers.append("+\(code)" + String(Int.random(in: 1...9, using: &random)) + digits(length - 1)) }
            }
        }
        return numbers
    }

    @Test func everyVerdictAgreesWithLibphonenumber() throws {
        let numbers = try Self.candidates().filter { (try? PhoneNumber($0)) != nil }
        #expect(numbers.count > 5000, "only \(numbers.count) numbers were compared")
        let verdicts = try runTool(testPython, [testingScript("phone_oracle.py"), "verdicts"], input: numbers.joined(separator: "\n"), timeout: 120)
            .split(separator: "\n").map { $0 == "1" }
        try #require(verdicts.count == numbers.count, "the oracle answered \(verdicts.count) verdicts for \(numbers.count) numbers")
        var disagreements: [String] = []
        var valid = 0
        for (number, oracle) in zip(numbers, verdicts) {
            let ours: Bool
            if case .valid = NumberingPlan.verdict(for: try PhoneNumber(number)) { ours = true } else { ours = false }
            if ours { valid += 1 }
            if ours != oracle {
                disagreements.append("\(number): Aviso \(ours ? "valid" : "invalid"), libphonenumber \(oracle ? "valid" : "invalid")")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.count) disagreements, first: \(disagreements.prefix(20).joined(separator: "; "))")
        // Both verdicts are well represented, so agreement means something.
        #expect(valid > numbers.count / 5 && valid < numbers.count * 4 / 5, "\(valid) of \(numbers.count) valid")
    }

    @Test(arguments: [
        ("+1 816 555 01", "10 digits after +1, and this one has 8"),
        ("+1 816 055 0142", "three digits after the area code cannot start with 0 or 1"),
        ("+1 116 555 0142", "area code cannot start with 0 or 1"),
        ("+52 55 1234 567", "Mexico (+52)"),
        ("+999 1234 5678", "country calling code"),
        ("+44 020 7946 0958", "leave it out after +44: +442079460958"),
    ])
    func invalidNumbersAreRefusedSayingWhy(raw: String, says: String) throws {
        let phone = try PhoneNumber(raw)
        #expect {
            try NumberingPlan.check(phone, as: raw)
        } throws: { error in
            (error as? AvisoError)?.detail.contains(says) == true
        }
        #expect(throws: AvisoError.self) { try ContactAddress(channel: .sms, address: raw) }
    }

    @Test(arguments: [
        "+1 816 555 0142", "+52 55 1234 5678", "+502 5123 4567", "+503 7012 3456", "+504 9123-4567", "+34 612 34 56 78", "+966 50 123 4567",
        "+84 91 234 56 78",
        "+95 9 212 3456", "+86 131 2345 6789", "+252 61 123 4567", "+251 91 123 4567", "+380 50 123 4567", "+7 912 345 67 89",
        "+91 98765 43210", "+63 917 123 4567", "+1 809 234 5678", "+1 268 464 1234",
    ])
    func numbersOfVictimsCountriesAreAccepted(raw: String) throws {
        #expect(throws: Never.self) { try ContactAddress(channel: .sms, address: raw) }
    }

    @Test func emailAddressesCompareIgnoringCase() throws {
        let upper = try ContactAddress(channel: .email, address: "LUIS.GOMEZ@Example.org")
        let lower = try ContactAddress(channel: .email, address: "luis.gomez@example.org")
        #expect(upper.key == lower.key)
        #expect(upper.value == "LUIS.GOMEZ@example.org")
    }
}
