import AvisoCore
import AvisoTesting
import Foundation
import Testing

/// SMS cost as the provider bills it (issue 14 §4). The expected counts are
/// worked out by hand from GSM 03.38 and 3GPP TS 23.040 concatenation: one
/// GSM-7 message holds 160 septets, each part of a longer one 153; one UCS-2
/// message 70 UTF-16 units, each part 67; an escape pair (2 septets), a
/// surrogate pair and a grapheme cluster are never cut, so they move whole to
/// the next part.
@Suite struct SMSEncodingTests {
    static func repeated(_ text: String, _ count: Int) -> String { String(repeating: text, count: count) }

    @Test func gsm7SegmentBoundaries() {
        #expect(SMSEncoding.measure(Self.repeated("a", 160)) == .init(encoding: .gsm7, units: 160, segments: 1))
        #expect(SMSEncoding.measure(Self.repeated("a", 161)) == .init(encoding: .gsm7, units: 161, segments: 2))
        #expect(SMSEncoding.measure(Self.repeated("a", 306)).segments == 2)
        #expect(SMSEncoding.measure(Self.repeated("a", 307)).segments == 3)
        #expect(SMSEncoding.measure("") == .init(encoding: .gsm7, units: 0, segments: 1))
    }

    @Test func extensionCharactersCostTwoSeptets() {
        #expect(SMSEncoding.measure("{").units == 2)
        // 159 + 2 = 161 septets: parts 153 and 8.
        #expect(SMSEncoding.measure(Self.repeated("a", 159) + "€") == .init(encoding: .gsm7, units: 161, segments: 2))
        // 158 + 2 = 160 septets still fit one message.
        #expect(SMSEncoding.measure(Self.repeated("a", 158) + "€") == .init(encoding: .gsm7, units: 160, segments: 1))
    }

    /// The vector: 306 septets with `€` at septets 153–154. A count of
    /// 306 / 153 says 2; the escape pair cannot be cut, so the parts are 152, 153 and 1.
    @Test func anEscapePairIsNeverCutAcrossParts() {
        let body = Self.repeated("a", 152) + "€" + Self.repeated("a", 152)
        #expect(SMSEncoding.measure(body) == .init(encoding: .gsm7, units: 306, segments: 3))
        let (encoding, parts) = SMSEncoding.parts(body)
        #expect(encoding == .gsm7)
        #expect(parts == [Self.repeated("a", 152), "€" + Self.repeated("a", 151), "a"])
        // 153 × € = 306 septets: 76 of them (152 septets) per part, so 76 + 76 + 1.
        #expect(SMSEncoding.measure(Self.repeated("€", 153)) == .init(encoding: .gsm7, units: 306, segments: 3))
        #expect(SMSEncoding.parts(Self.repeated("{", 153)).parts.map(\.count) == [76, 76, 1])
    }

    @Test func ucs2SegmentBoundaries() {
        #expect(SMSEncoding.measure(Self.repeated("í", 70)) == .init(encoding: .ucs2, units: 70, segments: 1))
        #expect(SMSEncoding.measure(Self.repeated("í", 71)) == .init(encoding: .ucs2, units: 71, segments: 2))
        #expect(SMSEncoding.measure(Self.repeated("í", 134)).segments == 2)
        #expect(SMSEncoding.measure(Self.repeated("í", 135)).segments == 3)
        #expect(SMSEncoding.measure("🙂").units == 2)
        // 69 + 2 = 71 units: parts 67 and 2 + 2.
        #expect(SMSEncoding.measure(Self.repeated("í", 69) + "🙂").segments == 2)
    }

    /// The vector: 134 UCS-2 units with an emoji at units 67–68.
    /// 134 / 67 says 2; the surrogate pair moves whole: parts 66, 67 and 1.
    @Test func aSurrogatePairIsNeverCutAcrossParts() {
        let body = Self.repeated("í", 66) + "🙂" + Self.repeated("í", 66)
        #expect(SMSEncoding.measure(body) == .init(encoding: .ucs2, units: 134, segments: 3))
        #expect(SMSEncoding.parts(body).parts.map(\.utf16.count) == [66, 67, 1])
    }

