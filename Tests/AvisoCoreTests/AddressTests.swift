import AvisoCore
import AvisoTesting
import Testing

@Suite struct AddressTests {
    @Test(arguments: [
        ("+1 (816) 555-0142", "+18165550142"), ("+52 55 1234 5678", "+525512345678"), ("+18165550142", "+18165550142"),
        (" +44 20 7946 0958 ", "+442079460958"),
    ])
    func validPhoneNumbersNormalizeToE164(raw: String, e164: String) throws {
        #expect(try PhoneNumber(raw).e164 == e164)
    }

    @Test(arguments: ["816-555-0142", "+0 816 555 0142", "+1 816 555 01X2", "+123", "+1234567890123456", "", "++18165550142"])
    func invalidPhoneNumbersAreRejectedWithAHint(raw: String) {
        #expect {
            try PhoneNumber(raw)
        } throws: { error in
            guard let error = error as? AvisoError else { return false }
            return error.kind == .invalid && error.detail.contains("E.164") || error.detail.contains("country code")
        }
    }

    @Test func emailAddressesAreValidatedAndDomainsLowercased() throws {
        #expect(try EmailAddress("Maria.Lopez@Example.ORG").address == "Maria.Lopez@example.org")
        #expect(try EmailAddress("  luis+kc@correo.example.mx ").address == "luis+kc@correo.example.mx")
        for bad in [
            "maria", "maria@", "@example.org", "maria@example", "ma ria@example.org", "maria@@example.org", ".maria@example.org",
            "maria@exa_mple.org",
        ] {
            #expect(throws: AvisoError.self, "\(bad)") { try EmailAddress(bad) }
        }
    }

    @Test func languageTagsAreCanonicalAndFallBackToTheirBase() throws {
        #expect(try LanguageTag("ES-mx").value == "es-MX")
        #expect(try LanguageTag("es_419").value == "es-419")
        #expect(try LanguageTag("zh-hant-tw").fallbacks == ["zh-Hant-TW", "zh-Hant", "zh"])
        for bad in ["", "e", "spanish", "es-", "es-MEXICO-123-x", "1es"] {
            #expect(throws: AvisoError.self, "\(bad)") { try LanguageTag(bad) }
        }
    }

    @Test func timeZonesMustBeIANANames() throws {
        #expect(try validTimeZone("America/Mexico_City").identifier == "America/Mexico_City")
        #expect(throws: AvisoError.self) { try validTimeZone("CST") }
        #expect(throws: AvisoError.self) { try validTimeZone("Mars/Olympus") }
    }

    @Test func redactionKeepsOnlyTheLastTwoDigitsAndTheDomain() {
        #expect(Redact.phone("+18165550142") == "…42")
        #expect(Redact.email("maria@example.org") == "…@example.org")
    }
}
