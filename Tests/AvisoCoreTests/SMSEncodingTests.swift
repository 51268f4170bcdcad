import AvisoCore
import AvisoTesting
import Testing

@Suite struct SMSEncodingTests {
    @Test func gsm7SegmentBoundaries() {
        #expect(SMSEncoding.measure(String(repeating: "a", count: 160)) == .init(encoding: .gsm7, units: 160, segments: 1))
        #expect(SMSEncoding.measure(String(repeating: "a", count: 161)) == .init(encoding: .gsm7, units: 161, segments: 2))
        #expect(SMSEncoding.measure(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSEncoding.measure(String(repeating: "a", count: 307)).segments == 3)
    }

    @Test func extensionCharactersCostTwoSeptets() {
        #expect(SMSEncoding.measure("{").units == 2)
        #expect(SMSEncoding.measure(String(repeating: "a", count: 159) + "€") == .init(encoding: .gsm7, units: 161, segments: 2))
    }

    @Test func ucs2SegmentBoundariesAndSurrogatePairs() {
        #expect(SMSEncoding.measure(String(repeating: "í", count: 70)) == .init(encoding: .ucs2, units: 70, segments: 1))
        #expect(SMSEncoding.measure(String(repeating: "í", count: 71)) == .init(encoding: .ucs2, units: 71, segments: 2))
        #expect(SMSEncoding.measure("🙂").units == 2)
        #expect(SMSEncoding.measure(String(repeating: "í", count: 69) + "🙂").segments == 2)
    }

    @Test func spanishWithOnlyGSMAccentsStaysGSM() {
        #expect(SMSEncoding.measure("¿Qué pasó? Ñandú").encoding == .ucs2)  // ó and ú are not GSM-7
        #expect(SMSEncoding.measure("¿Qué? Ñ ü é à").encoding == .gsm7)
    }
}