    /// A ZWJ family is 7 scalars, 11 UTF-16 units and one character on the
    /// phone: 60 + 11 + 59 = 130 units would be 2 parts cut inside the family;
    /// whole, it is 60, then 11 + 56 = 67, then 3.
    @Test func aGraphemeClusterIsNeverCutAcrossParts() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"
        #expect(family.utf16.count == 11 && family.count == 1)
        let body = Self.repeated("í", 60) + family + Self.repeated("í", 59)
        #expect(SMSEncoding.measure(body) == .init(encoding: .ucs2, units: 130, segments: 3))
        #expect(SMSEncoding.parts(body).parts.map(\.utf16.count) == [60, 67, 3])
    }

    /// Burmese: ကို is က with two vowel signs (U+1000 U+102D U+102F), one
    /// syllable of 3 units. 66 + 3 + 65 = 134 units: 66, then 3 + 64, then 1.
    @Test func aBurmeseSyllableIsNeverCutAcrossParts() {
        let syllable = "\u{1000}\u{102D}\u{102F}"
        #expect(syllable.count == 1)
        let body = Self.repeated("\u{1000}", 66) + syllable + Self.repeated("\u{1000}", 65)
        #expect(SMSEncoding.measure(body) == .init(encoding: .ucs2, units: 134, segments: 3))
        #expect(SMSEncoding.parts(body).parts.map(\.utf16.count) == [66, 67, 1])
    }

    /// A cluster longer than a whole part (a letter under 99 combining marks:
    /// 100 units after NFC makes a + U+0301 into á) cannot stay whole; it is
    /// cut between scalars, 67 + 33, and never inside a surrogate pair.
    @Test func aClusterLongerThanAPartIsCutBetweenItsScalars() {
        let body = "a\u{301}" + Self.repeated("\u{301}", 99)
        #expect(body.count == 1)
        #expect(SMSEncoding.measure(body) == .init(encoding: .ucs2, units: 100, segments: 2))
        #expect(SMSEncoding.parts(body).parts.map(\.utf16.count) == [67, 33])
        // 🙂 and 40 × (U+FE0F U+20E3): 82 units in one cluster; the emoji stays one surrogate pair.
        let emoji = "🙂" + Self.repeated("\u{FE0F}\u{20E3}", 40)
        #expect(SMSEncoding.parts(emoji).parts.map(\.utf16.count) == [67, 15])
    }

    /// The vector: the Burmese welcome as Aviso rendered it when the
    /// issue was filed (department, case and phone filled in), kept here as
    /// it was so later template changes do not move it. 266 UTF-16 units: a
    /// plain count says 4 (266 ≤ 4 × 67). Cut at syllables: after 64 units
    /// comes ပို့ (U+1015 U+102D U+102F U+1037, 4 units), which would end at
    /// 68; after 65 more comes ကျွ (U+1000 U+103B U+103D, 3 units), which would
    /// end at 68 too; then 67, 67 and 3: five parts.
    @Test func theBurmeseWelcomeCostsFiveParts() {
        let body = Self.burmeseWelcome
        #expect(body.utf16.count == 266)
        #expect(SMSEncoding.measure(body) == .init(encoding: .ucs2, units: 266, segments: 5))
        let parts = SMSEncoding.parts(body).parts
        #expect(parts.map(\.utf16.count) == [64, 65, 67, 67, 3])
        #expect(parts[1].hasPrefix("\u{1015}\u{102D}\u{102F}\u{1037}") && parts[2].hasPrefix("\u{1000}\u{103B}\u{103D}"))
        #expect(parts.joined() == body)
    }

    static let burmeseWelcome =
        "ကန်းဆက်စ်စီးတီး ရဲဌာန (KCPD): သင့်အမှု သတင်းများကို ဤနံပါတ်သို့ ပို့ပါမည်။ သင်၏ လူဝင်မှုဆိုင်ရာ အခြေအနေ (ဗီဇာ၊ နေထိုင်ခွင့်) ကို ကျွန်ုပ်တို့ မမေးပါ။ စကားပြောလိုပါက +1 816 234 5000 သို့ ဖုန်းဆက်ပါ။ အကူအညီလိုပါက အကူအညီ (HELP)၊ စာ ဆက်မရလိုပါက ရပ် (STOP) ဟု ပြန်ပို့ပါ။"

    /// NFC first: `José` typed with a combining acute is GSM-7 once composed,
    /// and the composed text is what is measured and sent.
    @Test func textIsNormalizedToNFCBeforeEncoding() {
        let decomposed = "Jose\u{301}"
        #expect(decomposed.unicodeScalars.count == 5)
        #expect(SMSEncoding.measure(decomposed) == .init(encoding: .gsm7, units: 4, segments: 1))
        #expect(SMSEncoding.parts(decomposed).parts == ["Jos\u{E9}"])
        #expect(Array(SMSEncoding.normalized(decomposed).unicodeScalars) == Array("Jos\u{E9}".unicodeScalars))
        // Vietnamese ệ typed as e + dot below + circumflex: one UCS-2 unit once composed.
        #expect(SMSEncoding.measure("Vie\u{323}\u{302}t") == .init(encoding: .ucs2, units: 4, segments: 1))
        // CR LF is one character to Swift and two septets to GSM-7.
        #expect(SMSEncoding.measure("a\r\nb") == .init(encoding: .gsm7, units: 4, segments: 1))
    }

    @Test func spanishWithOnlyGSMAccentsStaysGSM() {
        #expect(SMSEncoding.measure("¿Qué pasó? Ñandú").encoding == .ucs2)  // ó and ú are not GSM-7
        #expect(SMSEncoding.measure("¿Qué? Ñ ü é à").encoding == .gsm7)
    }

    @Test func thePlannerStoresAndMeasuresNFC() throws {
        let fixture = try StoreFixture()
        let text = ["es": "Jose\u{301}: llame al 816 234 5000."]
        try fixture.openCase()
        try fixture.addVictim("José Pérez", language: "es", phone: "+18165550142")
        let preview = try fixture.queue(.custom, UpdateFields(text: text), dryRun: true)
        let body = try #require(preview.messages.first?.body)
        #expect(body.contains("Jos\u{E9}") && !body.unicodeScalars.contains("\u{301}"))
        #expect(preview.messages.first?.segments == SMSEncoding.measure(body).segments)
    }
}

