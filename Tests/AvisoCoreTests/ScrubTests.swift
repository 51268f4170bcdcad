import AvisoCore
import Testing

/// Redact.scrub, the log handler's last line of defence for G8.
@Suite struct ScrubTests {
    @Test(arguments: [
        ("The 'To' number +18165550142 is not valid", "The 'To' number …42 is not valid"),
        ("refused +1 816 555 0142.", "refused …42."),
        ("refused +1-816-555-0142 and +52 55 1234 5678", "refused …42 and …78"),
        ("550 <luis.gomez@example.org>: mailbox unavailable", "550 <…@example.org>: mailbox unavailable"),
        ("to José.Pérez+casos@correo.example.mx", "to …@correo.example.mx"),
    ])
    func numbersAndAddressesAreMasked(text: String, expected: String) {
        #expect(Redact.scrub(text) == expected)
    }

    @Test(arguments: [
        "2026-03-03T09:00:00.123+05:00 attempt +1 retry in 30 s",
        "hb.request.id=8e23b6a4b9c6516a046305ca1d957407 duration=\"0.0027 seconds\" route=/v1/cases/{number}",
        "case=KC-2025-004512 message=1234567890123",
        "to=…42 to=…@example.org",
        "a lone @ and a + sign",
    ])
    func everythingElseIsLeftAlone(text: String) {
        #expect(Redact.scrub(text) == text)
    }

    @Test func scrubbingTwiceChangesNothingMore() {
        let once = Redact.scrub("call +18165550142 or write ana@example.org")
        #expect(Redact.scrub(once) == once)
    }
}