/// Properties of the split, checked against a certificate the test computes
/// itself: the parts put together are the NFC text, each part is within its
/// limit, no character is cut, and every part but the first starts with a
/// character that did not fit in the one before (so no split has fewer parts).
@Suite struct SMSSegmentPropertyTests {
    /// Pieces a body is built from, with their cost computed here by hand.
    static let gsmBasic = Array("abcXYZ019 .,:;!?@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà\n").map(String.init)
    static let gsmEscaped = Array("^{}\\[~]|€").map(String.init)
    static let decomposedGSM = ["e\u{301}", "a\u{308}", "n\u{303}"]  // é, ä, ñ once composed: GSM-7
    static let ucs2Only = [
        "í", "ó", "ú", "ç", "ب", "ع", "ệ", "ư", "中", "🙂", "👍🏽", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}",
        "\u{1000}\u{102D}\u{102F}", "\u{1019}\u{103C}", "Vie\u{323}\u{302}t", "\u{1F1F2}\u{1F1FD}",
    ]

    /// What one character costs, by the rules rather than by the code under test.
    static func cost(_ character: Character, gsm: Bool) -> Int {
        gsm ? character.unicodeScalars.map { "^{}\\[~]|€\u{0C}".unicodeScalars.contains($0) ? 2 : 1 }.reduce(0, +) : character.utf16.count
    }

    static func body(seed: UInt64, gsmOnly: Bool) -> String {
        var random = SplitMix64(state: seed)
        let length = Int.random(in: 0...420, using: &random)
        var pools = [gsmBasic, gsmBasic, gsmEscaped, decomposedGSM]
        if !gsmOnly { pools += [ucs2Only, ucs2Only] }
        var text = ""
        for _ in 0..<length {
            let pool = pools[Int.random(in: 0..<pools.count, using: &random)]
            text += pool[Int.random(in: 0..<pool.count, using: &random)]
        }
        return text
    }

    @Test(arguments: Array(UInt64(1)...UInt64(300)))
    func aSplitIsWithinLimitsCutsNothingAndIsTheShortest(seed: UInt64) {
        for gsmOnly in [true, false] {
            let body = Self.body(seed: seed, gsmOnly: gsmOnly)
            let nfc = body.precomposedStringWithCanonicalMapping
            let (encoding, parts) = SMSEncoding.parts(body)
            let gsm = encoding == .gsm7
            if gsmOnly { #expect(gsm, "a body of GSM characters is GSM-7") }
            let costs = parts.map { part in part.reduce(0) { $0 + Self.cost($1, gsm: gsm) } }
            let total = nfc.reduce(0) { $0 + Self.cost($1, gsm: gsm) }
            #expect(parts.joined() == nfc)
            #expect(parts.map(\.count).reduce(0, +) == nfc.count, "a character was cut")
            #expect(SMSEncoding.measure(body) == .init(encoding: encoding, units: total, segments: parts.count))
            if total <= (gsm ? 160 : 70) {
                #expect(parts.count == 1)
                continue
            }
            let limit = gsm ? 153 : 67
            #expect(costs.allSatisfy { $0 <= limit && $0 > 0 }, "\(costs)")
            for index in parts.indices.dropFirst() {
                let first = parts[index].first!
                #expect(costs[index - 1] + Self.cost(first, gsm: gsm) > limit, "part \(index) could have started earlier")
            }
            // At least the plain division, and at most one part more per part for what moved.
            #expect(parts.count >= (total + limit - 1) / limit)
        }
    }

    @Test(arguments: Array(UInt64(1)...UInt64(50)))
    func appendingACharacterNeverMakesAMessageCheaper(seed: UInt64) {
        var random = SplitMix64(state: seed &* 7919)
        var text = ""
        var segments = 1
        for _ in 0..<200 {
            let pool = [Self.gsmBasic, Self.gsmEscaped, Self.ucs2Only][Int.random(in: 0..<3, using: &random)]
            text += pool[Int.random(in: 0..<pool.count, using: &random)]
            let next = SMSEncoding.measure(text).segments
            #expect(next >= segments)
            segments = next
        }
    }
}
